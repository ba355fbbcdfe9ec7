import Contracts

/// A batch log read as a plan of which batch read which record.
///
/// Lines are grouped by instance; a batch id written again replaces the earlier line (the last one wins).
/// Each instance's batches are ordered by id. A record at offset `o` of partition `p` belongs to the batch
/// with the smallest end offset for `p` above `o`, over all instances, the earlier batch first on ties:
/// for one instance this is exactly "batch n covers the offsets after batch n-1's end offsets up to its
/// own", and when a partition moves to another instance, reading resumes where the last owner stopped.
struct BatchPlan: Sendable {
    /// One logged batch.
    struct Batch: Sendable {
        let instance: Int
        let entry: BatchLogEntry
        var id: Int64 { entry.batch }
    }

    /// Instance names, sorted.
    let instances: [String]
    /// All batches: by instance, then by id. A record's batch is an index into this array.
    let batches: [Batch]
    /// For each instance, its range in `batches`.
    let instanceBatches: [Range<Int>]
    /// Per partition, (end offset, batch index), sorted.
    private let partitionEnds: [Int32: [(end: Int64, batch: Int)]]

    init(_ entries: [BatchLogEntry]) throws(SetupError) {
        guard !entries.isEmpty else { throw SetupError("the batch log has no lines") }
        var latest: [String: [Int64: BatchLogEntry]] = [:]
        for entry in entries {
            guard entry.batch >= 0 else {
                throw SetupError("batch log: batch \(entry.batch) of instance '\(entry.instance)' has a negative id")
            }
            for (partition, end) in entry.endOffsets where partition < 0 || end < 0 {
                throw SetupError(
                    "batch log: batch \(entry.batch) of instance '\(entry.instance)' has end offset \(end) for partition \(partition); both must be non-negative")
            }
            latest[entry.instance, default: [:]][entry.batch] = entry
        }
        instances = latest.keys.sorted()
        var batches: [Batch] = []
        var ranges: [Range<Int>] = []
        for (instance, name) in instances.enumerated() {
            let first = batches.count
            for entry in (latest[name] ?? [:]).values.sorted(by: { $0.batch < $1.batch }) {
                batches.append(Batch(instance: instance, entry: entry))
            }
            ranges.append(first..<batches.count)
        }
        var ends: [Int32: [(end: Int64, batch: Int)]] = [:]
        for (index, batch) in batches.enumerated() {
            for (partition, end) in batch.entry.endOffsets {
                ends[partition, default: []].append((end, index))
            }
        }
        for partition in ends.keys {
            ends[partition]?.sort { $0.end != $1.end ? $0.end < $1.end : $0.batch < $1.batch }
        }
        self.batches = batches
        instanceBatches = ranges
        partitionEnds = ends
    }

    /// The index of the batch that read `offset` of `partition`, or nil when no logged batch reached it.
    func batch(partition: Int32, offset: Int64) -> Int? {
        guard let ends = partitionEnds[partition] else { return nil }
        var low = 0
        var high = ends.count
        while low < high {
            let middle = (low + high) / 2
            if ends[middle].end > offset { high = middle } else { low = middle + 1 }
        }
        return low < ends.count ? ends[low].batch : nil
    }
}
