import Contracts
import Foundation

/// Everything the monitor shows at one moment. Built by `MonitorSession`, rendered by `MonitorView` and
/// `MetricsExposition`.
public struct MonitorSnapshot: Sendable, Equatable, Encodable {
    /// When, ms since the epoch.
    public var atMs: Int64
    public var topic: String
    /// Records in the topic (or acknowledged to the generator).
    public var arrived: Int64
    /// Input records per second.
    public var inputRate: Double?
    /// Where the input figures come from: `topic` (its growth) or `generator` (its acknowledgements).
    public var inputSource: String
    public var consumers: [ConsumerStatus]
    /// Alert records written so far, when an alert file is watched.
    public var alerts: Int64?
    public var alertRate: Double?
    /// Lines of the watched alert files (and records of alert topics) that are no alert record.
    public var unreadableAlerts: Int64 = 0
    /// The (window, user) pairs alerted so far in each window that gained one since the previous snapshot,
    /// when alerts are watched; a window's last figure is its count.
    public var alertsPerWindow: [WindowAlerts]?
    /// Resident memory of the watched processes, kB, by name (`detector-0`), when the watcher knows them.
    public var residentKB: [String: Int64]?

    public init(atMs: Int64, topic: String, arrived: Int64, inputSource: String) {
        self.atMs = atMs
        self.topic = topic
        self.arrived = arrived
        self.inputSource = inputSource
        self.consumers = []
    }
}

/// The (window, user) pairs alerted in one window so far: alerts as DESIGN.md counts them, so an update-mode
/// detector's repeated emissions of a pair count once.
public struct WindowAlerts: Sendable, Equatable, Encodable {
    /// The window's start, ms since the epoch.
    public var windowStart: Int64
    public var alerts: Int

    public init(windowStart: Int64, alerts: Int) {
        self.windowStart = windowStart
        self.alerts = alerts
    }
}

/// One consumer (a consumer group, or a detector known by its batch log) at one moment.
public struct ConsumerStatus: Sendable, Equatable, Encodable {
    /// The group id, or the batch log's instance names.
    public var name: String
    /// `committed offsets` or `batch log`.
    public var source: String
    /// Records processed so far.
    public var processed: Int64
    public var processingRate: Double?
    /// Per partition, records waiting.
    public var lagByPartition: [Int32: Int64]
    public var verdict: KeepingUp
    /// The eviction watermark of the newest batch, ms since the epoch (batch logs only).
    public var watermarkMs: Int64?
    /// The newest batch's duration, ms (batch logs only).
    public var lastBatchMs: Int64?
    /// Batches so far (batch logs only).
    public var batches: Int?

    public init(name: String, source: String, processed: Int64, lagByPartition: [Int32: Int64], verdict: KeepingUp) {
        self.name = name
        self.source = source
        self.processed = processed
        self.lagByPartition = lagByPartition
        self.verdict = verdict
    }

    /// Records waiting, over all partitions.
    public var lag: Int64 { lagByPartition.values.reduce(0, +) }

    private enum CodingKeys: String, CodingKey {
        case name, source, processed, processingRate, lag, lagByPartition, verdict, watermarkMs, lastBatchMs, batches
    }

    /// Partitions are written as object keys (`{"0": 12}`), as in the batch log, rather than the flat array
    /// that JSONEncoder makes of integer-keyed dictionaries.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(source, forKey: .source)
        try container.encode(processed, forKey: .processed)
        try container.encodeIfPresent(processingRate, forKey: .processingRate)
        try container.encode(lag, forKey: .lag)
        try container.encodePartitionFigures(lagByPartition, forKey: .lagByPartition)
        try container.encode(verdict, forKey: .verdict)
        try container.encodeIfPresent(watermarkMs, forKey: .watermarkMs)
        try container.encodeIfPresent(lastBatchMs, forKey: .lastBatchMs)
        try container.encodeIfPresent(batches, forKey: .batches)
    }
}

extension MonitorSnapshot {
    /// One JSON line (snake_case keys), as `windtunnel run` records it in `monitor.jsonl` for the report's
    /// time series.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
