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
    /// Per partition id, the next offset expected.
    private var next: [Int64] = []

    /// Reading starts at 0 in every partition. A partition's first record does not set its start: Tansu now
    /// and then starts a partition read "from the beginning" at a later offset (its ListOffsets(EARLIEST)
    /// names one), and a reader that started there would lack the records before it for good.
    public init() {}

    /// Whether to take the record at `offset` of `partition`; a taken record moves the partition's next
    /// expected offset past it.
    public mutating func admit(partition: Int32, offset: Int64) -> Bool {
        let index = Int(partition)
        guard index >= 0 else { return false }
        if index >= next.count { next += Array(repeating: 0, count: index + 1 - next.count) }
        let expected = next[index]
        guard offset >= expected else { return false }
        if offset > expected, gaps.check(partition: partition, offset: offset, expected: expected) == .fetchAgain { return false }
        next[index] = offset + 1
        return true
    }

    /// The next offset expected of `partition`.
    public func nextOffset(of partition: Int32) -> Int64 {
        let index = Int(partition)
        guard index >= 0, index < next.count else { return 0 }
        return next[index]
    }

    /// The partitions to move back to their gap's start, cleared; pass them to `KafkaConsumer.seek`.
    public mutating func takeMoves(topic: String) -> [TopicPartition] {
        gaps.takeMoves(topic: topic)
    }
}
