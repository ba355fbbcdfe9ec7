import Foundation

/// One line of the generator's stats log (`generate --stats-log`): the figures of all its workers together,
/// once a second while they send and once more, final, when they have finished.
///
/// `windtunnel run` watches its input through it: the records the broker acknowledged, and where they landed.
/// Where the generator is a topic's only producer, its acknowledged ends are the partitions' true ends, which
/// Tansu's ListOffsets(LATEST) answer is not (it gives the start of the last record batch; FACTS.md).
public struct GeneratorStatsEntry: Sendable, JSONLineCoding, Equatable {
    /// When the figures were taken, epoch milliseconds.
    public var atMs: Int64
    /// Records handed to the producers so far, tail included.
    public var sent: UInt64
    /// Records the broker acknowledged so far.
    public var acknowledged: UInt64
    /// Per partition, one past the highest acknowledged offset.
    public var partitionEnds: [Int32: Int64]

    public init(atMs: Int64, sent: UInt64, acknowledged: UInt64, partitionEnds: [Int32: Int64]) {
        self.atMs = atMs
        self.sent = sent
        self.acknowledged = acknowledged
        self.partitionEnds = partitionEnds
    }

    enum CodingKeys: String, CodingKey {
        case atMs = "at_ms"
        case sent, acknowledged
        case partitionEnds = "partition_ends"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        atMs = try container.decode(Int64.self, forKey: .atMs)
        sent = try container.decode(UInt64.self, forKey: .sent)
        acknowledged = try container.decode(UInt64.self, forKey: .acknowledged)
        partitionEnds = try container.decodePartitionFigures(forKey: .partitionEnds)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(atMs, forKey: .atMs)
        try container.encode(sent, forKey: .sent)
        try container.encode(acknowledged, forKey: .acknowledged)
        try container.encodePartitionFigures(partitionEnds, forKey: .partitionEnds)
    }
}
