import Contracts

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record value read as an event: the four fields the rule needs, already judged against the term.
public struct DecodedEvent: Sendable, Equatable {
    /// `timestamp`: event time, epoch milliseconds.
    public var timestamp: Int64
    /// `user_id`.
    public var user: UserKey
    /// `severity` when it is one of the four the schema names; nil for any other string.
    public var severity: Severity?
    /// `content` contains the term under the configured comparison.
    public var hasTerm: Bool
    /// `content` contains the term under the other comparison (sensitive instead of insensitive, or back).
    public var hasTermOtherCase: Bool
}

/// What a record value is.
public enum DecodedRecord: Sendable, Equatable {
    case event(DecodedEvent)
    case malformed(MalformedKind)
}

/// The validator's own strict event decoder (DESIGN.md, "What counts as an event"): the value must be a
/// UTF-8 JSON object whose `timestamp` is an integer and whose `severity`, `user_id` and `content` are
/// strings; other members are checked as JSON and ignored. Strings are fully unescaped before they are
/// compared. A field given twice takes its last value, as Spark's and Python's JSON readers do.
///
/// Strings without escapes are compared where they lie in the value; the rest are unescaped into buffers
/// kept between records, so decoding allocates nothing once they have grown.
public struct EventDecoder: Sendable {
    private let matcher: TermMatcher
    private var severityText: [UInt8] = []
    private var userText: [UInt8] = []
    private var contentText: [UInt8] = []

    /// A decoder that looks for `term` compared as `matching` says.
    public init(term: String, matching: TermMatching) {
        matcher = TermMatcher(term: term, matching: matching)
    }

    /// Decodes one record value.
    public mutating func decode(_ value: UnsafeRawBufferPointer) -> DecodedRecord {
        let bytes = value.bindMemory(to: UInt8.self)
        guard isWellFormedUTF8(bytes) else { return .malformed(.notUTF8) }
        var scanner = JSONScanner(bytes)
        var fields = FoundFields()
        do {
            try Self.readObject(&scanner, into: &fields)
        } catch {
            return .malformed(.invalidJSON)
        }
        if fields.notAnObject { return .malformed(.wrongType) }
        guard let severity = fields.severity, let user = fields.user, let content = fields.content, fields.sawTimestamp else {
            return .malformed(.missingField)
        }
        guard let timestamp = fields.timestamp, severity.isString, user.isString, content.isString else {
            return .malformed(.wrongType)
        }
        let term = Self.withText(content, scanner, &contentText) { matcher.matches($0) }
        return .event(
            DecodedEvent(
                timestamp: timestamp, user: Self.withText(user, scanner, &userText) { UserKey(utf8: $0) },
                severity: Self.withText(severity, scanner, &severityText) { Self.severity($0) }, hasTerm: term.configured,
                hasTermOtherCase: term.other))
    }

    /// Where a string member's value lies: raw bytes of the input, unless it holds escapes.
    private struct FieldText {
        var range: Range<Int> = 0..<0
        var escaped = false
        var isString = false
    }

    /// What the object walk found; type errors are remembered rather than thrown, because the rest of the
    /// text must still be valid JSON for the record to count as "wrong type" rather than "invalid JSON".
    private struct FoundFields {
        var notAnObject = false
        var sawTimestamp = false
        var timestamp: Int64?
        var severity: FieldText?
        var user: FieldText?
        var content: FieldText?
    }

    private enum Field {
        case timestamp, severity, user, content, other
    }

    private static func readObject(_ scanner: inout JSONScanner, into fields: inout FoundFields) throws(JSONFault) {
        guard scanner.peekSignificant() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            try expectEnd(&scanner)
            fields.notAnObject = true
            return
        }
        try scanner.expect(UInt8(ascii: "{"), "expected an object")
        if scanner.peekSignificant() == UInt8(ascii: "}") {
            try scanner.expect(UInt8(ascii: "}"), "expected '}'")
            try expectEnd(&scanner)
            return
        }
        repeat {
            let key = try scanner.scanString()
            let field: Field
            if key.escaped {
                // Escaped keys are rare: spell them out to compare them.
                var spelled: [UInt8] = []
                scanner.unescape(key.range, into: &spelled)
                field = spelled.withUnsafeBufferPointer { Self.field(named: $0) }
            } else {
                field = Self.field(named: UnsafeBufferPointer(rebasing: scanner.bytes[key.range]))
            }
            try scanner.expect(UInt8(ascii: ":"), "expected ':' after a key")
            try readValue(of: field, &scanner, into: &fields)
        } while try scanner.continues(closer: UInt8(ascii: "}"))
        try expectEnd(&scanner)
    }

    private static func readValue(of field: Field, _ scanner: inout JSONScanner, into fields: inout FoundFields) throws(JSONFault) {
        switch field {
        case .timestamp:
            fields.sawTimestamp = true
            fields.timestamp = nil
            if let first = scanner.peekSignificant(), first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) {
                if case .integer(let value) = try scanner.readNumber() { fields.timestamp = value }
            } else {
                try scanner.skipValue()
            }
        case .severity: fields.severity = try readStringField(&scanner)
        case .user: fields.user = try readStringField(&scanner)
        case .content: fields.content = try readStringField(&scanner)
        case .other: try scanner.skipValue()
        }
    }

    /// Reads a member that should be a string; one of another type is checked as JSON and marked.
    private static func readStringField(_ scanner: inout JSONScanner) throws(JSONFault) -> FieldText {
        guard scanner.peekSignificant() == UInt8(ascii: "\"") else {
            try scanner.skipValue()
            return FieldText()
        }
        let (range, escaped) = try scanner.scanString()
        return FieldText(range: range, escaped: escaped, isString: true)
    }

    /// Calls `body` with the value of a string member: in place, or unescaped into `buffer`.
    private static func withText<Result>(
        _ text: FieldText, _ scanner: JSONScanner, _ buffer: inout [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        guard text.escaped else { return body(UnsafeBufferPointer(rebasing: scanner.bytes[text.range])) }
        buffer.removeAll(keepingCapacity: true)
        scanner.unescape(text.range, into: &buffer)
        return buffer.withUnsafeBufferPointer(body)
    }

    private static func expectEnd(_ scanner: inout JSONScanner) throws(JSONFault) {
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.fault("unexpected text after the value") }
    }

    private static func field(named name: UnsafeBufferPointer<UInt8>) -> Field {
        if equals(name, "timestamp") { return .timestamp }
        if equals(name, "severity") { return .severity }
        if equals(name, "user_id") { return .user }
        if equals(name, "content") { return .content }
        return .other
    }

    private static func severity(_ text: UnsafeBufferPointer<UInt8>) -> Severity? {
        if equals(text, "High") { return .high }
        if equals(text, "Critical") { return .critical }
        if equals(text, "Low") { return .low }
        if equals(text, "Medium") { return .medium }
        return nil
    }

    /// Byte equality with a literal, without going through `String`.
    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count, let base = bytes.baseAddress else { return count == 0 && bytes.isEmpty }
        return memcmp(base, literal.utf8Start, count) == 0
    }
}
