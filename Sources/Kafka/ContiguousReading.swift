/// A reader's next expected offset per partition, with gaps fetched again through `GapRefetch`: the
/// bookkeeping of a reader that must see every record of its partitions exactly once, in order.
///
/// `admit` answers, per record, whether to take it: records before the next expected offset (prefetched before
/// a move back) are not, nor are records beyond a gap until the gap has been fetched again. Pass
/// `takeMoves` to `KafkaConsumer.seek` after every consumed batch. Partitions are indexed by id, so the
/// per-record work is an array lookup.
public struct ContiguousReading: Sendable {
    /// The gaps met, fetched again and accepted.
    private var gaps = GapRefetch()
    /// Where a partition's reading starts: nil when its first record, whatever its offset, sets it (the
    /// earliest offset being the broker's to say).
    private let start: Int64?
    /// Per partition id, the next offset expected; -1 until known.
    private var next: [Int64] = []

    public init(startingAt start: Int64? = 0) {
        self.start = start
    }

    /// Whether to take the record at `offset` of `partition`; a taken record moves the partition's next
    /// expected offset past it.
    public mutating func admit(partition: Int32, offset: Int64) -> Bool {
        let index = Int(partition)
        guard index >= 0 else { return false }
        if index >= next.count { next += Array(repeating: start ?? -1, count: index + 1 - next.count) }
        let expected = next[index]
        if expected >= 0 {
            guard offset >= expected else { return false }
            if offset > expected, gaps.check(partition: partition, offset: offset, expected: expected) == .fetchAgain { return false }
        }
        next[index] = offset + 1
        return true
    }

    /// The next offset expected of `partition`; nil before its first record when the start is not given.
    public func nextOffset(of partition: Int32) -> Int64? {
        let index = Int(partition)
        guard index >= 0, index < next.count else { return start }
        return next[index] >= 0 ? next[index] : nil
    }

    /// The partitions to move back to their gap's start, cleared; pass them to `KafkaConsumer.seek`.
    public mutating func takeMoves(topic: String) -> [TopicPartition] {
        gaps.takeMoves(topic: topic)
    }
}
