import Contracts

/// Finds the crash term in an event's decoded `content`.
///
/// Case-insensitive matching folds ASCII letters only (`A`-`Z` to `a`-`z`) on both sides, as Spark's
/// `lower(content).contains("crash")` does for ASCII text; other bytes, including every byte of a non-ASCII
/// letter, must be equal.
struct TermMatcher: Sendable {
    /// The term's UTF-8 bytes, already folded when matching ignores case.
    private let term: [UInt8]
    private let foldsCase: Bool

    init(term: String, matching: TermMatching) {
        foldsCase = matching == .caseInsensitive
        self.term = foldsCase ? term.utf8.map(Self.folded) : Array(term.utf8)
    }

    @inline(__always)
    private static func folded(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// Whether `text` contains the term.
    func occurs(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        term.withUnsafeBufferPointer { needle in
            guard let term = needle.baseAddress, needle.count > 0 else { return true }
            guard text.count >= needle.count, let haystack = text.baseAddress else { return false }
            let first = term[0]
            let lastStart = text.count - needle.count
            var start = 0
            while start <= lastStart {
                if fold(haystack[start]) == first {
                    var offset = 1
                    while offset < needle.count, fold(haystack[start + offset]) == term[offset] { offset += 1 }
                    if offset == needle.count { return true }
                }
                start += 1
            }
            return false
        }
    }

    @inline(__always)
    private func fold(_ byte: UInt8) -> UInt8 {
        foldsCase ? Self.folded(byte) : byte
    }
}
