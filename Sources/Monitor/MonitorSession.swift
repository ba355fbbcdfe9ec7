import Foundation
import Kafka

/// Watches a topic and the consumers reading it, and turns each refresh into a `MonitorSnapshot`.
///
/// Input: the topic's partition ends and their growth, or, when the generator's stats log is given (during
/// `windtunnel run`), the generator's acknowledged records and their rate. Consumers: consumer groups by
/// their committed offsets, with the watermark and batch durations of their members' batch logs, and
/// detectors that commit nothing (Spark) by their batch logs alone.
///
/// A partition's end is the larger of two figures that are both at most the true end: the broker's
/// ListOffsets(LATEST) answer, which Tansu gives as the start of the partition's last record batch (short
/// by up to one batch, FACTS.md), and the generator's acknowledged end, up to a second old while it sends
/// and exact once it has finished, where it is the topic's only producer. Without the generator's figures,
/// lag on Tansu can therefore be short by up to one record batch per partition; rates are unaffected. (A fetch
/// response's high watermark is the true end on Tansu, but reading it takes a consumer fetching the whole
/// stream a second time.)
public final class MonitorSession {
    /// What to watch.
    public struct Settings: Sendable {
        public var client: ClientSettings
        public var topic: String
        /// Consumer groups, watched through their committed offsets.
        public var groups: [String] = []
        /// Per consumer group, the batch logs its members write: their watermark and batch durations join
        /// the group's figures instead of making consumers of their own.
        public var groupBatchLogs: [String: [String]] = [:]
        /// Batch logs (DESIGN.md) of detectors that commit no offsets, each one consumer.
        public var batchLogs: [String] = []
        /// Where the detectors' alert records are counted: JSON Lines files (one per detector instance) and
        /// Kafka topics, read from their start.
        public var alerts: [AlertRecordSource] = []
        /// The generator's stats log (`generate --stats-log`); nil: the input is the topic's growth.
        public var generatorStatsLog: String?
        public var judge = KeepingUpJudge()

        public init(client: ClientSettings, topic: String) {
            self.client = client
            self.topic = topic
        }
    }

    /// A group, its committed offsets' reader and its members' batch logs.
    private struct WatchedGroup {
        let name: String
        let consumer: KafkaConsumer
        var batchLogs: [BatchLogProgress]
    }

    public let settings: Settings
    private let reader: KafkaConsumer
    private let admin: KafkaAdmin
    private var groups: [WatchedGroup] = []
    private var batchLogs: [BatchLogProgress]
    private let alerts: AlertWatch
    private var generator: GeneratorProgress?
    private var partitions: [Int32] = []
    private var partitionsCheckedMs: Int64 = 0
    private var topicInput = RateSeries()
    private var processed: [String: RateSeries] = [:]
    private var samples: [String: [ProgressSample]] = [:]

    public init(settings: Settings) throws(KafkaError) {
        self.settings = settings
        reader = try KafkaConsumer(configuration: ConsumerConfiguration(client: settings.client))
        admin = try KafkaAdmin(client: settings.client)
        for group in settings.groups {
            groups.append(
                WatchedGroup(
                    name: group, consumer: try KafkaConsumer(configuration: ConsumerConfiguration(client: settings.client, groupID: group)),
                    batchLogs: (settings.groupBatchLogs[group] ?? []).map(BatchLogProgress.init(path:))))
        }
        batchLogs = settings.batchLogs.map(BatchLogProgress.init(path:))
        alerts = try AlertWatch(sources: settings.alerts, client: settings.client)
        generator = settings.generatorStatsLog.map(GeneratorProgress.init(path:))
    }

    /// Reads every source once and returns what they say now.
    public func refresh(nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1_000)) throws(KafkaError) -> MonitorSnapshot {
        if partitions.isEmpty || nowMs - partitionsCheckedMs > 10_000 {
            partitions = try admin.partitions(of: settings.topic) ?? []
            partitionsCheckedMs = nowMs
        }
        var ends: [Int32: Int64] = [:]
        for partition in partitions {
            ends[partition] = try reader.watermarkOffsets(topic: settings.topic, partition: partition).high
        }
        topicInput.add(atMs: nowMs, total: ends.values.reduce(0, +))
        generator?.refresh(nowMs: nowMs)
        // The generator's figures take over once they give a rate, so that the input never shows none between.
        let generatorRate = generator?.rate
        if let generator, generatorRate != nil {
            for (partition, end) in generator.partitionEnds { ends[partition] = max(ends[partition] ?? 0, end) }
        }
        var snapshot = MonitorSnapshot(
            atMs: nowMs, topic: settings.topic, arrived: ends.values.reduce(0, +), inputSource: generatorRate == nil ? "topic" : "generator")
        snapshot.inputRate = generatorRate ?? topicInput.rate()

        for index in groups.indices {
            let group = groups[index]
            let committed = try group.consumer.committed(partitions.map { TopicPartition(topic: settings.topic, partition: $0) })
            let offsets = Dictionary(committed.map { ($0.partition, max(0, $0.offset)) }, uniquingKeysWith: max)
            var consumer = status(name: group.name, source: "committed offsets", offsets: offsets, ends: ends, nowMs: nowMs)
            if !group.batchLogs.isEmpty {
                for log in groups[index].batchLogs.indices { groups[index].batchLogs[log].refresh() }
                Self.describeBatches(groups[index].batchLogs, in: &consumer)
            }
            snapshot.consumers.append(consumer)
        }
        for index in batchLogs.indices {
            batchLogs[index].refresh()
            let log = batchLogs[index]
            let name = log.instances.isEmpty ? settings.batchLogs[index] : log.instances.joined(separator: "+")
            var consumer = status(name: name, source: "batch log", offsets: log.endOffsets, ends: ends, nowMs: nowMs)
            Self.describeBatches([log], in: &consumer)
            snapshot.consumers.append(consumer)
        }
        if !alerts.isEmpty {
            try alerts.refresh(nowMs: nowMs)
            snapshot.alerts = alerts.total
            snapshot.alertRate = alerts.rate
            snapshot.unreadableAlerts = alerts.unreadable
            snapshot.alertsPerWindow = alerts.takeChangedWindows()
        }
        return snapshot
    }

    /// Members whose newest batch ended this long before the group's newest are left out of its watermark and
    /// batch duration: a removed or killed instance's log stops, and its old figures would hold them.
    static let staleMemberMs: Int64 = 60_000

    /// The watermark and newest batch duration of one consumer's batch logs (several for a group whose members
    /// each write one): the lowest watermark, since the slowest member holds the output back, and the longest
    /// newest batch, among the members still logging.
    static func describeBatches(_ logs: [BatchLogProgress], in consumer: inout ConsumerStatus) {
        let logging = logs.filter { $0.lastEndedAt != nil }
        guard let newest = logging.compactMap(\.lastEndedAt).max() else { return }
        let current = logging.filter { ($0.lastEndedAt ?? 0) >= newest - staleMemberMs }
        consumer.watermarkMs = current.compactMap(\.watermarkMs).min()
        consumer.lastBatchMs = current.compactMap(\.lastBatchMs).max()
        consumer.batches = logs.map(\.batches).reduce(0, +)
    }

    private func status(name: String, source: String, offsets: [Int32: Int64], ends: [Int32: Int64], nowMs: Int64) -> ConsumerStatus {
        var lag: [Int32: Int64] = [:]
        for (partition, end) in ends { lag[partition] = max(0, end - (offsets[partition] ?? 0)) }
        let total = offsets.values.reduce(0, +)
        let key = "\(source):\(name)"
        var series = processed[key, default: RateSeries()]
        series.add(atMs: nowMs, total: total)
        processed[key] = series
        var history = samples[key, default: []]
        history.append(ProgressSample(atMs: nowMs, arrived: ends.values.reduce(0, +), processed: total))
        history.removeAll { $0.atMs < nowMs - 60_000 }
        samples[key] = history
        var consumer = ConsumerStatus(
            name: name, source: source, processed: total, lagByPartition: lag, verdict: settings.judge.judge(history))
        consumer.processingRate = series.rate()
        return consumer
    }
}
