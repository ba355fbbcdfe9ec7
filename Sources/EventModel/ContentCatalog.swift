import Contracts
import Foundation

/// Every content string a synthesizer can write, rendered once as JSON string bytes (without quotes) with
/// the facts that hold for it, and checked against the term: ordinary lines and decoy lines carry the term
/// in no letter case, term lines always carry it, and whether they carry it exactly is read off the bytes.
struct ContentCatalog: Sendable {
    /// One pre-rendered content string.
    struct Line: Sendable {
        /// Index of the rendered bytes in `text`.
        let fragment: Int
        /// Index of its status in `text`.
        let status: Int
        /// What it carries.
        let flags: EventFlags
    }

    /// All rendered bytes: statuses, then lines.
    private(set) var text = FragmentTable()
    /// Ordinary lines, free of the term and of the decoys.
    private(set) var plain: [Line] = []
    /// Ordinary lines with bytes that are not UTF-8 appended, for `MalformedKind.invalidUTF8`.
    private(set) var notUTF8: [Line] = []
    /// Term lines per variant, in `TermVariant.allCases` order.
    private(set) var termLines: [[Line]] = []
    /// Decoy lines.
    private(set) var decoyLines: [Line] = []
    /// About 100 kB of ordinary lines, for `MalformedKind.oversize`.
    private(set) var oversize: Line

    /// How big an oversize content is.
    static let oversizeBytes = 100_000

    init(spellings: TermSpellings) throws(SettingError) {
        let term = Array(spellings.term.utf8)
        let decoys = spellings.decoys.map { Array($0.utf8) }
        func carriesNoTerm(_ line: [UInt8]) -> Bool {
            !TermSpellings.contains(line, term, ignoringCase: true)
                && !decoys.contains { TermSpellings.contains(line, $0, ignoringCase: true) }
        }
        var statuses: [Int] = []
        for status in Vocabulary.statuses { statuses.append(text.add(Self.jsonStringBody(status))) }

        for (line, status) in Vocabulary.lines {
            let body = Self.jsonStringBody(line)
            guard carriesNoTerm(body) else { continue }
            plain.append(Line(fragment: text.add(body), status: statuses[status], flags: []))
            // 0xFF and 0xFE never occur in UTF-8; 0xC3 0x28 is a lead byte followed by a non-continuation byte.
            notUTF8.append(Line(fragment: text.add(body + [0x20, 0xFF, 0xFE, 0x20, 0xC3, 0x28]), status: statuses[status], flags: []))
        }
        guard !plain.isEmpty else {
            throw SettingError(setting: "--crash-term", input: spellings.term, reason: "every ordinary log line contains it or one of its decoys")
        }

        // A template is usable only if, apart from the placeholder, it is free of the term and its decoys.
        let templates = Vocabulary.termTemplates.filter { carriesNoTerm(Self.jsonStringBody($0.replacingOccurrences(of: "%", with: "."))) }
        guard !templates.isEmpty else {
            throw SettingError(setting: "--crash-term", input: spellings.term, reason: "every crash log line contains it or one of its decoys")
        }
        let termStatus = statuses[Vocabulary.termStatus]
        for spelling in spellings.variants {
            var lines: [Line] = []
            for template in templates {
                let body = Self.jsonStringBody(template.replacingOccurrences(of: "%", with: spelling))
                var flags: EventFlags = []
                if TermSpellings.contains(body, term, ignoringCase: true) { flags.insert(.termCaseInsensitive) }
                if TermSpellings.contains(body, term, ignoringCase: false) { flags.insert(.termCaseSensitive) }
                // Each spelling contains the term up to case, so every term line is one the detector must count.
                guard flags.contains(.termCaseInsensitive) else { continue }
                lines.append(Line(fragment: text.add(body), status: termStatus, flags: flags))
            }
            termLines.append(lines)
        }
        for decoy in spellings.decoys {
            for template in templates {
                let body = Self.jsonStringBody(template.replacingOccurrences(of: "%", with: decoy))
                guard !TermSpellings.contains(body, term, ignoringCase: true) else { continue }
                decoyLines.append(Line(fragment: text.add(body), status: termStatus, flags: .decoy))
            }
        }

        var filler: [UInt8] = []
        var next = 0
        while filler.count < Self.oversizeBytes {
            // " | " cannot be part of a term (terms are single words), so joining lines cannot create one.
            if !filler.isEmpty { filler += Array(" | ".utf8) }
            filler += text[plain[next % plain.count].fragment]
            next += 1
        }
        oversize = Line(fragment: text.add(filler), status: statuses[Vocabulary.oversizeStatus], flags: [])
    }

    /// `text` as the bytes between the quotes of a JSON string.
    private static func jsonStringBody(_ text: String) -> [UInt8] {
        Array(JSONText.quoted(text).utf8.dropFirst().dropLast())
    }
}
