import Contracts

/// The generator's progress as its stats log tells it (`generate --stats-log`): where its acknowledged
/// records ended per partition, and how fast they came, on the generator's own clock.
///
/// The rate counts acknowledged records by where they landed (the sum of the partitions' acknowledged
/// ends), which grows on across the separate generator processes of a ramp's steps, where each process's
/// own count starts again at 0.
struct GeneratorProgress {
    /// After this long without a line the generator is taken to send nothing (between a ramp's steps, or
    /// done): its rate falls to 0 rather than keeping the last one.
    static let silenceMs: Int64 = 2_500

    private var tail: FileTail
    /// Per partition, one past the highest offset the generator saw acknowledged.
    private(set) var partitionEnds: [Int32: Int64] = [:]
    private var acknowledged = RateSeries()

    init(path: String) {
        tail = FileTail(path: path)
    }

    /// Acknowledged records per second; nil until the log has given two lines.
    var rate: Double? { acknowledged.rate() }

    /// Reads the lines written since the last call.
    mutating func refresh(nowMs: Int64) {
        for line in tail.newLines().lines {
            guard let entry = try? GeneratorStatsEntry(jsonLine: line) else { continue }
            for (partition, end) in entry.partitionEnds { partitionEnds[partition] = max(partitionEnds[partition] ?? 0, end) }
            acknowledged.add(atMs: entry.atMs, total: partitionEnds.values.reduce(0, +))
        }
        if let last = acknowledged.points.last, nowMs - last.atMs > Self.silenceMs {
            acknowledged.add(atMs: nowMs, total: last.total)
        }
    }
}
