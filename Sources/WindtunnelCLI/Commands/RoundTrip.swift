import ArgumentParser
import EmbeddedBroker
import Foundation
import Kafka

/// `windtunnel roundtrip`: the raw client's limit on this machine: produce pre-built log events and consume
/// them back with a consumer group, counting every record, on the embedded broker or given brokers.
struct RoundTrip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip",
        abstract: "Produce pre-built log events and consume them back, checking counts and printing rates.",
        discussion: """
            Without --brokers, starts an embedded Tansu broker on a free port and stops it afterwards. The \
            events are built before timing starts, so the rates are librdkafka's and the broker's, not ours.
            """
    )

    @Option(help: "Number of events.")
    var count: Int = 100_000

    @Option(help: "Partitions of the topic.")
    var partitions: Int = 4

    @Option(help: "Bootstrap brokers; without it an embedded broker is started.")
    var brokers: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("A librdkafka property, key=value.", valueName: "key=value"))
    var properties: [String] = []

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1, not \(count)") }
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1, not \(partitions)") }
    }

    func run() throws {
        var broker: TansuBroker?
        do {
            let settings: ClientSettings
            if let brokers {
                settings = ClientSettings(brokers: brokers, properties: try ClientProperties.resolve(properties))
            } else {
                let started = try TansuBroker.start()
                broker = started
                note("embedded broker on \(started.bootstrap)")
                settings = ClientSettings(brokers: started.bootstrap, properties: try ClientProperties.resolve(properties))
            }
            defer { broker?.stop() }
            try measure(settings)
        } catch let error as BrokerError {
            throw fail(error.message)
        } catch let error as KafkaError {
            throw fail(error.message)
        }
    }

    private func measure(_ settings: ClientSettings) throws {
        let topic = "roundtrip-\(Int(Date().timeIntervalSince1970 * 1000))"
        try KafkaAdmin(client: settings).createTopic(topic, partitions: partitions)
        let events = PrebuiltEvents(count: min(count, 100_000))

        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: settings))
        var acknowledged = 0
        var failed = 0
        let tally: (DeliveryReport) -> Void = { report in
            if report.isAcknowledged { acknowledged += 1 } else { failed += 1 }
        }
        let produceStart = Date()
        for index in 0..<count {
            let event = index % events.count
            while try events.withEvent(event, { key, value in
                try producer.send(topic: topic, key: key, value: value, opaque: UInt64(index))
            }) == .queueFull {
                producer.pollDeliveryReports(timeoutMs: 5, tally)
            }
            if index & 1023 == 0 { producer.pollDeliveryReports(timeoutMs: 0, tally) }
        }
        try producer.flush(timeoutMs: 120_000, tally)
        let produceSeconds = Date().timeIntervalSince(produceStart)
        print(String(format: "produced %d events (%d acknowledged, %d failed) in %.2f s: %.0f events/s",
                     count, acknowledged, failed, produceSeconds, Double(count) / produceSeconds))

        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: settings, groupID: "\(topic)-reader"))
        try consumer.subscribe(topics: [topic])
        var consumed = 0
        var bytes = 0
        var firstRecordAt: Date?
        let deadline = Date().addingTimeInterval(120)
        while consumed < acknowledged && Date() < deadline {
            try consumer.consumeBatch(timeoutMs: 200) { record in
                if firstRecordAt == nil { firstRecordAt = Date() }
                consumed += 1
                bytes += record.value.count
            }
        }
        consumer.close()
        let consumeSeconds = Date().timeIntervalSince(firstRecordAt ?? Date())
        print(String(format: "consumed %d events (%.1f MB) in %.2f s after the group join: %.0f events/s",
                     consumed, Double(bytes) / 1e6, consumeSeconds, Double(consumed) / max(consumeSeconds, 1e-9)))
        try? KafkaAdmin(client: settings).deleteTopic(topic)
        guard consumed == acknowledged, failed == 0 else {
            throw fail("\(acknowledged) events were acknowledged, \(failed) failed, and \(consumed) were consumed back")
        }
        print("round trip complete: every acknowledged event was consumed back")
    }
}

/// Log events rendered once before timing, in the event schema, ~180 bytes each.
private struct PrebuiltEvents {
    private var keys: [[UInt8]] = []
    private var values: [[UInt8]] = []

    init(count: Int) {
        let severities = ["Low", "Medium", "High", "Critical"]
        let contents = ["GET /api/orders 200 in 35ms", "user login succeeded", "app crash in renderer", "cache miss for session"]
        for index in 0..<count {
            let user = "user_\(1000 + index % 1000)"
            keys.append(Array(user.utf8))
            let value = "{\"timestamp\": \(1_769_000_000_000 + Int64(index)), \"status\": \"OK\", "
                + "\"severity\": \"\(severities[index % 4])\", \"source_ip\": \"10.1.\(index % 250).\(index % 199)\", "
                + "\"user_id\": \"\(user)\", \"content\": \"\(contents[index % contents.count])\"}"
            values.append(Array(value.utf8))
        }
    }

    var count: Int { values.count }

    func withEvent<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try keys[index].withUnsafeBytes { key in try values[index].withUnsafeBytes { value in try body(key, value) } }
    }
}
