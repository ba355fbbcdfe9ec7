import Contracts
import EventModel

/// Counts over one or more manifests: what was sent and acknowledged, by flag, lateness, malformed kind and
/// severity, with time ranges. Codable for `validation.json` and `windtunnel manifest inspect`.
public struct ManifestSummary: Codable, Sendable, Equatable {
    /// The run's options as the first worker's header records them; nil for counts not read from a folder.
    public var options: Options?
    /// Per worker: its rate and start, and how its file ended.
    public var workers: [WorkerSummary] = []
    /// Records in the manifests (every record was sent).
    public var sent: UInt64 = 0
    /// Records the broker acknowledged.
    public var acked: UInt64 = 0
    /// Records whose delivery failed.
    public var failed: UInt64 = 0
    /// Records without a delivery report.
    public var unacknowledged: UInt64 = 0
    /// Records whose content carries the term in any letter case.
    public var termCaseInsensitive: UInt64 = 0
    /// Records whose content carries the term spelled exactly.
    public var termCaseSensitive: UInt64 = 0
    /// Records whose content carries a decoy.
    public var decoys: UInt64 = 0
    /// Tail records, sent after the measured stream to move the watermark (all of them carry the term).
    public var tail: UInt64 = 0
    /// Malformed records by kind (every kind listed, 0 included).
    public var malformed: [String: UInt64] = Dictionary(uniqueKeysWithValues: MalformedKind.allCases.map { ($0.rawValue, 0) })
    /// Records by lateness (every class listed).
    public var lateness: [String: UInt64] = Dictionary(uniqueKeysWithValues: Lateness.allCases.map { ($0.rawValue, 0) })
    /// Records by severity (every severity listed).
    public var severities: [String: UInt64] = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, 0) })
    /// Failed deliveries by librdkafka error code.
    public var failuresByErrorCode: [String: UInt64] = [:]
    /// First and last scheduled time, epoch milliseconds.
    public var scheduledMs: TimeRange?
    /// First and last event time, epoch milliseconds.
    public var eventTimeMs: TimeRange?
    /// First and last send time, epoch microseconds.
    public var sendTimeUs: TimeRange?

    public init() {}

    /// Counts one record.
    public mutating func add(_ record: ManifestRecord) {
        let event = record.event
        sent += 1
        switch record.acknowledgement {
        case .acked: acked += 1
        case .failed(let code, _):
            failed += 1
            failuresByErrorCode[String(code), default: 0] += 1
        case .unknown: unacknowledged += 1
        }
        if event.flags.contains(.termCaseInsensitive) { termCaseInsensitive += 1 }
        if event.flags.contains(.termCaseSensitive) { termCaseSensitive += 1 }
        if event.flags.contains(.decoy) { decoys += 1 }
        if event.flags.contains(.tail) { tail += 1 }
        if let kind = event.malformed { malformed[kind.rawValue, default: 0] += 1 }
        lateness[event.lateness.rawValue, default: 0] += 1
        severities[event.severity.rawValue, default: 0] += 1
        scheduledMs.extend(with: event.scheduledMs)
        eventTimeMs.extend(with: event.eventTimeMs)
        sendTimeUs.extend(with: record.sendTimeUs)
    }

    enum CodingKeys: String, CodingKey {
        case options, workers, sent, acked, failed, unacknowledged
        case termCaseInsensitive = "term_case_insensitive"
        case termCaseSensitive = "term_case_sensitive"
        case decoys, tail, malformed, lateness, severities
        case failuresByErrorCode = "failures_by_error_code"
        case scheduledMs = "scheduled_ms"
        case eventTimeMs = "event_time_ms"
        case sendTimeUs = "send_time_us"
    }
}

extension ManifestSummary {
    /// The resolved options of a run: what every worker's header shares (`ManifestDirectory` refuses a folder
    /// whose workers disagree), except that under `--total-rps` each worker's rate and, with `--duration`,
    /// its count are its own: `settings.rps` and `run.event_count` are the first worker's, and `workers`
    /// lists each one's.
    public struct Options: Codable, Sendable, Equatable {
        /// The event settings, seed included.
        public var settings: GeneratorSettings
        /// Topic, compression, processes, rate split, duration or count, and tail.
        public var run: RunOptions
        /// Workers in the run, on every machine.
        public var workerCount: Int

        public init(header: ManifestHeader) {
            settings = header.settings
            run = header.run
            workerCount = header.workerCount
        }

        enum CodingKeys: String, CodingKey {
            case settings, run
            case workerCount = "worker_count"
        }
    }
}

/// One worker of a manifest folder: where and when it ran, at what rate, and how its file ended.
public struct WorkerSummary: Codable, Sendable, Equatable {
    /// The worker's index.
    public var worker: Int
    /// The host it ran on.
    public var hostName: String
    /// When its timetable started, epoch milliseconds.
    public var startTimeMs: Int64
    /// Its records per second.
    public var recordsPerSecond: Int
    /// Measured records it was to send; nil when it was to send until stopped.
    public var eventCount: UInt64?
    /// Records read from its file.
    public var records: UInt64
    /// Whether its footer was there.
    public var complete: Bool
    /// Where a cut-short file stops.
    public var cutShortReason: String?

    public init(header: ManifestHeader, ending: ManifestEnding) {
        worker = header.workerIndex
        hostName = header.hostName
        startTimeMs = header.startTimeMs
        recordsPerSecond = header.settings.recordsPerSecond
        eventCount = header.run.eventCount
        records = ending.records
        complete = ending.isComplete
        if case .cutShort(_, let reason) = ending { cutShortReason = reason }
    }

    enum CodingKeys: String, CodingKey {
        case worker
        case hostName = "host_name"
        case startTimeMs = "start_time_ms"
        case recordsPerSecond = "rps"
        case eventCount = "event_count"
        case records, complete
        case cutShortReason = "cut_short_reason"
    }
}

/// The first and last of a set of times.
public struct TimeRange: Codable, Sendable, Equatable {
    /// The earliest.
    public var first: Int64
    /// The latest.
    public var last: Int64

    public init(first: Int64, last: Int64) {
        self.first = first
        self.last = last
    }
}

extension TimeRange? {
    /// Widens the range to include `time`, starting it if empty.
    mutating func extend(with time: Int64) {
        guard let range = self else {
            self = TimeRange(first: time, last: time)
            return
        }
        self = TimeRange(first: min(range.first, time), last: max(range.last, time))
    }
}
