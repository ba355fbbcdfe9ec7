/// The (worker, sequence) pairs seen on the topic, one bit each in pages of 65,536 sequences, so that a
/// duplicate can be recognised at any distance. A 10-million-record replay takes about 1.3 MB.
struct SequenceSet {
    private static let pageBits = 16
    private var pages: [Int64: [UInt64]] = [:]

    /// Adds the pair; returns whether it was there already.
    mutating func insert(worker: Int, sequence: UInt64) -> Bool {
        let page = Int64(worker) << 44 | Int64(truncatingIfNeeded: sequence >> UInt64(Self.pageBits))
        let bit = Int(sequence & (1 << UInt64(Self.pageBits) - 1))
        let word = bit >> 6
        let mask = UInt64(1) << UInt64(bit & 63)
        return pages[page, default: Array(repeating: 0, count: (1 << Self.pageBits) / 64)].withUnsafeMutableBufferPointer { words in
            let present = words[word] & mask != 0
            words[word] |= mask
            return present
        }
    }
}
