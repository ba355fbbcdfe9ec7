import Contracts
import Foundation
import Kafka

/// Where the monitor reads a detector's alert records, as `--alerts` names it: `jsonl:PATH` or `kafka:TOPIC`.
public enum AlertRecordSource: Sendable, Equatable {
    /// A JSON Lines file a detector appends to.
    case jsonLines(path: String)
    /// A Kafka topic with one alert record per record value.
    case kafka(topic: String)

    /// Reads `jsonl:PATH` or `kafka:TOPIC`; nil for anything else (the validator's CSV and Spark console
    /// captures are not followed live).
    public init?(parsing text: String) {
        if text.hasPrefix("jsonl:"), text.count > 6 {
            self = .jsonLines(path: String(text.dropFirst(6)))
        } else if text.hasPrefix("kafka:"), text.count > 6 {
            self = .kafka(topic: String(text.dropFirst(6)))
        } else {
            return nil
        }
    }
}

/// The alerts the watched detectors write, from JSON Lines files and Kafka topics: alert records counted, and
/// the (window, user) pairs alerted, by window start.
///
/// A file that is cut back (a detector restarted from its checkpoint and writes again from there) has its
/// records counted anew; the pairs it alerted stay, since a restarted detector emits them again.
final class AlertWatch {
    private var files: [FileTail]
    private var fileCounts: [Int64]
    private var topics: [AlertTopicReader]
    /// Alert records read from the topics so far.
    private var topicAlerts: Int64 = 0
    /// Lines and records that are no alert record: counted apart, never as alerts.
    private(set) var unreadable: Int64 = 0
    private var usersByWindow: [Int64: Set<String>] = [:]
    private var changedWindows: Set<Int64> = []
    private var written = RateSeries()

    init(sources: [AlertRecordSource], client: ClientSettings) throws(KafkaError) {
        files = []
        topics = []
        for source in sources {
            switch source {
            case .jsonLines(let path): files.append(FileTail(path: path))
            case .kafka(let topic): topics.append(try AlertTopicReader(topic: topic, client: client))
            }
        }
        fileCounts = Array(repeating: 0, count: files.count)
    }

    /// Whether any source is watched.
    var isEmpty: Bool { files.isEmpty && topics.isEmpty }

    /// Alert records written so far.
    var total: Int64 { written.total ?? 0 }

    /// Alert records written per second.
    var rate: Double? { written.rate() }

    /// Reads what every source gained since the last call.
    func refresh(nowMs: Int64) throws(KafkaError) {
        for index in files.indices {
            let (lines, restarted) = files[index].newLines()
            if restarted { fileCounts[index] = 0 }
            for line in lines {
                if note(try? AlertRecord(jsonLine: line)) { fileCounts[index] += 1 }
            }
        }
        for reader in topics {
            try reader.read(nowMs: nowMs) { value in
                if note(try? AlertRecord(jsonLine: String(decoding: value, as: UTF8.self))) { topicAlerts += 1 }
            }
        }
        written.add(atMs: nowMs, total: fileCounts.reduce(0, +) + topicAlerts)
    }

    /// The (window, user) pairs alerted so far in each window that gained one since the last call.
    func takeChangedWindows() -> [WindowAlerts] {
        defer { changedWindows.removeAll() }
        return changedWindows.sorted().map { WindowAlerts(windowStart: $0, alerts: usersByWindow[$0]?.count ?? 0) }
    }

    /// Notes an alert record; returns false (and counts it unreadable) for one that is not.
    private func note(_ alert: AlertRecord?) -> Bool {
        guard let alert else {
            unreadable += 1
            return false
        }
        if usersByWindow[alert.windowStart, default: []].insert(alert.userId).inserted { changedWindows.insert(alert.windowStart) }
        return true
    }
}

/// An alert topic read from its start as it grows, every partition, with gaps in the offsets fetched again
/// (`ContiguousReading`), so that no alert is counted twice or missed.
final class AlertTopicReader {
    let topic: String
    private let consumer: KafkaConsumer
    private let admin: KafkaAdmin
    private var reading = ContiguousReading()
    private var assigned: [Int32] = []
    private var partitionsCheckedMs: Int64?

    init(topic: String, client: ClientSettings) throws(KafkaError) {
        self.topic = topic
        // librdkafka's consumer needs a group id even to assign partitions by hand; this one never joins or
        // commits, so a fresh name leaves no trace on the cluster.
        let group = "windtunnel-monitor-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64(Date().timeIntervalSince1970 * 1_000))"
        var configuration = ConsumerConfiguration(client: client, groupID: group)
        // Alerts come a few hundred a second at most; the default prefetch is sized for the event stream.
        configuration.queuedMinMessages = 10_000
        consumer = try KafkaConsumer(configuration: configuration)
        admin = try KafkaAdmin(client: client)
    }

    /// Lends every record that arrived since the last call to `body`; looks for new partitions (the topic
    /// may not exist before the first alert) every 10 s.
    func read(nowMs: Int64, _ body: (UnsafeRawBufferPointer) -> Void) throws(KafkaError) {
        if partitionsCheckedMs.map({ nowMs - $0 > 10_000 }) ?? true {
            partitionsCheckedMs = nowMs
            let partitions = try admin.partitions(of: topic) ?? []
            if partitions != assigned {
                // Partitions read already go on where they were, new ones start at 0 (see `TopicOpening.read`).
                try consumer.assign(partitions.map { TopicPartition(topic: topic, partition: $0, offset: reading.nextOffset(of: $0)) })
                assigned = partitions
            }
        }
        guard !assigned.isEmpty else { return }
        while true {
            let outcome: KafkaConsumer.BatchOutcome
            do {
                outcome = try consumer.consumeBatch(maxRecords: 10_000, timeoutMs: 0) { record in
                    guard reading.admit(partition: record.partition, offset: record.offset) else { return }
                    body(record.value)
                }
            } catch {
                // The body throws nothing, so what comes is librdkafka's.
                throw (error as? KafkaError) ?? KafkaError(kind: .consume, message: "reading alerts from \(topic): \(error)")
            }
            try consumer.seek(reading.takeMoves(topic: topic))
            if outcome.records == 0 { return }
        }
    }
}
