import Contracts
import Kafka

/// Where a detector writes its alerts.
public enum AlertDestination: Sendable, Equatable, CustomStringConvertible {
    /// One `AlertRecord` JSON line per alert, appended to a file and synced every batch.
    case jsonLines(path: String)
    /// One `AlertRecord` JSON value per alert on a Kafka topic, keyed by user id.
    case kafka(topic: String)
    /// Tables on standard output in the style of Spark's console sink.
    case console

    /// Reads `jsonl:PATH`, `kafka:TOPIC` or `console`.
    public init(parsing text: String) throws(DetectorError) {
        if text == "console" {
            self = .console
        } else if text.hasPrefix("jsonl:"), text.count > 6 {
            self = .jsonLines(path: String(text.dropFirst(6)))
        } else if text.hasPrefix("kafka:"), text.count > 6 {
            self = .kafka(topic: String(text.dropFirst(6)))
        } else {
            throw DetectorError("--alerts '\(text)' is none of jsonl:PATH, kafka:TOPIC or console")
        }
    }

    public var description: String {
        switch self {
        case .jsonLines(let path): "jsonl:\(path)"
        case .kafka(let topic): "kafka:\(topic)"
        case .console: "console"
        }
    }
}

/// Everything one `detect` process needs: the rule, where to read, where to write, how often.
public struct DetectorSettings: Sendable {
    /// Brokers and librdkafka pass-through properties.
    public var client: ClientSettings
    /// The topic of log events.
    public var topic: String
    /// The consumer group that the detector instances share.
    public var group: String
    /// This instance's name: it names the instance's checkpoint and its batch-log lines.
    public var instance: String
    /// The rule: window, watermark delay, threshold, term, severities, output mode.
    public var rule: RuleSettings
    /// The micro-batch interval. Default: 1 s.
    public var triggerMs: Int64 = 1_000
    /// Alert outputs; none is allowed (the batch log and stats still say what happened).
    public var alerts: [AlertDestination] = []
    /// Where batch-log lines go, or nil for none.
    public var batchLogPath: String?
    /// The checkpoint folder shared by all instances, or nil to keep no checkpoint (a restart then starts
    /// over from the earliest offsets, and moved partitions start with no state).
    public var checkpointFolder: String?
    /// Stop after no record arrived for this long, or nil to run until a signal.
    public var untilIdleMs: Int64?
    /// At most this many records per micro-batch, or nil for no limit.
    public var maxRecordsPerBatch: Int?
    /// Where the test hook kills the process, if anywhere.
    public var crashPoint: CrashPoint?

    public init(client: ClientSettings, topic: String, group: String, instance: String, rule: RuleSettings) {
        self.client = client
        self.topic = topic
        self.group = group
        self.instance = instance
        self.rule = rule
    }
}

/// Why the detector cannot start or go on, in a sentence that names the input.
public struct DetectorError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
