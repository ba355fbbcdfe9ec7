import ArgumentParser
import Dispatch
import Foundation
import Harness
#if canImport(Glibc)
import Glibc
#endif

/// `windtunnel run`: one scenario end to end, or a folder of them.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario end to end: broker, detector, generator, faults, validation, results folder.",
        discussion: "Exits with the validator's code: 0 pass, 1 fail, 2 could not judge."
    )

    @Argument(help: "Scenario files (scenarios/*.yaml), run one after the other; with --all, one folder of them.")
    var scenarios: [String]

    @Flag(help: "Run every scenario file in the folder.")
    var all = false

    @Option(help: "The folder under which results folders are made.")
    var results: String = "results"

    @Option(help: "Use these brokers instead of starting an embedded one (topics get a fresh name).")
    var brokers: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario key, e.g. generator.rps=2000.", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "The detector under test, overriding the scenario's: swift, spark or external.")
    var detector: String?

    @Option(name: .customLong("metrics-port"), help: MetricsPortOption.help, transform: MetricsPortOption.parse)
    var metricsPort: Int?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, key=value.", valueName: "key=value"))
    var properties: [String] = []

    func validate() throws {
        guard !scenarios.isEmpty else { throw ValidationError("name a scenario file, e.g. scenarios/smoke.yaml") }
        if all && scenarios.count != 1 { throw ValidationError("--all takes one folder of scenario files") }
        try PathOption.checkFolder(results, option: "--results")
    }

    func run() throws {
        let files = try scenarioFiles()
        let resolvedProperties: [String]
        do {
            resolvedProperties = try ClientProperties.resolvedTexts(properties)
        } catch {
            throw fail(error.message, exitCode: 2)
        }
        var rows: [RunSummary] = []
        for file in files {
            let loaded: Harness.Scenario
            do {
                loaded = try ScenarioLoader.load(path: file, overrides: overrides + (detector.map { ["detector.kind=\($0)"] } ?? []))
            } catch {
                throw fail(error.description, exitCode: 2)
            }
            var options = ScenarioRun.Options(executable: Self.ownExecutable)
            options.resultsRoot = results
            options.brokers = brokers
            options.properties = resolvedProperties
            options.metricsPort = metricsPort
            let run = ScenarioRun(scenario: loaded, options: options) { note($0) }
            let signals = Self.stopOnSignals { run.interrupt() }
            defer { signals.forEach { $0.cancel() } }
            do {
                let outcome = try run.run()
                if run.wasInterrupted { Self.endInterrupted { run.interrupt() } }
                if let steps = outcome.summary.ramp { print(RunTable.ramp(steps)) }
                print(RunTable.expectations(outcome.summary))
                outcome.problems.forEach { print("problem: \($0)") }
                let report = "\(outcome.folder.path)/report.html"
                let written = FileManager.default.fileExists(atPath: report) ? "report: \(report)" : "no report (nothing was validated): \(outcome.folder.path)"
                print("\(loaded.name): \(outcome.summary.outcome); \(written)")
                rows.append(outcome.summary)
            } catch {
                if run.wasInterrupted { Self.endInterrupted { run.interrupt() } }
                throw fail("\(loaded.name): \(error)", exitCode: 2)
            }
        }
        if rows.count > 1 { print(RunTable.runs(rows)) }
        print("all runs: \(results)/index.html")
        let worst = rows.map(\.exitCode).max() ?? 0
        if worst != 0 { throw ExitCode(worst) }
    }

    private func scenarioFiles() throws -> [String] {
        guard all, let folder = scenarios.first else { return scenarios }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw fail("\(folder) is not a readable folder of scenario files", exitCode: 2)
        }
        let files = names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
        guard !files.isEmpty else { throw fail("\(folder) holds no .yaml scenario files", exitCode: 2) }
        return files
    }

    /// This executable's path, so that children run the same build.
    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// On SIGINT or SIGTERM: run `stop`, then exit with 130 (see `endInterrupted`).
    static func stopOnSignals(_ stop: @escaping @Sendable () -> Void) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                note("interrupted: stopping every process this run started")
                endInterrupted(after: stop)
            }
            source.resume()
            return source
        }
    }

    /// Taken for good by the first thread that ends the process after an interrupt.
    private static let interruptedExit = NSLock()

    /// Runs `stop` (which returns once everything is stopped, even when another thread does the stopping),
    /// then exits with 130. Both the signal handler and the main thread, when a stage it was in ended under
    /// the interrupt, come here: the first to finish exits and the other waits on the lock for that exit, so
    /// that neither ends the process while the other still stops children, nor with another exit code.
    static func endInterrupted(after stop: () -> Void) -> Never {
        stop()
        interruptedExit.lock()
        Glibc.exit(130)
    }
}
