/// The crash term's injected spellings and its decoys, derived from the term.
///
/// For the default term the decoys are `crush` (a vowel changed), `trash` (the first letter changed) and
/// `cr ash` (split by a space): each is one edit away from the term, so a detector that matches loosely
/// (edit distance, a regex with `.`, whitespace-insensitive search) counts them and is caught.
struct TermSpellings {
    /// The term as configured.
    let term: String
    /// Each variant's spelling, in `TermVariant.allCases` order.
    let variants: [String]
    /// The decoys that contain the term in no letter case.
    let decoys: [String]

    init(term: String) throws(SettingError) {
        try Self.checkTerm(term)
        self.term = term
        variants = TermVariant.allCases.map { $0.spelling(of: term) }
        decoys = Self.decoyCandidates(of: term).filter { !Self.contains($0, term, ignoringCase: true) }
    }

    /// A term is a word of ASCII letters, digits, `-` and `_`: such a word needs no JSON escaping, has
    /// unambiguous letter cases, and cannot span the spaces and punctuation that join content fragments.
    static func checkTerm(_ term: String) throws(SettingError) {
        guard !term.isEmpty, term.utf8.count <= 64 else {
            throw SettingError(setting: "--crash-term", input: term, reason: "must be 1 to 64 characters long")
        }
        guard term.utf8.allSatisfy({ isWordByte($0) }) else {
            throw SettingError(setting: "--crash-term", input: term, reason: "may hold only ASCII letters, digits, '-' and '_'")
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static func decoyCandidates(of term: String) -> [String] {
        let letters = Array(term.lowercased())
        var candidates: [String] = []
        // A changed vowel after the first letter (crash → crush), or else a changed last letter.
        var vowelChanged = letters
        if let index = letters.indices.dropFirst().first(where: { "aeiou".contains(letters[$0]) }) {
            vowelChanged[index] = letters[index] == "u" ? "o" : "u"
        } else if let last = letters.indices.last {
            vowelChanged[last] = letters[last] == "x" ? "z" : "x"
        }
        candidates.append(String(vowelChanged))
        // A changed first letter (crash → trash).
        var firstChanged = letters
        firstChanged[0] = letters[0] == "t" ? "b" : "t"
        candidates.append(String(firstChanged))
        // The term split in the middle by a space (crash → cr ash).
        if letters.count >= 2 {
            let middle = letters.count / 2
            candidates.append(String(letters[..<middle]) + " " + String(letters[middle...]))
        }
        var unique: [String] = []
        for candidate in candidates where !unique.contains(candidate) { unique.append(candidate) }
        return unique
    }

    /// Whether `text` contains `word`, comparing ASCII letters without regard to case when `ignoringCase`.
    static func contains(_ text: String, _ word: String, ignoringCase: Bool) -> Bool {
        contains(Array(text.utf8), Array(word.utf8), ignoringCase: ignoringCase)
    }

    /// Byte-level form of `contains(_:_:ignoringCase:)`.
    static func contains(_ text: [UInt8], _ word: [UInt8], ignoringCase: Bool) -> Bool {
        guard !word.isEmpty, word.count <= text.count else { return word.isEmpty }
        for start in 0...(text.count - word.count) {
            var matched = true
            for offset in 0..<word.count {
                let a = text[start + offset]
                let b = word[offset]
                if ignoringCase ? lowerASCII(a) != lowerASCII(b) : a != b {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
