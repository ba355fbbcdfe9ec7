/// A log event's severity, as the event schema spells it.
public enum Severity: String, CaseIterable, Sendable, Codable, Hashable {
    case low = "Low"
    case medium = "Medium"
    case high = "High"
    case critical = "Critical"
}

/// How the crash term is compared with an event's `content`.
public enum TermMatching: String, CaseIterable, Sendable, Codable {
    /// `Crash` and `CRASH` match `crash` (the course's default).
    case caseInsensitive = "case-insensitive"
    /// Only the exact spelling matches.
    case caseSensitive = "case-sensitive"
}

/// When a windowed count is emitted, in Spark's words.
public enum OutputMode: String, CaseIterable, Sendable, Codable {
    /// Every micro-batch emits the (window, user) rows whose count changed; the last emission is final.
    case update
    /// Each alert is emitted once, after the watermark passes its window's end.
    case append
}

/// The detector rule of the course lab, as settings shared by the detector, the validator and scenarios.
///
/// Only the settings live here; the detector and the validator each implement the rule on their own, so
/// that a bug in one cannot hide in the other.
public struct RuleSettings: Sendable, Codable, Equatable {
    /// Length of the tumbling event-time windows. Default: 10 s.
    public var windowMs: Int64
    /// How far behind the largest event time seen the watermark trails. Default: 30 s.
    public var watermarkDelayMs: Int64
    /// A (window, user) alerts when its count is greater than this. Default: 2.
    public var threshold: Int
    /// The term an event's `content` must contain. Default: `crash`.
    public var term: String
    /// How `term` is compared. Default: case-insensitive.
    public var matching: TermMatching
    /// Severities that count. Default: High and Critical.
    public var severities: Set<Severity>
    /// When counts are emitted. Default: update.
    public var mode: OutputMode

    public init(
        windowMs: Int64 = 10_000,
        watermarkDelayMs: Int64 = 30_000,
        threshold: Int = 2,
        term: String = "crash",
        matching: TermMatching = .caseInsensitive,
        severities: Set<Severity> = [.high, .critical],
        mode: OutputMode = .update
    ) {
        self.windowMs = windowMs
        self.watermarkDelayMs = watermarkDelayMs
        self.threshold = threshold
        self.term = term
        self.matching = matching
        self.severities = severities
        self.mode = mode
    }
}
