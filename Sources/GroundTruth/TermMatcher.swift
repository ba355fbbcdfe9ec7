import Contracts

/// Decides whether an event's `content` contains the crash term, both as configured and the other way
/// round (case-sensitive instead of insensitive, or the reverse), because the diagnosis asks what a detector
/// with the other comparison would have counted.
///
/// Case-insensitive means "lowercase both, then search", as Spark's `lower(content).contains(term)`.
/// ASCII content (nearly all of it) is lowered byte by byte on the fly; other content goes through Swift's
/// full Unicode lowercasing, which allocates, but only for such records.
struct TermMatcher: Sendable {
    /// Whether the configured comparison ignores case.
    let caseInsensitive: Bool
    private let exact: [UInt8]
    private let lowered: [UInt8]
    private let loweredIsASCII: Bool

    init(term: String, matching: TermMatching) {
        caseInsensitive = matching == .caseInsensitive
        exact = Array(term.utf8)
        lowered = Array(term.lowercased().utf8)
        loweredIsASCII = lowered.allSatisfy { $0 < 0x80 }
    }

    /// (configured comparison, the other comparison) for `content`.
    func matches(_ content: UnsafeBufferPointer<UInt8>) -> (configured: Bool, other: Bool) {
        let sensitive: Bool
        let insensitive: Bool
        if content.allSatisfy({ $0 < 0x80 }) {
            // Lowercasing ASCII text leaves it ASCII, so a lowered term with other characters cannot occur;
            // and in ASCII text every case-sensitive occurrence is a case-insensitive one, so without the
            // latter (nearly every record) the second search is skipped.
            insensitive = loweredIsASCII && lowered.withUnsafeBufferPointer { contains(content, $0, lowering: true) }
            sensitive = insensitive && exact.withUnsafeBufferPointer { contains(content, $0, lowering: false) }
        } else {
            var loweredContent = String(decoding: content, as: UTF8.self).lowercased()
            insensitive = loweredContent.withUTF8 { text in lowered.withUnsafeBufferPointer { contains(text, $0, lowering: false) } }
            sensitive = exact.withUnsafeBufferPointer { contains(content, $0, lowering: false) }
        }
        return caseInsensitive ? (insensitive, sensitive) : (sensitive, insensitive)
    }

    private func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, lowering: Bool) -> Bool {
        guard needle.count <= text.count else { return false }
        guard !needle.isEmpty else { return true }
        let first = needle[0]
        var start = 0
        while start + needle.count <= text.count {
            if fold(text[start], lowering) == first {
                var offset = 1
                while offset < needle.count, fold(text[start + offset], lowering) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    private func fold(_ byte: UInt8, _ lowering: Bool) -> UInt8 {
        lowering && byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
