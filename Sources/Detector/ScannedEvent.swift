import Contracts

/// What `EventScanner` made of one record value.
public enum ScanVerdict: Sendable, Equatable {
    /// The value is an event.
    case event(ScannedEvent)
    /// The value is not an event, for this reason.
    case malformed(MalformedKind)
}

/// The parts of an event that the detector rule needs. It refers to the bytes it was scanned from (for the
/// user id), so it is only meaningful together with that record value.
public struct ScannedEvent: Sendable, Equatable {
    /// Event time, epoch milliseconds.
    public var timestamp: Int64
    /// The severity, or nil when the string is none of the four (severities compare exactly: `high` is none).
    public var severity: Severity?
    /// Whether the event matches the rule: its severity is one of the rule's and its content holds the term.
    public var matches: Bool
    /// Where the `user_id` string lies in the scanned value.
    var userId: JSONStringSpan
}
