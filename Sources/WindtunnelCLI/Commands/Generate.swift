import ArgumentParser
import Foundation
import Generator
import Monitor

/// `windtunnel generate`: the paced multi-process load generator.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a paced stream of log events to Kafka from several worker processes, journaling each record.",
        discussion: """
            Starts --processes worker processes, holds them until every one is connected, then releases them \
            at one start time. Each sends --rps records per second on an open-loop timetable (a late send \
            shows as schedule lag, nothing is skipped) and writes a manifest of what it sent and what the \
            broker acknowledged. Progress goes to standard error once a second; the summary is printed at the \
            end and written to <manifest>/summary.json (summary-worker-<I>.json with --worker I/N, so that \
            machines sharing a folder do not overwrite each other's). Ctrl-C or SIGTERM stops gracefully. \
            Exits 0 when every record was acknowledged, 1 when a worker died or records were lost, and \
            128 + the signal number when stopped by a signal.
            """
    )

    @OptionGroup var options: GeneratorOptions

    @Option(name: .customLong("metrics-port"), help: MetricsPortOption.help, transform: MetricsPortOption.parse)
    var metricsPort: Int?

    @Option(
        name: .customLong("stats-log"),
        help: ArgumentHelp(
            "Append the live figures of all workers together to this file as one JSON line a second, and the final ones at the end.",
            valueName: "path"))
    var statsLog: String?

    func validate() throws {
        if let statsLog { try PathOption.checkFile(statsLog, option: "--stats-log") }
    }

    func run() throws {
        let plans = try options.resolve(environment: ProcessInfo.processInfo.environment)
        if let folder = options.manifest {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw fail("--manifest \(folder): could not create the folder: \(error.localizedDescription)")
            }
        }
        let stop = StopRequest.onSignals()
        let coordinator = Coordinator(executable: Run.ownExecutable, workerArguments: [GenerateWorker.configuration.commandName ?? ""], plans: plans) {
            note($0)
        }
        let metrics = try metricsPort.map { port in try GeneratorMetrics(port: port, target: plans) }
        defer { metrics?.stop() }
        let log: GeneratorStatsLog?
        do {
            log = try statsLog.map(GeneratorStatsLog.init(path:))
        } catch {
            throw fail("--stats-log \(statsLog ?? ""): cannot append to it: \(error.localizedDescription)")
        }
        coordinator.observe = { stats in
            metrics?.observe(stats)
            log?.record(stats)
        }
        let summary: GenerationSummary
        do {
            summary = try coordinator.run(stop: stop)
        } catch {
            throw fail("\(error)")
        }
        log?.finish(summary)
        print(summary.table)
        if let folder = options.manifest {
            let name = options.worker == nil ? "summary.json" : "summary-worker-\(plans[0].workerIndex).json"
            do {
                try summary.json().write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
            } catch {
                throw fail("could not write \(folder)/\(name): \(error.localizedDescription)")
            }
        }
        summary.problems.forEach { note("windtunnel: problem: \($0)") }
        if let signal = stop.stopSignal { throw ExitCode(128 + signal) }
        if !summary.problems.isEmpty { throw ExitCode(1) }
    }
}
