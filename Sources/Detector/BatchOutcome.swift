import Contracts

/// The watermarks one micro-batch runs with (the batch log's `late_watermark_ms` and `eviction_watermark_ms`).
public struct BatchWatermarks: Sendable, Equatable {
    /// The batch id: 0, 1, 2, ...
    public var batch: Int64
    /// Rows whose window ends at or before this are dropped: the previous batch's eviction watermark.
    public var lateWatermarkMs: Int64
    /// Windows ending at or before this are evicted (and in append mode emitted) when the batch ends;
    /// Spark's `eventTime.watermark` of the batch.
    public var evictionWatermarkMs: Int64
}

/// What ending a batch produced.
public struct BatchOutcome: Sendable, Equatable {
    /// The batch and the watermarks it ran with.
    public var watermarks: BatchWatermarks
    /// The alerts to emit, ordered by window start, then user id.
    public var alerts: [AlertRecord]
}

/// What `WindowEngine.ingest` did with one record value.
public enum IngestOutcome: Sendable, Equatable {
    /// A matching event, counted in its window.
    case counted
    /// A matching event whose window had already ended at or before the late-row watermark.
    case lateDropped
    /// An event that does not match the rule.
    case notMatching
    /// Not an event.
    case malformed(MalformedKind)
}
