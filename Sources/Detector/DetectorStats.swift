/// Running totals of one engine. They travel in snapshots, so a restarted detector keeps counting.
public struct DetectorStats: Sendable, Equatable, Codable {
    /// Record values ingested.
    public var records = 0
    /// Events that matched the rule, whether counted or dropped as late.
    public var matched = 0
    /// Matching events dropped because their window had ended at or before the late-row watermark.
    public var lateDropped = 0
    /// Record values that were not events, by kind.
    public var malformed = MalformedCounts()
    /// Batches ended.
    public var batches = 0
    /// Alert records emitted.
    public var alertsEmitted = 0
    /// Open (window, user) counts held now, over all partitions (Spark's state rows).
    public var openWindows = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case records, matched, batches, malformed
        case lateDropped = "late_dropped"
        case alertsEmitted = "alerts_emitted"
        case openWindows = "open_windows"
    }
}

/// Record values that were not events, one counter per `MalformedKind`.
public struct MalformedCounts: Sendable, Equatable, Codable {
    public var notUTF8 = 0
    public var invalidJSON = 0
    public var missingField = 0
    public var wrongType = 0

    public init() {}

    /// All kinds together.
    public var total: Int { notUTF8 + invalidJSON + missingField + wrongType }

    public subscript(kind: MalformedKind) -> Int {
        get {
            switch kind {
            case .notUTF8: notUTF8
            case .invalidJSON: invalidJSON
            case .missingField: missingField
            case .wrongType: wrongType
            }
        }
        set {
            switch kind {
            case .notUTF8: notUTF8 = newValue
            case .invalidJSON: invalidJSON = newValue
            case .missingField: missingField = newValue
            case .wrongType: wrongType = newValue
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case notUTF8 = "not_utf8"
        case invalidJSON = "invalid_json"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
    }
}
