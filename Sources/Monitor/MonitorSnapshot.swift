/// Everything the monitor shows at one moment. Built by `MonitorSession`, rendered by `MonitorView` and
/// `MetricsExposition`.
public struct MonitorSnapshot: Sendable, Equatable {
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

    public init(atMs: Int64, topic: String, arrived: Int64, inputSource: String) {
        self.atMs = atMs
        self.topic = topic
        self.arrived = arrived
        self.inputSource = inputSource
        self.consumers = []
    }
}

/// One consumer (a consumer group, or a detector known by its batch log) at one moment.
public struct ConsumerStatus: Sendable, Equatable {
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
}
