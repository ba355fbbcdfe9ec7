import ArgumentParser
import Benchmarks
import Contracts
import DetectorService
import EmbeddedBroker
import EventModel
import Foundation
import Kafka

/// `windtunnel bench detector`: how close `detect` comes to the client's own limit. Fills a topic with
/// synthesized events, then reads it twice with the same librdkafka consumer settings: once only counting
/// records (the limit), once with the detector's service (consume, parse, count, micro-batches, checkpoints).
struct DetectorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detector",
        abstract: "Compare detect's consume + parse + count rate with the same client consuming without parsing.",
        discussion: """
            Without --brokers, starts an embedded Tansu broker on a free port and stops it afterwards (Tansu keeps \
            about 200 bytes of memory per record). Rates count from the first poll that returned records to the \
            end of the last one, so group joins are not measured. Build with -c release to measure.
            """
    )

    @Option(help: "Number of events.")
    var count: Int = 2_000_000

    @Option(help: "Partitions of the topic.")
    var partitions: Int = 4

    @Option(help: "Rounds, each reading the topic once without parsing and once with detect, alternating.")
    var rounds: Int = 3

    @Flag(
        inversion: .prefixedNo,
        help: "Whether detect writes its batch log and checkpoint every batch, as a real run does (each fsyncs).")
    var checkpoints = true

    @Option(help: "Bootstrap brokers; without it an embedded broker is started.")
    var brokers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, key=value.", valueName: "key=value"))
    var properties: [String] = []

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1, not \(count)") }
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1, not \(partitions)") }
        guard rounds > 0 else { throw ValidationError("--rounds must be at least 1, not \(rounds)") }
    }

    func run() throws {
        var broker: TansuBroker?
        do {
            let properties = try ClientProperties.resolve(self.properties)
            let bootstrap: String
            if let brokers {
                bootstrap = brokers
            } else {
                let started = try TansuBroker.start()
                broker = started
                note("embedded broker on \(started.bootstrap)")
                bootstrap = started.bootstrap
            }
            defer { broker?.stop() }
            try measure(ClientSettings(brokers: bootstrap, properties: properties))
        } catch let error as BrokerError {
            throw fail(error.message)
        } catch let error as KafkaError {
            throw fail(error.message)
        } catch let error as DetectorError {
            throw fail(error.message)
        } catch let error as BenchmarkError {
            throw fail(error.message)
        }
    }

    private func measure(_ client: ClientSettings) throws {
        let topic = "bench-detector-\(Int(Date().timeIntervalSince1970 * 1000))"
        try KafkaAdmin(client: client).createTopic(topic, partitions: partitions)
        let bytes = try fill(topic, client: client)
        note("produced \(count) events (\(bytes / 1_000_000) MB) to \(topic)")

        // Alternating rounds, compared by their medians: on a shared machine one round alone says little.
        var raw: [Double] = []
        var detect: [Double] = []
        for round in 1...rounds {
            let limit = try consumeOnly(topic, client: client, round: round)
            print(String(format: "round %d consume only:                 %.0f records/s", round, limit))
            let detected = try detectAll(topic, client: client, round: round)
            print(String(format: "round %d detect (consume+parse+count): %.0f records/s", round, detected))
            raw.append(limit)
            detect.append(detected)
        }
        let rawMedian = Spread(raw).median
        let detectMedian = Spread(detect).median
        print(String(format: "median: consume only %.0f records/s, detect %.0f records/s, ratio %.2f", rawMedian, detectMedian, detectMedian / rawMedian))
        // A broker keeps what it is given; the embedded one keeps it in memory.
        try KafkaAdmin(client: client).deleteTopic(topic)
    }

    /// Writes `count` synthesized events (the generator's defaults: 1,000 users, 1 % carrying the term).
    private func fill(_ topic: String, client: ClientSettings) throws -> Int {
        let synthesizer = try EventSynthesizer(settings: GeneratorSettings(), worker: 0)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        let value = RecordBuffer()
        let key = RecordBuffer()
        var failed = 0
        var bytes = 0
        let tally: (DeliveryReport) -> Void = { if !$0.isAcknowledged { failed += 1 } }
        let start: Int64 = 1_769_000_000_000
        for index in 0..<count {
            _ = synthesizer.synthesize(
                sequence: UInt64(index), scheduledMs: start + Int64(index) / 10, carriesTerm: index % 100 == 0, value: value, key: key)
            bytes += value.count
            while try producer.send(topic: topic, key: key.bytes, value: value.bytes) == .queueFull {
                producer.pollDeliveryReports(timeoutMs: 5, tally)
            }
            if index & 1023 == 0 { producer.pollDeliveryReports(timeoutMs: 0, tally) }
        }
        try producer.flush(timeoutMs: 300_000, tally)
        guard failed == 0 else { throw DetectorError("\(failed) of \(count) benchmark events were not acknowledged") }
        return bytes
    }

    /// The limit: a group member with detect's consumer settings that only counts what it is lent.
    private func consumeOnly(_ topic: String, client: ClientSettings, round: Int) throws -> Double {
        try ClientLimits.consume(topic: topic, count: count, client: client, group: "\(topic)-consume-only-\(round)")
    }

    /// The detector's service over the same topic: 1 s micro-batches, with a batch log and checkpoints unless
    /// `--no-checkpoints`.
    private func detectAll(_ topic: String, client: ClientSettings, round: Int) throws -> Double {
        let folder = NSTemporaryDirectory() + "\(topic)-\(round)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var run = SwiftDetectorRun(client: client, folder: folder)
        run.checkpoints = checkpoints
        return try run.run(topic: topic, expected: count)
    }
}
