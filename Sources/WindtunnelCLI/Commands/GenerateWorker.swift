import ArgumentParser
import Foundation
import Generator

/// `windtunnel generate-worker`: one worker process of `windtunnel generate`, started by it and not meant to
/// be run by hand. It reads its plan and then its start signal as JSON lines on standard input, and writes
/// its messages as JSON lines on standard output. The end of standard input after the start means the
/// coordinator is gone or wants it to stop: it stops gracefully, as on SIGTERM, rather than run on orphaned.
struct GenerateWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-worker",
        abstract: "One worker process of windtunnel generate (started by it).",
        shouldDisplay: false
    )

    func run() throws {
        let stop = StopRequest.onSignals()
        // Writing to a coordinator that is gone must fail as an error, not end the worker mid-manifest.
        signal(SIGPIPE, SIG_IGN)
        guard let planLine = readLine() else { throw fail("generate-worker: no plan on standard input (it is started by windtunnel generate)") }
        let plan: WorkerPlan
        do {
            plan = try JSONDecoder().decode(WorkerPlan.self, from: Data(planLine.utf8))
        } catch {
            throw fail("generate-worker: the plan on standard input is not valid: \(error)")
        }
        let name = "worker \(plan.workerIndex)"
        do {
            let worker = try GeneratorWorker(plan: plan, stop: stop)
            try emit(.ready)
            // The coordinator closes standard input instead of releasing the workers when it gives up.
            guard let startLine = readLine() else { throw ExitCode(stop.isRequested ? 0 : 1) }
            let start = try JSONDecoder().decode(StartSignal.self, from: Data(startLine.utf8))
            Thread.detachNewThread {
                while readLine() != nil {}
                stop.request(signal: SIGHUP)
            }
            let report = try worker.run(start: start) { stats in try? emit(.stats(stats)) }
            try emit(.final(report))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail("\(name): \(error)")
        }
    }

    private func emit(_ message: WorkerMessage) throws {
        try FileHandle.standardOutput.write(contentsOf: message.line())
    }
}
