import EventModel

/// How a generator run was asked to send, beyond the event settings: the rest of the resolved options that a
/// manifest header records. The brokers and the `-X` properties are left out on purpose: properties may hold
/// secrets, and manifests are copied into results folders and shared.
public struct RunOptions: Codable, Sendable, Equatable {
    /// The topic written to (`--topic`). Default: `logs`.
    public var topic: String = "logs"
    /// Record batch compression (`--compression`). Default: `none`.
    public var compression: String = "none"
    /// Worker processes the coordinator started on its machine (`--processes`; 1 with `--worker I/N`). Default: 1.
    public var processes: Int = 1
    /// Records per second of all workers together when `--total-rps` split them; nil when each worker was
    /// given `--rps`. Default: nil.
    public var totalRecordsPerSecond: Int?
    /// How long to send (`--duration`), milliseconds; nil when `--count` was given or neither. Default: nil.
    public var durationMs: Int64?
    /// Measured records this worker sends (`--count`, or the duration at its rate); nil when it sends until
    /// stopped. Default: nil.
    public var eventCount: UInt64?
    /// The tail sent after the measured records (`--tail`); nil for none. Default: nil.
    public var tail: TailPlan?

    /// The defaults; set properties to change them.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case topic, compression, processes
        case totalRecordsPerSecond = "total_rps"
        case durationMs = "duration_ms"
        case eventCount = "event_count"
        case tail
    }
}
