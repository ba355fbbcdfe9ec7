import Foundation
import Kafka

/// The librdkafka client's own rates on a broker, with nothing of windtunnel's per-event work: the limits
/// that windtunnel's parts are divided by. Rates are records over the time from the first record to the last.
public enum ClientLimits {
    /// Produces `count` pre-built events with the producer settings a generator worker uses and waits for
    /// every delivery report; records/s acknowledged.
    public static func produce(_ events: PrebuiltEvents, count: Int, topic: String, client: ClientSettings) throws -> Double {
        try produce([events], count: count, topic: topic, client: client)
    }

    /// Produces `count` pre-built events from one producer per element of `events` (each on a thread of its
    /// own, sending an equal share, as generator workers do in processes of their own) and waits for every
    /// delivery report; records/s acknowledged, from the common start to the last producer's end. Each
    /// producer has connected and the topic's metadata has been fetched before the clock starts, as a
    /// generator worker does before its start barrier.
    public static func produce(_ events: [PrebuiltEvents], count: Int, topic: String, client: ClientSettings) throws -> Double {
        let share = count / events.count
        let senders = try events.enumerated().map { index, events in
            let producer = try KafkaProducer(configuration: producerConfiguration(client))
            try producer.prepare(topic: topic)
            return BackgroundRun { try sendAll(events, first: index * share, count: share, producer: producer, topic: topic) }
        }
        let start = Date()
        for sender in senders { sender.start() }
        let ends = try senders.map { try $0.wait() }
        return Double(share * events.count) / (ends.max() ?? start).timeIntervalSince(start)
    }

    /// Reads `count` records of `topic` as a member of a new consumer group with the settings `detect` uses,
    /// only counting them; records/s from the first poll that returned records to the end of the last.
    public static func consume(topic: String, count: Int, client: ClientSettings, group: String) throws -> Double {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: group))
        defer { consumer.close() }
        try consumer.subscribe(topics: [topic])
        // Each record counted once: a gap in a partition's offsets is fetched again, not counted short or
        // waited for forever.
        var reading = ContiguousReading()
        var records = 0
        var first: Date?
        var last = Date()
        let deadline = Date().addingTimeInterval(600)
        while records < count {
            guard Date() < deadline else { throw BenchmarkError("consuming \(topic): \(records) of \(count) records in 600 s") }
            let outcome = try consumer.consumeBatch(maxRecords: 10_000, timeoutMs: 100) { record in
                if reading.admit(partition: record.partition, offset: record.offset) { records += 1 }
            }
            try consumer.seek(reading.takeMoves(topic: topic))
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
        let reading = BackgroundRun { try readAll(topic: topic, count: count, client: client) }
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

/// Work on a thread of its own, started when asked, whose result (the time it ended) is waited for.
private final class BackgroundRun: @unchecked Sendable {
    // Unchecked: `work` runs only on the thread; `outcome` is written before `finished` is signalled and read
    // after the wait.
    private let work: () throws -> Date
    private let finished = DispatchSemaphore(value: 0)
    private var outcome: Result<Date, any Error> = .failure(BenchmarkError("the work did not run"))

    init(_ work: @escaping () throws -> Date) {
        self.work = work
    }

    func start() {
        let thread = Thread { [self] in
            outcome = Result { try work() }
            finished.signal()
        }
        thread.start()
    }

    func wait() throws -> Date {
        finished.wait()
        return try outcome.get()
    }
}

/// Sends events `first..<first + count` (modulo the set's size) and waits for their delivery reports; the
/// time the last one came.
private func sendAll(_ events: PrebuiltEvents, first: Int, count: Int, producer: KafkaProducer, topic: String) throws -> Date {
    var acknowledged = 0
    let tally: (DeliveryReport) -> Void = { if $0.isAcknowledged { acknowledged += 1 } }
    for index in first..<(first + count) {
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
    return Date()
}

/// Reads `count` records of `topic` in a group of its own; the time it read the last one.
private func readAll(topic: String, count: Int, client: ClientSettings) throws -> Date {
    let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "\(topic)-pipeline"))
    defer { consumer.close() }
    try consumer.subscribe(topics: [topic])
    var reading = ContiguousReading()
    var records = 0
    let deadline = Date().addingTimeInterval(600)
    while records < count {
        guard Date() < deadline else { throw BenchmarkError("the pipeline's consumer read \(records) of \(count) records in 600 s") }
        try consumer.consumeBatch(maxRecords: 10_000, timeoutMs: 100) { record in
            if reading.admit(partition: record.partition, offset: record.offset) { records += 1 }
        }
        try consumer.seek(reading.takeMoves(topic: topic))
    }
    return Date()
}

/// A benchmark that could not be measured, with the reason.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
