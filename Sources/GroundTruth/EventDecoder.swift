import Contracts

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
/// It keeps its scratch buffers between records, so decoding allocates nothing once they have grown.
public struct EventDecoder: Sendable {
    private let matcher: TermMatcher
    private var key: [UInt8] = []
    private var severityText: [UInt8] = []
    private var userText: [UInt8] = []
    private var contentText: [UInt8] = []

    /// A decoder that looks for `term` compared as `matching` says.
    public init(term: String, matching: TermMatching) {
        matcher = TermMatcher(term: term, matching: matching)
        key.reserveCapacity(32)
        severityText.reserveCapacity(16)
        userText.reserveCapacity(32)
        contentText.reserveCapacity(256)
    }

    /// Decodes one record value.
    public mutating func decode(_ value: UnsafeRawBufferPointer) -> DecodedRecord {
        let bytes = value.bindMemory(to: UInt8.self)
        guard isWellFormedUTF8(bytes) else { return .malformed(.notUTF8) }
        var fields = FoundFields()
        do {
            try readObject(bytes, into: &fields)
        } catch {
            return .malformed(.invalidJSON)
        }
        if fields.notAnObject { return .malformed(.wrongType) }
        guard fields.sawTimestamp, fields.sawSeverity, fields.sawUser, fields.sawContent else {
            return .malformed(.missingField)
        }
        guard let timestamp = fields.timestamp, fields.severityIsString, fields.userIsString, fields.contentIsString else {
            return .malformed(.wrongType)
        }
        let term = contentText.withUnsafeBufferPointer { matcher.matches($0) }
        let user = userText.withUnsafeBufferPointer { UserKey(utf8: $0) }
        return .event(
            DecodedEvent(
                timestamp: timestamp, user: user, severity: severity(), hasTerm: term.configured,
                hasTermOtherCase: term.other))
    }

    /// What the object walk found; type errors are remembered rather than thrown, because the rest of the
    /// text must still be valid JSON for the record to count as "wrong type" rather than "invalid JSON".
    private struct FoundFields {
        var notAnObject = false
        var sawTimestamp = false
        var sawSeverity = false
        var sawUser = false
        var sawContent = false
        var timestamp: Int64?
        var severityIsString = false
        var userIsString = false
        var contentIsString = false
    }

    private enum Field {
        case timestamp, severity, user, content, other
    }

    private mutating func readObject(_ bytes: UnsafeBufferPointer<UInt8>, into fields: inout FoundFields) throws(JSONFault) {
        var scanner = JSONScanner(bytes)
        guard scanner.peekSignificant() == UInt8(ascii: "{") else {
            try scanner.skipValue(scratch: &key)
            try Self.expectEnd(&scanner)
            fields.notAnObject = true
            return
        }
        try scanner.expect(UInt8(ascii: "{"), "expected an object")
        if scanner.peekSignificant() == UInt8(ascii: "}") {
            try scanner.expect(UInt8(ascii: "}"), "expected '}'")
            try Self.expectEnd(&scanner)
            return
        }
        repeat {
            try scanner.readString(into: &key)
            try scanner.expect(UInt8(ascii: ":"), "expected ':' after a key")
            switch field(named: key) {
            case .timestamp:
                fields.sawTimestamp = true
                fields.timestamp = nil
                if let first = scanner.peekSignificant(), first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) {
                    if case .integer(let value) = try scanner.readNumber() { fields.timestamp = value }
                } else {
                    try scanner.skipValue(scratch: &key)
                }
            case .severity:
                fields.sawSeverity = true
                fields.severityIsString = try Self.readStringField(&scanner, into: &severityText, scratch: &key)
            case .user:
                fields.sawUser = true
                fields.userIsString = try Self.readStringField(&scanner, into: &userText, scratch: &key)
            case .content:
                fields.sawContent = true
                fields.contentIsString = try Self.readStringField(&scanner, into: &contentText, scratch: &key)
            case .other:
                try scanner.skipValue(scratch: &key)
            }
        } while try scanner.continues(closer: UInt8(ascii: "}"))
        try Self.expectEnd(&scanner)
    }

    /// Reads a member that should be a string into `buffer`; false (after checking the value as JSON) when
    /// it is some other kind of value.
    private static func readStringField(
        _ scanner: inout JSONScanner, into buffer: inout [UInt8], scratch: inout [UInt8]
    ) throws(JSONFault) -> Bool {
        guard scanner.peekSignificant() == UInt8(ascii: "\"") else {
            try scanner.skipValue(scratch: &scratch)
            return false
        }
        try scanner.readString(into: &buffer)
        return true
    }

    private static func expectEnd(_ scanner: inout JSONScanner) throws(JSONFault) {
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.fault("unexpected text after the value") }
    }

    private func field(named name: [UInt8]) -> Field {
        switch name.count {
        case 9 where name.elementsEqual("timestamp".utf8): .timestamp
        case 8 where name.elementsEqual("severity".utf8): .severity
        case 7 where name.elementsEqual("user_id".utf8): .user
        case 7 where name.elementsEqual("content".utf8): .content
        default: .other
        }
    }

    private func severity() -> Severity? {
        switch severityText.count {
        case 3 where severityText.elementsEqual("Low".utf8): .low
        case 6 where severityText.elementsEqual("Medium".utf8): .medium
        case 4 where severityText.elementsEqual("High".utf8): .high
        case 8 where severityText.elementsEqual("Critical".utf8): .critical
        default: nil
        }
    }
}
