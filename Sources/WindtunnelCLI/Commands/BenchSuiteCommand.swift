import ArgumentParser
import Benchmarks
import Foundation

/// `windtunnel bench [--quick]`: the whole benchmark suite, written to `results/bench/<UTC time>/`.
struct BenchSuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Every hot path against the client's limit and the tools users pick instead (the default of `bench`).",
        discussion: """
            In one session on embedded Tansu brokers: the generator against the librdkafka client producing pre-built events \
            and against a plain Python confluent-kafka generator; detect against consuming without parsing and against the \
            Spark job (local[2]); validate against the consume limit; and end to end, the highest rate generator + broker + \
            detector sustain against the bare pipeline. Pairs run alternately, round after round; the report gives medians, \
            ranges and ratios as bench.json, bench.md and bench.html. --quick (about two and a half minutes, no Spark) is what CI runs; \
            it reports and never fails on numbers. Build with -c release to measure the design rather than the debug build.
            """
    )

    @Flag(help: "Small counts, two rounds, no Spark: about two and a half minutes.")
    var quick = false

    @Flag(help: "Leave the Spark job out of a full run.")
    var noSpark = false

    @Option(help: "Rounds of each comparison (default: 2 quick, 5 full).")
    var rounds: Int?

    @Option(help: "Records in the topic the detectors and the validator read (default: 300,000 quick, 2,000,000 full).")
    var detectorRecords: Int?

    @Option(help: "The folder under which the run's folder, named by its UTC start time, is made.")
    var results = "results/bench"

    func validate() throws {
        if let rounds, !(1...20).contains(rounds) { throw ValidationError("--rounds must be between 1 and 20, not \(rounds)") }
        if let detectorRecords, detectorRecords < 10_000 {
            throw ValidationError("--detector-records must be at least 10000, not \(detectorRecords)")
        }
        try PathOption.checkFolder(results, option: "--results")
    }

    func run() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss'Z'"
        let folder = "\(results)/\(formatter.string(from: Date()))"
        var settings = quick ? BenchmarkSuite.Settings.quick(executable: Run.ownExecutable, folder: folder)
            : BenchmarkSuite.Settings.full(executable: Run.ownExecutable, folder: folder)
        if noSpark { settings.includeSpark = false }
        if let rounds { settings.rounds = rounds }
        if let detectorRecords { settings.detectorRecords = detectorRecords }
        let suite = BenchmarkSuite(settings: settings) { note($0) }
        let signals = Run.stopOnSignals { suite.interrupt() }
        defer { signals.forEach { $0.cancel() } }
        note("bench (\(settings.mode)): results in \(folder)")
        let report: BenchmarkReport
        do {
            report = try suite.run()
        } catch let error as BenchmarkError {
            throw fail("bench: \(error.message)")
        }
        try BenchmarkFiles.write(report, to: folder)
        print(BenchmarkFiles.summaryTable(report))
        if let caveat = BenchmarkFiles.caveat(report) { print(caveat) }
        print("machine: \(report.machine.summary)")
        print("report: \(folder)/bench.html (also bench.md, bench.json)")
    }
}
