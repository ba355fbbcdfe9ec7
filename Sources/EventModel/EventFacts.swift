import Contracts

/// What the generator knows about one event it synthesized: the ground truth a manifest records and a
/// validator compares detector output against.
public struct EventFacts: Sendable, Equatable {
    /// The event's position in its worker's timetable, from 0.
    public var sequence: UInt64
    /// When the timetable scheduled it, epoch milliseconds.
    public var scheduledMs: Int64
    /// The `timestamp` written into the value: the scheduled time, minus the lateness for a late event.
    public var eventTimeMs: Int64
    /// The user, from 0: user index i is `user_{1000+i}`.
    public var userIndex: UInt32
    /// The severity written (or, for a malformed record, drawn).
    public var severity: Severity
    /// Whether the content carries the term or a decoy.
    public var flags: EventFlags
    /// The malformed kind, or nil for a well-formed event.
    public var malformed: MalformedKind?
    /// How late the event was made.
    public var lateness: Lateness

    public init(
        sequence: UInt64, scheduledMs: Int64, eventTimeMs: Int64, userIndex: UInt32, severity: Severity,
        flags: EventFlags, malformed: MalformedKind?, lateness: Lateness
    ) {
        self.sequence = sequence
        self.scheduledMs = scheduledMs
        self.eventTimeMs = eventTimeMs
        self.userIndex = userIndex
        self.severity = severity
        self.flags = flags
        self.malformed = malformed
        self.lateness = lateness
    }

    /// The user's id as it appears in the record, `user_NNNN`.
    public var userID: String { UserIDs.name(index: Int(userIndex)) }
}

/// What an event's content carries, as flags that fit in one manifest byte.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The content contains the term when letter case is ignored (every injected spelling).
    public static let termCaseInsensitive = EventFlags(rawValue: 1 << 0)
    /// The content contains the term exactly as configured (`crash` and `crashed`, not `Crash` or `CRASH`).
    public static let termCaseSensitive = EventFlags(rawValue: 1 << 1)
    /// The content contains a decoy, which must not match.
    public static let decoy = EventFlags(rawValue: 1 << 2)
    /// A tail record: sent after the measured stream only to move the watermark, so that every measured window
    /// closes (DESIGN.md, "Watermark semantics"). Its user never reaches the threshold.
    public static let tail = EventFlags(rawValue: 1 << 3)
}

/// User ids: index i is `user_{1000+i}`, as the course numbers its users.
public enum UserIDs {
    /// The number of the first user.
    public static let firstNumber = 1_000

    /// The id of user `index`.
    public static func name(index: Int) -> String { "user_\(firstNumber + index)" }
}
