import Foundation

/// One line of a detector's batch log (DESIGN.md, "Batch log"): what a micro-batch read and which
/// watermarks it used. Batch n covers the offsets after batch n-1's end offsets up to its own.
public struct BatchLogEntry: Sendable, JSONLineCoding, Equatable {
    /// The micro-batch id; a line written again for the same id after a restart replaces the earlier one.
    public var batch: Int64
    /// The watermark that decided which rows of this batch were too late (the previous batch's eviction watermark).
    public var lateWatermarkMs: Int64
    /// The watermark after this batch, used to evict state and, in append mode, to emit.
    public var evictionWatermarkMs: Int64
    /// Per partition, the next offset to read after this batch.
    public var endOffsets: [Int32: Int64]
    /// When the batch started, epoch milliseconds.
    public var startedAt: Int64
    /// When the batch ended, epoch milliseconds.
    public var endedAt: Int64
    /// Which detector instance wrote the line.
    public var instance: String
    /// The partitions this instance owned during the batch, when known.
    public var partitions: [Int32]?

    public init(
        batch: Int64, lateWatermarkMs: Int64, evictionWatermarkMs: Int64, endOffsets: [Int32: Int64],
        startedAt: Int64, endedAt: Int64, instance: String, partitions: [Int32]? = nil
    ) {
        self.batch = batch
        self.lateWatermarkMs = lateWatermarkMs
        self.evictionWatermarkMs = evictionWatermarkMs
        self.endOffsets = endOffsets
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.instance = instance
        self.partitions = partitions
    }

    enum CodingKeys: String, CodingKey {
        case batch
        case lateWatermarkMs = "late_watermark_ms"
        case evictionWatermarkMs = "eviction_watermark_ms"
        case endOffsets = "end_offsets"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case instance
        case partitions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        batch = try container.decode(Int64.self, forKey: .batch)
        lateWatermarkMs = try container.decode(Int64.self, forKey: .lateWatermarkMs)
        evictionWatermarkMs = try container.decode(Int64.self, forKey: .evictionWatermarkMs)
        endOffsets = try container.decodePartitionFigures(forKey: .endOffsets)
        startedAt = try container.decode(Int64.self, forKey: .startedAt)
        endedAt = try container.decode(Int64.self, forKey: .endedAt)
        instance = try container.decode(String.self, forKey: .instance)
        partitions = try container.decodeIfPresent([Int32].self, forKey: .partitions)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(batch, forKey: .batch)
        try container.encode(lateWatermarkMs, forKey: .lateWatermarkMs)
        try container.encode(evictionWatermarkMs, forKey: .evictionWatermarkMs)
        try container.encodePartitionFigures(endOffsets, forKey: .endOffsets)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(instance, forKey: .instance)
        try container.encodeIfPresent(partitions, forKey: .partitions)
    }
}
