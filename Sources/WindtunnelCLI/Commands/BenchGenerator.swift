import ArgumentParser
import Benchmarks
import EmbeddedBroker
import EventModel
import Foundation
import Generator
import Kafka

/// `windtunnel bench`: measurements that compare windtunnel with the physical limit on the same broker.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure windtunnel's parts against the raw client's limit and the tools users pick instead.",
        subcommands: [BenchSuiteCommand.self, GeneratorBench.self, DetectorBench.self],
        defaultSubcommand: BenchSuiteCommand.self
    )
}

/// `windtunnel bench generator`: in one run on one broker, alternating, (a) the librdkafka client producing
/// pre-built events, (b) `windtunnel generate` unthrottled with 1 process, (c) with 2 processes; then the
/// rate accuracy of 2 paced processes. Build with `swift build -c release` first: debug numbers mean nothing.
struct GeneratorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generator",
        abstract: "Generator throughput against the raw client (records/s, ratio b/a), then rate accuracy.",
        discussion: """
            Rates are acknowledged records over the time from the first send to the last delivery report. The \
            raw client sends the same events (synthesized before timing) with the same headers and producer \
            settings, so the ratio b/a is what windtunnel's own per-event work costs. Without --brokers an \
            embedded broker is started; it keeps every record in memory, so each topic is deleted after its run.
            """
    )

    @Option(help: "Records per throughput run.")
    var count: Int = 2_000_000

    @Option(help: "Rounds of (a), (b), (c), alternating.")
    var rounds: Int = 3

    @Option(help: "Records per second per process of the accuracy run (2 processes); 0 skips it.")
    var accuracyRps: Int = 50_000

    @Option(help: "Length of the accuracy run.")
    var accuracyDuration: String = "30s"

    @Option(help: "Bootstrap brokers; without it an embedded broker is started.")
    var brokers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, key=value, for every client.", valueName: "key=value"))
    var properties: [String] = []

    func validate() throws {
        guard count >= 1_000 else { throw ValidationError("--count must be at least 1000, not \(count)") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20, not \(rounds)") }
        guard accuracyRps >= 0 else { throw ValidationError("--accuracy-rps must not be negative") }
        do {
            _ = try ClientProperties.resolve(properties)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        var broker: TansuBroker?
        do {
            let bootstrap: String
            if let brokers {
                bootstrap = brokers
            } else {
                let started = try TansuBroker.start()
                broker = started
                bootstrap = started.bootstrap
                note("embedded broker on \(bootstrap)")
            }
            defer { broker?.stop() }
            try measure(bootstrap: bootstrap)
        } catch let error as BenchmarkError {
            throw fail(error.message)
        } catch let error as BrokerError {
            throw fail(error.message)
        } catch let error as KafkaError {
            throw fail(error.message)
        }
    }

    private func measure(bootstrap: String) throws {
        let client = ClientSettings(brokers: bootstrap, properties: try ClientProperties.resolve(properties))
        let admin = try KafkaAdmin(client: client)
        let events = try PrebuiltEvents(count: 100_000)
        note(String(format: "events average %.0f bytes", events.averageBytes))
        var raw: [Double] = []
        var one: [Double] = []
        var two: [Double] = []
        for round in 1...rounds {
            let stamp = "\(round)-\(Int(Date().timeIntervalSince1970))"
            raw.append(try withTopic("bench-raw-\(stamp)", admin: admin) { try ClientLimits.produce(events, count: count, topic: $0, client: client) })
            note(String(format: "round %d (a) raw client:        %9.0f records/s", round, raw.last ?? 0))
            one.append(try withTopic("bench-one-\(stamp)", admin: admin) { try generate(topic: $0, bootstrap: bootstrap, processes: 1) })
            note(String(format: "round %d (b) generate, 1 process: %9.0f records/s", round, one.last ?? 0))
            two.append(try withTopic("bench-two-\(stamp)", admin: admin) { try generate(topic: $0, bootstrap: bootstrap, processes: 2) })
            note(String(format: "round %d (c) generate, 2 processes: %7.0f records/s", round, two.last ?? 0))
        }
        print("| run | records/s (median of \(rounds)) | all rounds |")
        print("|---|---|---|")
        for (name, values) in [("(a) raw client, pre-built events", raw), ("(b) generate, 1 process", one), ("(c) generate, 2 processes", two)] {
            print("| \(name) | \(Int(Spread(values).median.rounded())) | \(values.map { String(Int($0.rounded())) }.joined(separator: ", ")) |")
        }
        print(String(format: "ratio b/a: %.3f (median of the rounds' ratios: %.3f)", Spread(one).median / Spread(raw).median, Spread(ratiosOf: Spread(one), to: Spread(raw)).median))

        if accuracyRps > 0 {
            let summary = try withTopic("bench-accuracy-\(Int(Date().timeIntervalSince1970))", admin: admin) { topic in
                try runGenerate(
                    topic: topic, bootstrap: bootstrap,
                    arguments: ["--processes", "2", "--rps", String(accuracyRps), "--duration", accuracyDuration])
            }
            let target = Double(summary.targetRate)
            print(String(
                format: "accuracy: 2 x %d records/s for %@: achieved %.1f records/s (%+.3f%% of target), schedule lag p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                accuracyRps, accuracyDuration, summary.achievedRate, (summary.achievedRate - target) / target * 100,
                summary.scheduleLag.p50Ms, summary.scheduleLag.p99Ms, summary.scheduleLag.maxMs))
        }
    }

    /// Creates `topic` (4 partitions), runs `body`, and deletes the topic, which frees the embedded broker's memory.
    private func withTopic<R>(_ topic: String, admin: KafkaAdmin, _ body: (String) throws -> R) throws -> R {
        try admin.createTopic(topic, partitions: 4)
        defer { try? admin.deleteTopic(topic) }
        return try body(topic)
    }

    /// (b) and (c): `windtunnel generate` unthrottled, `count` records in all.
    private func generate(topic: String, bootstrap: String, processes: Int) throws -> Double {
        try withScratchFolder { try GenerateRun(executable: Run.ownExecutable, brokers: bootstrap, properties: try ClientProperties.resolvedTexts(properties), folder: $0).unthrottled(topic: topic, processes: processes, count: count) }
    }

    /// Runs `windtunnel generate` with a manifest in a temporary folder and returns its summary.
    private func runGenerate(topic: String, bootstrap: String, arguments: [String]) throws -> GenerationSummary {
        try withScratchFolder { try GenerateRun(executable: Run.ownExecutable, brokers: bootstrap, properties: try ClientProperties.resolvedTexts(properties), folder: $0).run(topic: topic, arguments: arguments) }
    }

    private func withScratchFolder<R>(_ body: (String) throws -> R) throws -> R {
        let folder = NSTemporaryDirectory() + "windtunnel-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            return try body(folder)
        } catch let error as BenchmarkError {
            throw fail(error.message)
        }
    }
}
