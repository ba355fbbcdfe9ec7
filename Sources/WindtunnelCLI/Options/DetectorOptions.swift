import ArgumentParser
import Contracts
import DetectorService

/// The detector rule as command-line options (`--window`, `--watermark`, `--threshold`, `--term`,
/// `--match`, `--severities`, `--mode`), with the course lab's values as defaults.
struct DetectorRuleOptions: ParsableArguments {
    @Option(help: "Length of the tumbling event-time windows, e.g. 10s.")
    var window: String = "10s"

    @Option(help: "How far the watermark trails the largest matching event time, e.g. 30s.")
    var watermark: String = "30s"

    @Option(help: "A (window, user) alerts when its count is greater than this.")
    var threshold: Int = 2

    @Option(help: "The term an event's content must contain.")
    var term: String = "crash"

    @Option(help: "How the term is compared: case-insensitive or case-sensitive.")
    var match: String = TermMatching.caseInsensitive.rawValue

    @Option(help: "Severities that count, comma-separated, from Low, Medium, High, Critical.")
    var severities: String = "High,Critical"

    @Option(help: "When counts are emitted: update (every changed row, every batch) or append (once, when the window closes).")
    var mode: String = OutputMode.update.rawValue

    /// The options as rule settings; a value that cannot be read is a usage error naming the option.
    func ruleSettings() throws -> RuleSettings {
        let windowMs = try Self.duration(window, option: "--window")
        let delayMs = try Self.duration(watermark, option: "--watermark")
        guard windowMs > 0 else { throw ValidationError("--window must be longer than 0 s") }
        guard threshold >= 0 else { throw ValidationError("--threshold must not be negative, not \(threshold)") }
        guard !term.isEmpty else { throw ValidationError("--term must not be empty") }
        guard let matching = TermMatching(rawValue: match) else {
            throw ValidationError("--match '\(match)' is neither case-insensitive nor case-sensitive")
        }
        var chosen: Set<Severity> = []
        for name in severities.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let severity = Severity.allCases.first(where: { $0.rawValue.lowercased() == trimmed.lowercased() }) else {
                throw ValidationError("--severities: '\(trimmed)' is not one of Low, Medium, High, Critical")
            }
            chosen.insert(severity)
        }
        guard let outputMode = OutputMode(rawValue: mode) else {
            throw ValidationError("--mode '\(mode)' is neither update nor append")
        }
        return RuleSettings(
            windowMs: windowMs, watermarkDelayMs: delayMs, threshold: threshold, term: term, matching: matching,
            severities: chosen, mode: outputMode)
    }

    func validate() throws {
        _ = try ruleSettings()
    }

    static func duration(_ text: String, option: String) throws -> Int64 {
        do {
            return try DurationText.milliseconds(text)
        } catch {
            throw ValidationError("\(option): \(error.description)")
        }
    }
}

/// Where the detector reads, writes and checkpoints, and how it batches.
struct DetectorServiceOptions: ParsableArguments {
    @Option(help: "The topic of log events.")
    var topic: String = "logs"

    @Option(help: "The consumer group that all instances of this detector share.")
    var group: String = "windtunnel-detector"

    @Option(help: "This instance's name; it names its checkpoint and its batch-log lines.")
    var instance: String = "detector-0"

    @Option(help: "The micro-batch interval, e.g. 1s.")
    var trigger: String = "1s"

    @Option(help: "Where alerts go: jsonl:PATH, kafka:TOPIC or console; repeat for several.")
    var alerts: [String] = []

    @Option(name: .customLong("batch-log"), help: "A file to append one JSON line per micro-batch to.")
    var batchLog: String?

    @Option(help: "The checkpoint folder, shared by all instances; without it a restart starts over.")
    var checkpoint: String?

    @Option(name: .customLong("until-idle"), help: "Stop after no record arrived for this long, e.g. 10s.")
    var untilIdle: String?

    @Option(name: .customLong("max-records-per-batch"), help: "At most this many records per micro-batch.")
    var maxRecordsPerBatch: Int?

    func validate() throws {
        guard !topic.isEmpty else { throw ValidationError("--topic must not be empty") }
        guard !group.isEmpty else { throw ValidationError("--group must not be empty") }
        guard !instance.isEmpty, !instance.contains("/"), instance != "partitions", instance != "." , instance != ".." else {
            throw ValidationError("--instance '\(instance)' must be a non-empty name without '/' (it names a folder), other than 'partitions'")
        }
        let triggerMs = try DetectorRuleOptions.duration(trigger, option: "--trigger")
        guard triggerMs > 0 else { throw ValidationError("--trigger must be longer than 0 s") }
        guard triggerMs <= MicroBatchTrigger.longestMs else {
            throw ValidationError(
                "--trigger \(trigger) is longer than \(DurationText.render(milliseconds: MicroBatchTrigger.longestMs)), the longest micro-batch interval")
        }
        for text in alerts {
            do {
                _ = try AlertDestination(parsing: text)
            } catch {
                throw ValidationError(error.message)
            }
        }
        if let untilIdle, try DetectorRuleOptions.duration(untilIdle, option: "--until-idle") <= 0 {
            throw ValidationError("--until-idle must be longer than 0 s")
        }
        if let maxRecordsPerBatch, maxRecordsPerBatch < 1 {
            throw ValidationError("--max-records-per-batch must be at least 1, not \(maxRecordsPerBatch)")
        }
    }
}
