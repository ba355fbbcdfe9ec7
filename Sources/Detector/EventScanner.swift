import Contracts

/// Reads one record value and decides whether it is an event and whether it matches the detector rule,
/// without allocating (DESIGN.md, "What counts as an event").
///
/// The whole value is validated as one JSON value (RFC 8259) while only the four event fields of the top-level
/// object are kept; other fields of any type are skipped. When a key occurs twice the last one wins, as in
/// most JSON parsers. Keys and string values are compared as decoded text, so escapes anywhere behave as a
/// JSON parser would see them: the fast path compares raw bytes when a string holds no backslash, the slow
/// path decodes it into a buffer that is reused from value to value.
public struct EventScanner: Sendable {
    /// Timestamps beyond ±2^62 ms (about 146 million years) are not epoch-millisecond times. Bounding them
    /// keeps every window bound and watermark computed from them free of overflow.
    public static let timestampLimit: UInt64 = 1 << 62

    private let term: TermMatcher
    private let severities: Set<Severity>
    /// Decoded text of escaped strings; it grows to the longest escaped string seen, then stays.
    private var scratch = [UInt8](repeating: 0, count: 256)

    /// A scanner for the term, its matching and the severities of `rule`.
    public init(rule: RuleSettings) {
        term = TermMatcher(term: rule.term, matching: rule.matching)
        severities = rule.severities
    }

    /// Scans one record value (a Kafka message payload; an empty or absent value is invalid JSON).
    public mutating func scan(_ value: UnsafeRawBufferPointer) -> ScanVerdict {
        let text = value.assumingMemoryBound(to: UInt8.self)
        guard let bytes = text.baseAddress, !text.isEmpty else { return .malformed(.invalidJSON) }
        var cursor = JSONCursor(bytes: bytes, count: text.count)
        do {
            let fields = try readTopLevel(&cursor, text)
            return evaluate(fields, in: text)
        } catch {
            // Bad UTF-8 anywhere makes the value "not UTF-8", even where the JSON broke first.
            if error == .invalidJSON, !UTF8Sequence.isValid(bytes, count: text.count) {
                return .malformed(.notUTF8)
            }
            return .malformed(error)
        }
    }

    // MARK: Reading

    /// The last value seen for one event field.
    private enum Field<Value> {
        case absent
        case present(Value)
        case wrongType
    }

    private struct EventFields {
        var timestamp: Field<NumberLiteral> = .absent
        var severity: Field<JSONStringSpan> = .absent
        var userId: Field<JSONStringSpan> = .absent
        var content: Field<JSONStringSpan> = .absent

        var isMissingAField: Bool {
            func absent<Value>(_ field: Field<Value>) -> Bool {
                if case .absent = field { return true }
                return false
            }
            return absent(timestamp) || absent(severity) || absent(userId) || absent(content)
        }
    }

    private enum EventFieldName {
        case timestamp, severity, userId, content
    }

    /// Reads the whole value. A valid value that is not an object throws `wrongType`.
    private mutating func readTopLevel(_ cursor: inout JSONCursor, _ text: UnsafeBufferPointer<UInt8>) throws(MalformedKind) -> EventFields {
        cursor.skipWhitespace()
        guard cursor.current == 0x7B else {
            try cursor.skipValue(depth: 0)
            try Self.expectEnd(&cursor)
            throw .wrongType
        }
        var fields = EventFields()
        cursor.position += 1
        cursor.skipWhitespace()
        if cursor.current == 0x7D {
            cursor.position += 1
        } else {
            while true {
                guard cursor.current == 0x22 else { throw .invalidJSON }
                let key = try cursor.scanString()
                cursor.skipWhitespace()
                try cursor.consume(0x3A)
                cursor.skipWhitespace()
                switch fieldName(key, in: text) {
                case .timestamp?:
                    if cursor.current == 0x2D || (0x30...0x39).contains(cursor.current) {
                        fields.timestamp = .present(try cursor.scanNumber())
                    } else {
                        try cursor.skipValue(depth: 1)
                        fields.timestamp = .wrongType
                    }
                case .severity?: fields.severity = try Self.readString(&cursor)
                case .userId?: fields.userId = try Self.readString(&cursor)
                case .content?: fields.content = try Self.readString(&cursor)
                case nil: try cursor.skipValue(depth: 1)
                }
                cursor.skipWhitespace()
                guard cursor.current == 0x2C else {
                    try cursor.consume(0x7D)
                    break
                }
                cursor.position += 1
                cursor.skipWhitespace()
            }
        }
        try Self.expectEnd(&cursor)
        return fields
    }

    private static func readString(_ cursor: inout JSONCursor) throws(MalformedKind) -> Field<JSONStringSpan> {
        guard cursor.current == 0x22 else {
            try cursor.skipValue(depth: 1)
            return .wrongType
        }
        return .present(try cursor.scanString())
    }

    private static func expectEnd(_ cursor: inout JSONCursor) throws(MalformedKind) {
        cursor.skipWhitespace()
        guard cursor.isAtEnd else { throw .invalidJSON }
    }

    private mutating func fieldName(_ key: JSONStringSpan, in text: UnsafeBufferPointer<UInt8>) -> EventFieldName? {
        guard key.isEscaped else {
            return Self.fieldName(UnsafeBufferPointer(rebasing: text[key.start..<key.end]))
        }
        let length = decode(key, of: text)
        return scratch.withUnsafeBufferPointer { Self.fieldName(UnsafeBufferPointer(rebasing: $0[..<length])) }
    }

    private static func fieldName(_ key: UnsafeBufferPointer<UInt8>) -> EventFieldName? {
        switch key.count {
        case 9 where ByteComparison.equals(key, "timestamp"): .timestamp
        case 8 where ByteComparison.equals(key, "severity"): .severity
        case 7 where ByteComparison.equals(key, "user_id"): .userId
        case 7 where ByteComparison.equals(key, "content"): .content
        default: nil
        }
    }

    // MARK: Deciding

    private mutating func evaluate(_ fields: EventFields, in text: UnsafeBufferPointer<UInt8>) -> ScanVerdict {
        guard case .present(let literal) = fields.timestamp, case .present(let severityText) = fields.severity,
            case .present(let userId) = fields.userId, case .present(let content) = fields.content
        else {
            return .malformed(fields.isMissingAField ? .missingField : .wrongType)
        }
        guard let timestamp = Self.epochMilliseconds(literal) else { return .malformed(.wrongType) }
        let severity = severity(severityText, in: text)
        var matches = false
        if let severity, severities.contains(severity) {
            matches = contentHoldsTerm(content, in: text)
        }
        return .event(ScannedEvent(timestamp: timestamp, severity: severity, matches: matches, userId: userId))
    }

    /// The literal as a timestamp: an integer within `timestampLimit`, and not `-0`, which parsers that read
    /// it as a floating-point number would take for negative zero.
    private static func epochMilliseconds(_ literal: NumberLiteral) -> Int64? {
        guard case .integer(let isNegative, let magnitude?) = literal, magnitude <= timestampLimit,
            !(isNegative && magnitude == 0)
        else { return nil }
        return isNegative ? -Int64(magnitude) : Int64(magnitude)
    }

    private mutating func severity(_ span: JSONStringSpan, in text: UnsafeBufferPointer<UInt8>) -> Severity? {
        guard span.isEscaped else {
            return Self.severity(UnsafeBufferPointer(rebasing: text[span.start..<span.end]))
        }
        let length = decode(span, of: text)
        return scratch.withUnsafeBufferPointer { Self.severity(UnsafeBufferPointer(rebasing: $0[..<length])) }
    }

    private static func severity(_ text: UnsafeBufferPointer<UInt8>) -> Severity? {
        switch text.count {
        case 3 where ByteComparison.equals(text, "Low"): .low
        case 6 where ByteComparison.equals(text, "Medium"): .medium
        case 4 where ByteComparison.equals(text, "High"): .high
        case 8 where ByteComparison.equals(text, "Critical"): .critical
        default: nil
        }
    }

    private mutating func contentHoldsTerm(_ span: JSONStringSpan, in text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard span.isEscaped else {
            return term.occurs(in: UnsafeBufferPointer(rebasing: text[span.start..<span.end]))
        }
        let length = decode(span, of: text)
        return scratch.withUnsafeBufferPointer { term.occurs(in: UnsafeBufferPointer(rebasing: $0[..<length])) }
    }

    // MARK: Users

    /// The user of `event`, which was scanned from `value`, interned in `users`.
    mutating func user(of event: ScannedEvent, in value: UnsafeRawBufferPointer, users: inout UserTable) -> UserIndex {
        let text = value.assumingMemoryBound(to: UInt8.self)
        let span = event.userId
        guard span.isEscaped else { return users.index(of: UnsafeBufferPointer(rebasing: text[span.start..<span.end])) }
        let length = decode(span, of: text)
        return scratch.withUnsafeBufferPointer { users.index(of: UnsafeBufferPointer(rebasing: $0[..<length])) }
    }

    /// Decodes an escaped string into `scratch` and returns its length there.
    private mutating func decode(_ span: JSONStringSpan, of text: UnsafeBufferPointer<UInt8>) -> Int {
        if scratch.count < span.count {
            scratch = [UInt8](repeating: 0, count: max(span.count, scratch.count * 2))
        }
        return scratch.withUnsafeMutableBufferPointer { JSONStringDecoding.decode(span, of: text, into: $0) }
    }
}
