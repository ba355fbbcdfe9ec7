/// One alert as a detector's output showed it.
public struct ObservedAlert: Sendable, Equatable, Codable {
    public var windowStart: Int64
    public var windowEnd: Int64
    public var userId: String
    public var count: Int
    /// When it was emitted, epoch milliseconds; absent from Spark's console output and optional in files.
    public var emittedAt: Int64?
    /// The micro-batch that emitted it, when the output says.
    public var batch: Int64?
    /// Where it was read: the line number in its source (1-based).
    public var line: Int

    public init(windowStart: Int64, windowEnd: Int64, userId: String, count: Int, emittedAt: Int64? = nil, batch: Int64? = nil, line: Int = 0) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.userId = userId
        self.count = count
        self.emittedAt = emittedAt
        self.batch = batch
        self.line = line
    }
}

/// The formats alert outputs are read from.
public enum AlertFormat: String, Sendable, Codable, CaseIterable {
    /// One `AlertRecord` JSON object per line.
    case jsonl
    /// Comma-separated values with a header row naming the `AlertRecord` columns.
    case csv
    /// Spark's console sink: `Batch: N` blocks with `|{start, end}|user|count|` tables.
    case sparkConsole = "spark-console"
}

/// Everything read from one detector output.
public struct ObservedAlerts: Sendable, Equatable {
    /// The name used in messages (usually the file name).
    public var source: String
    public var format: AlertFormat
    /// In the order they appear.
    public var alerts: [ObservedAlert]
    /// Batches whose output showed only part of their rows (Spark's `only showing top N rows`, or a table
    /// cut off at the end of the output): they cannot prove an alert missing.
    public var partialBatches: Set<Int64>

    public init(source: String, format: AlertFormat, alerts: [ObservedAlert], partialBatches: Set<Int64> = []) {
        self.source = source
        self.format = format
        self.alerts = alerts
        self.partialBatches = partialBatches
    }
}

/// Why an alert output could not be read: the source, the line and what is wrong.
public struct AlertReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let source: String
    /// 1-based line number.
    public let line: Int
    public let reason: String

    public var description: String { "\(source):\(line): \(reason)" }
}

/// Readers for the alert formats. Each takes the whole text and a source name for messages.
public enum AlertReader {
    /// Reads `text` in `format`; `timeZone` applies to Spark's console output only.
    public static func read(
        _ text: String, format: AlertFormat, source: String, timeZone: ConsoleTimeZone = .utc
    ) throws(AlertReadError) -> ObservedAlerts {
        switch format {
        case .jsonl: try jsonLines(text, source: source)
        case .csv: try csv(text, source: source)
        case .sparkConsole: try sparkConsole(text, source: source, timeZone: timeZone)
        }
    }

    /// The lines of `text` with their 1-based numbers, split on LF with a trailing CR removed.
    static func lines(_ text: String) -> [(number: Int, text: Substring)] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().map { index, bytes in
            var line = Substring(bytes)
            if line.utf8.last == UInt8(ascii: "\r") { line = Substring(line.utf8.dropLast()) }
            return (index + 1, line)
        }
    }
}
