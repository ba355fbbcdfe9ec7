import Foundation
import Kafka

/// The librdkafka client's own rates on a broker, with nothing of windtunnel's per-event work: the limits
/// that windtunnel's parts are divided by. Rates are records over the time from the first record to the last.
public enum ClientLimits {
    /// Produces `count` pre-built events with the producer settings a generator worker uses and waits for
    /// every delivery report; records/s acknowledged.
    public static func produce(_ events: PrebuiltEvents, count: Int, topic: String, client: ClientSettings) throws -> Double {
        let producer = try KafkaProducer(configuration: producerConfiguration(client))
        var acknowledged = 0
        let tally: (DeliveryReport) -> Void = { if $0.isAcknowledged { acknowledged += 1 } }
        let start = Date()
        for index in 0..<count {
            while try events.withEvent(index % events.count, { key, value, headers in
                try producer.send(topic: topic, key: key, value: value, headers: headers, opaque: UInt64(index))
            }) == .queueFull {
                producer.pollDeliveryReports(timeoutMs: 1, tally)
            }
            if index & 1023 == 0 { producer.pollDeliveryReports(timeoutMs: 0, tally) }
        }
        try producer.flush(timeoutMs: 120_000, tally)
        guard acknowledged == count else {
            throw BenchmarkError("the client limit run: \(count - acknowledged) of \(count) records were not acknowledged")
        }
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// Reads `count` records of `topic` as a member of a new consumer group with the settings `detect` uses,
    /// only counting them; records/s from the first poll that returned records to the end of the last.
    public static func consume(topic: String, count: Int, client: ClientSettings, group: String) throws -> Double {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: group))
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        var records = 0
        var first: Date?
        var last = Date()
        let deadline = Date().addingTimeInterval(600)
        while records < count {
            guard Date() < deadline else { throw BenchmarkError("consuming \(topic): \(records) of \(count) records in 600 s") }
            let outcome = try consumer.consumeBatch(maxRecords: 10_000, timeoutMs: 100) { _ in records += 1 }
            if outcome.records > 0 {
                last = Date()
                first = first ?? last
            }
        }
        return Double(records) / last.timeIntervalSince(first ?? last)
    }

    /// The bare pipeline: the client producing pre-built events and, at the same time on another thread, a
    /// consumer reading them; records/s from the first send to the last record read.
    public static func pipeline(_ events: PrebuiltEvents, count: Int, topic: String, client: ClientSettings) throws -> Double {
        let reading = ConsumeInBackground(topic: topic, count: count, client: client)
        reading.start()
        // The consumer joins its group before the clock starts.
        Thread.sleep(forTimeInterval: 3)
        let start = Date()
        _ = try produce(events, count: count, topic: topic, client: client)
        let end = try reading.wait()
        return Double(count) / end.timeIntervalSince(start)
    }

    /// A generator worker's producer settings, with a queue large enough never to hold the sender back.
    static func producerConfiguration(_ client: ClientSettings) -> ProducerConfiguration {
        var configuration = ProducerConfiguration(client: client)
        configuration.queueMaxMessages = 1 << 18
        return configuration
    }
}

/// A consumer on a thread of its own that reads `count` records and notes when it read the last one.
private final class ConsumeInBackground: @unchecked Sendable {
    private let topic: String
    private let count: Int
    private let client: ClientSettings
    private let finished = DispatchSemaphore(value: 0)
    /// Written by the thread before it signals `finished`, read after the wait.
    private var outcome: Result<Date, any Error> = .failure(BenchmarkError("the consumer did not run"))

    init(topic: String, count: Int, client: ClientSettings) {
        self.topic = topic
        self.count = count
        self.client = client
    }

    func start() {
        let thread = Thread { [self] in
            outcome = Result { try read() }
            finished.signal()
        }
        thread.start()
    }

    func wait() throws -> Date {
        finished.wait()
        return try outcome.get()
    }

    private func read() throws -> Date {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "\(topic)-pipeline"))
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        // Done when every partition has been read to its end: the sum of the partitions' next offsets. Counting
        // records instead would wait forever for those Tansu skips when it is read while being written.
        var next = [Int64](repeating: 0, count: 64)
        var reached: Int64 = 0
        let deadline = Date().addingTimeInterval(600)
        while reached < Int64(count) {
            guard Date() < deadline else { throw BenchmarkError("the pipeline's consumer read to \(reached) of \(count) offsets in 600 s") }
            try consumer.consumeBatch(maxRecords: 10_000, timeoutMs: 100) { record in
                let partition = Int(record.partition)
                guard partition < next.count, record.offset + 1 > next[partition] else { return }
                reached += record.offset + 1 - next[partition]
                next[partition] = record.offset + 1
            }
        }
        return Date()
    }
}

/// A benchmark that could not be measured, with the reason.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
