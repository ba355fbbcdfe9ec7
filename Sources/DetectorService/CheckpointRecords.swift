import Foundation

/// What an instance has made durable after a batch: the engine's whole state, where each partition it
/// holds is read to, and how long its output files were, so that a restart can cut them back.
struct Checkpoint: Codable, Equatable {
    /// The topic read (a checkpoint of another topic is refused).
    var topic: String
    /// The engine snapshot (it carries the next batch id, watermarks and totals).
    var engine: Data
    /// Per partition held, the next offset to read.
    var offsets: [Int32: Int64]
    /// Per JSON Lines alert file, its length after the batch.
    var alertFileLengths: [String: Int64]
    /// The batch log's length after the batch.
    var batchLogLength: Int64?

    enum CodingKeys: String, CodingKey {
        case topic, engine, offsets
        case alertFileLengths = "alert_file_lengths"
        case batchLogLength = "batch_log_length"
    }
}

/// The offset log's one entry: a batch's end offsets, made durable before the batch writes anything, so
/// that after a crash the same batch is run again over exactly the same records (Spark's `offsets/` folder).
struct PlannedBatch: Codable, Equatable {
    var batch: Int64
    /// Per partition owned, the next offset after the batch.
    var endOffsets: [Int32: Int64]
    /// When the batch started, epoch milliseconds.
    var startedAt: Int64

    enum CodingKeys: String, CodingKey {
        case batch
        case endOffsets = "end_offsets"
        case startedAt = "started_at"
    }
}

/// A partition's state handed from the instance that gave it up to the one that takes it over.
struct PartitionHandoff: Codable, Equatable {
    var topic: String
    var partition: Int32
    /// The next offset to read: the state holds everything before it.
    var nextOffset: Int64
    /// The engine's partition snapshot.
    var state: Data
    /// The instance that wrote it.
    var instance: String
    /// The giver's next batch id: the taker's batches go on from at least here.
    var nextBatch: Int64

    enum CodingKeys: String, CodingKey {
        case topic, partition, state, instance
        case nextOffset = "next_offset"
        case nextBatch = "next_batch"
    }
}
