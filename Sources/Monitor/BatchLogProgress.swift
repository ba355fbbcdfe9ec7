import Contracts

/// A detector's progress as its batch log tells it: where each partition's reading stands, the newest
/// watermark, the newest batch's duration. The progress of detectors that commit no offsets, such as Spark, and
/// the watermark and batch durations of those that do.
struct BatchLogProgress {
    private var tail: FileTail
    private(set) var endOffsets: [Int32: Int64] = [:]
    private(set) var instances: [String] = []
    private(set) var watermarkMs: Int64?
    private(set) var lastBatchMs: Int64?
    /// When the newest batch ended, ms since the epoch.
    private(set) var lastEndedAt: Int64?
    private var batchIds: Set<Int64> = []

    init(path: String) {
        tail = FileTail(path: path)
    }

    var batches: Int { batchIds.count }

    mutating func refresh() {
        let (lines, restarted) = tail.newLines()
        if restarted {
            batchIds.removeAll()
            endOffsets.removeAll()
        }
        for line in lines {
            guard let entry = try? BatchLogEntry(jsonLine: line) else { continue }
            batchIds.insert(entry.batch)
            for (partition, offset) in entry.endOffsets { endOffsets[partition] = max(endOffsets[partition] ?? 0, offset) }
            if !instances.contains(entry.instance) { instances.append(entry.instance) }
            watermarkMs = entry.evictionWatermarkMs
            lastBatchMs = entry.endedAt - entry.startedAt
            lastEndedAt = entry.endedAt
        }
    }
}
