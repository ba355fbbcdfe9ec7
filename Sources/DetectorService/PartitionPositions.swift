/// The partitions an instance owns and, for each, the next offset to read: an array indexed by partition
/// id, so that the per-record lookup is an index, not a hash.
struct PartitionPositions {
    /// -1 marks a partition not owned.
    private var next: [Int64] = []

    /// Takes `partition` over, to be read from `offset`.
    mutating func own(_ partition: Int32, from offset: Int64) {
        let index = Int(partition)
        if index >= next.count { next += Array(repeating: -1, count: index + 1 - next.count) }
        next[index] = max(offset, 0)
    }

    mutating func disown(_ partition: Int32) {
        guard Int(partition) < next.count else { return }
        next[Int(partition)] = -1
    }

    /// The next offset of an owned partition; nil when it is not owned.
    @inline(__always)
    func next(_ partition: Int32) -> Int64? {
        let index = Int(partition)
        guard index >= 0, index < next.count, next[index] >= 0 else { return nil }
        return next[index]
    }

    /// Notes that `partition` (owned) has been read up to `offset`, exclusive.
    @inline(__always)
    mutating func advance(_ partition: Int32, to offset: Int64) {
        next[Int(partition)] = offset
    }

    /// The owned partitions with their next offsets.
    var owned: [Int32: Int64] {
        var owned: [Int32: Int64] = [:]
        for (index, offset) in next.enumerated() where offset >= 0 { owned[Int32(index)] = offset }
        return owned
    }

    /// The owned partitions, ascending.
    var partitions: [Int32] { next.indices.filter { next[$0] >= 0 }.map { Int32($0) } }
}
