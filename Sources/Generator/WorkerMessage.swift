import Foundation

/// What a worker process tells its coordinator, one JSON line each on the worker's standard output.
public enum WorkerMessage: Codable, Sendable {
    /// Connected, producer created, topic metadata fetched: waiting at the start barrier.
    case ready
    /// Once a second while sending.
    case stats(WorkerStats)
    /// The worker's final figures, after its manifest is finished.
    case final(WorkerReport)

    /// The message as one line, newline included.
    public func line() throws -> Data {
        var data = try JSONEncoder().encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Reads a line written by `line()`.
    public init(line: Data) throws {
        self = try JSONDecoder().decode(WorkerMessage.self, from: line)
    }
}

/// What the coordinator tells every worker to release them from the start barrier at the same moment.
public struct StartSignal: Codable, Sendable, Equatable {
    /// When event 0 is due, on the machine's monotonic clock (shared by all its processes), nanoseconds.
    public var startNs: UInt64
    /// The wall-clock time of that moment, epoch milliseconds: the time base of every event timestamp.
    public var startEpochMs: Int64

    public init(startNs: UInt64, startEpochMs: Int64) {
        self.startNs = startNs
        self.startEpochMs = startEpochMs
    }
}

/// A worker's live figures, sent once a second.
public struct WorkerStats: Codable, Sendable, Equatable {
    /// Milliseconds since the start.
    public var elapsedMs: Int64
    /// Records handed to the producer so far, tail included.
    public var sent: UInt64
    /// Records acknowledged so far.
    public var acknowledged: UInt64
    /// Delivery failures so far.
    public var failed: UInt64
    /// Records in librdkafka's queue, not yet reported on.
    public var inFlight: Int
    /// Schedule lag of the measured records so far, 99th percentile, milliseconds.
    public var lagP99Ms: Double
    /// Whether the worker is sending its tail.
    public var inTail: Bool
    /// Per partition id, one past the highest offset acknowledged so far; -1 where none was.
    public var partitionEnds: [Int64]

    public init(
        elapsedMs: Int64, sent: UInt64, acknowledged: UInt64, failed: UInt64, inFlight: Int, lagP99Ms: Double, inTail: Bool,
        partitionEnds: [Int64] = []
    ) {
        self.elapsedMs = elapsedMs
        self.sent = sent
        self.acknowledged = acknowledged
        self.failed = failed
        self.inFlight = inFlight
        self.lagP99Ms = lagP99Ms
        self.inTail = inTail
        self.partitionEnds = partitionEnds
    }
}

/// A worker's final figures.
public struct WorkerReport: Codable, Sendable, Equatable {
    /// The worker's index.
    public var worker: Int
    /// Its target rate, records per second.
    public var targetRate: Int
    /// Its counts.
    public var tally: SendTally
    /// Measured records sent (the tail excluded).
    public var measuredSent: UInt64
    /// Schedule lag of the measured records.
    public var lag: ScheduleLag
    /// When its timetable started, epoch milliseconds.
    public var startedAtMs: Int64
    /// When it sent its last measured record, epoch milliseconds.
    public var measuredEndedAtMs: Int64
    /// When it finished (manifest closed), epoch milliseconds.
    public var endedAtMs: Int64
    /// Measured records per second it achieved: records over the time from the start to the last one's
    /// send, plus one interval of the target rate (n records on time span n intervals, not n − 1).
    public var achievedRate: Double
    /// Whether a signal stopped it before its records were all sent.
    public var stoppedEarly: Bool
    /// Why it stopped before the end, when something went wrong (a broker refused the topic, a full disk).
    public var failure: String?
}
