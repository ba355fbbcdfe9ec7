/// Why a record is not an event (DESIGN.md, "What counts as an event"). A malformed record is counted by
/// kind and never matched. When several apply, the first in declaration order is reported.
public enum MalformedKind: String, CaseIterable, Sendable, Codable {
    /// The value is not well-formed UTF-8.
    case notUTF8 = "not-utf8"
    /// The value is not one valid JSON text.
    case invalidJSON = "invalid-json"
    /// The value is a JSON object without one of `timestamp`, `severity`, `user_id`, `content`.
    case missingField = "missing-field"
    /// The value is JSON but not an object, or a field has the wrong type: `timestamp` must be an integer
    /// (no fraction, no exponent, within 64 bits) and the other three must be strings.
    case wrongType = "wrong-type"
    /// `timestamp` is an integer so close to the 64-bit limits that its window cannot be represented.
    case timestampOutOfRange = "timestamp-out-of-range"
}

/// Malformed records counted by kind.
public struct MalformedCounts: Sendable, Codable, Equatable {
    public var notUTF8 = 0
    public var invalidJSON = 0
    public var missingField = 0
    public var wrongType = 0
    public var timestampOutOfRange = 0

    public init() {}

    // Spelled so that snake_case conversion reads them back (`not_utf8` comes back as `notUtf8`).
    enum CodingKeys: String, CodingKey {
        case notUTF8 = "notUtf8"
        case invalidJSON = "invalidJson"
        case missingField, wrongType, timestampOutOfRange
    }

    /// All malformed records.
    public var total: Int { notUTF8 + invalidJSON + missingField + wrongType + timestampOutOfRange }

    /// The count for one kind.
    public subscript(kind: MalformedKind) -> Int {
        get {
            switch kind {
            case .notUTF8: notUTF8
            case .invalidJSON: invalidJSON
            case .missingField: missingField
            case .wrongType: wrongType
            case .timestampOutOfRange: timestampOutOfRange
            }
        }
        set {
            switch kind {
            case .notUTF8: notUTF8 = newValue
            case .invalidJSON: invalidJSON = newValue
            case .missingField: missingField = newValue
            case .wrongType: wrongType = newValue
            case .timestampOutOfRange: timestampOutOfRange = newValue
            }
        }
    }
}
