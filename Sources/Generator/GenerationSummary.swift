import Foundation

/// What `windtunnel generate` reports at the end: printed as a table and written as
/// `<manifest folder>/summary.json`, from which `windtunnel run` reads `acknowledged` and
/// `partition_end_offsets`. Rates are records per second, lags milliseconds, times epoch milliseconds.
public struct GenerationSummary: Codable, Sendable {
    /// The topic written to.
    public var topic: String
    /// Worker processes run here.
    public var processes: Int
    /// Workers in the whole run (more than `processes` when machines share the work with `--worker I/N`).
    public var workerCount: Int
    /// The target rate of the workers run here, together.
    public var targetRate: Int
    /// The measured records per second they achieved, together.
    public var achievedRate: Double
    /// Records handed to the producer, tail included.
    public var sent: UInt64
    /// Records the broker acknowledged.
    public var acknowledged: UInt64
    /// Records whose delivery failed.
    public var deliveryFailures: UInt64
    /// Records with no delivery report when their worker stopped.
    public var unacknowledged: UInt64
    /// Per partition, one past the highest acknowledged offset.
    public var partitionEndOffsets: [String: Int64]
    /// Schedule lag of the measured records (workers whose final figures are missing are not in it).
    public var scheduleLag: ScheduleLagSummary
    /// Records by lateness class.
    public var lateness: [String: UInt64]
    /// Malformed records by kind.
    public var malformed: [String: UInt64]
    /// Measured records carrying the crash term.
    public var termRecords: UInt64
    /// Tail records.
    public var tailRecords: UInt64
    /// When the workers were released.
    public var startedAtMs: Int64
    /// When the last one finished.
    public var endedAtMs: Int64
    /// Whether a signal stopped the run before its records were all sent.
    public var stoppedEarly: Bool
    /// What went wrong: dead or failed workers, lost records.
    public var problems: [String]
    /// Each worker's figures.
    public var workers: [WorkerFigures]

    enum CodingKeys: String, CodingKey {
        case topic, processes
        case workerCount = "worker_count"
        case targetRate = "target_rps"
        case achievedRate = "achieved_rps"
        case sent, acknowledged
        case deliveryFailures = "delivery_failures"
        case unacknowledged
        case partitionEndOffsets = "partition_end_offsets"
        case scheduleLag = "schedule_lag"
        case lateness, malformed
        case termRecords = "term_records"
        case tailRecords = "tail_records"
        case startedAtMs = "started_at_ms"
        case endedAtMs = "ended_at_ms"
        case stoppedEarly = "stopped_early"
        case problems, workers
    }

    /// The summary as pretty JSON, keys sorted.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// One worker's line of the summary.
public struct WorkerFigures: Codable, Sendable {
    /// The worker's index.
    public var worker: Int
    /// `completed`, `stopped early`, `failed: <reason>` or `died: <signal or exit status>`.
    public var status: String
    /// Its target rate.
    public var targetRate: Int
    /// The measured records per second it achieved; nil when it died before reporting.
    public var achievedRate: Double?
    /// Records sent, as its final figures or (for a dead worker) its manifest say.
    public var sent: UInt64
    /// Records acknowledged.
    public var acknowledged: UInt64
    /// Delivery failures.
    public var deliveryFailures: UInt64
    /// Records without a delivery report.
    public var unacknowledged: UInt64
    /// Its schedule lag; nil when it died before reporting.
    public var scheduleLag: ScheduleLagSummary?

    enum CodingKeys: String, CodingKey {
        case worker, status
        case targetRate = "target_rps"
        case achievedRate = "achieved_rps"
        case sent, acknowledged
        case deliveryFailures = "delivery_failures"
        case unacknowledged
        case scheduleLag = "schedule_lag"
    }
}
