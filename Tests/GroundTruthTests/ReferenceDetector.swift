import Contracts
import GroundTruth

/// A deterministic random source, so every generated stream is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One record of a test stream: an event, or a raw (usually malformed) value.
struct LogEvent {
    var timestamp: Int64
    var user: String
    var severity: String = "High"
    var content: String = "app crash in renderer"
    var partition: Int32 = 0
    /// A raw value to send instead of the event's JSON.
    var raw: String?

    var json: String {
        if let raw { return raw }
        return "{\"timestamp\": \(timestamp), \"status\": \"OK\", \"severity\": \(JSONText.quoted(severity)), "
            + "\"source_ip\": \"10.1.2.3\", \"user_id\": \(JSONText.quoted(user)), \"content\": \(JSONText.quoted(content))}"
    }
}

/// The bugs a test can give the reference detector.
struct DetectorBugs {
    var anySeverity = false
    var otherCase = false
    var noWatermark = false
    var zeroDelay = false
    var processingTime = false
    var seconds = false
    var thresholdAtLeast = false
    var windowOffset: Int64 = 0
}

/// What a detector run left behind: its alerts, its batch log, and the topic it read.
struct DetectorRun {
    var alerts: [AlertRecord] = []
    var log: [BatchLogEntry] = []
    var records: [InputRecord] = []
}

/// A small, slow, obviously written detector used to build the outputs tests judge. It follows the rule
/// as the task states it, independently of the module under test, and can be given one bug at a time.
func runDetector(
    batches: [[LogEvent]], rule: RuleSettings, bugs: DetectorBugs = DetectorBugs(), start: Int64 = base, batchSpacing: Int64 = 5_000
) -> DetectorRun {
    var run = DetectorRun()
    var nextOffset: [Int32: Int64] = [:]
    var counts: [String: Int] = [:]  // "start|user" -> count
    var windows: [String: (start: Int64, user: String)] = [:]
    var evict: Int64 = 0
    var seen: Int64?
    let delay = bugs.zeroDelay ? 0 : rule.watermarkDelayMs
    let threshold = bugs.thresholdAtLeast ? rule.threshold - 1 : rule.threshold
    for (batch, events) in batches.enumerated() {
        let startedAt = start + Int64(batch + 1) * batchSpacing + 500
        let late = evict
        if batch > 0, let seen { evict = max(evict, seen - delay) }
        var batchSeen: Int64?
        var changed: [String] = []
        for event in events {
            let offset = nextOffset[event.partition, default: 0]
            nextOffset[event.partition] = offset + 1
            run.records.append(
                InputRecord(
                    partition: event.partition, offset: offset, kafkaTimestampMs: startedAt - 300, value: Array(event.json.utf8)))
            guard event.raw == nil else { continue }
            let caseSensitive = (rule.matching == .caseSensitive) != bugs.otherCase
            let hasTerm = caseSensitive ? event.content.contains(rule.term) : event.content.lowercased().contains(rule.term.lowercased())
            let severityOK = bugs.anySeverity || rule.severities.contains { $0.rawValue == event.severity }
            guard hasTerm, severityOK else { continue }
            let time = bugs.processingTime ? startedAt : (bugs.seconds ? event.timestamp * 1000 : event.timestamp)
            batchSeen = max(batchSeen ?? time, time)
            let windowStart = floorDiv(time - bugs.windowOffset, rule.windowMs) * rule.windowMs + bugs.windowOffset
            if !bugs.noWatermark, windowStart + rule.windowMs <= late { continue }
            let key = "\(windowStart)|\(event.user)"
            counts[key, default: 0] += 1
            windows[key] = (windowStart, event.user)
            if !changed.contains(key) { changed.append(key) }
        }
        let endedAt = startedAt + 200
        func alert(_ key: String) -> AlertRecord? {
            guard let window = windows[key], let count = counts[key], count > threshold else { return nil }
            return AlertRecord(
                windowStart: window.start, windowEnd: window.start + rule.windowMs, userId: window.user, crashCount: count,
                emittedAt: endedAt, batch: Int64(batch))
        }
        if rule.mode == .update { run.alerts += changed.compactMap(alert) }
        if !bugs.noWatermark {
            for key in windows.keys.sorted() where windows[key].map({ $0.start + rule.windowMs <= evict }) == true {
                if rule.mode == .append, let alert = alert(key) { run.alerts.append(alert) }
                windows[key] = nil
                counts[key] = nil
            }
        }
        if let batchSeen { seen = max(seen ?? batchSeen, batchSeen) }
        run.log.append(
            BatchLogEntry(
                batch: Int64(batch), lateWatermarkMs: bugs.noWatermark ? 0 : late, evictionWatermarkMs: bugs.noWatermark ? 0 : evict,
                endOffsets: nextOffset, startedAt: startedAt, endedAt: endedAt, instance: "detector-0"))
    }
    return run
}

/// Epoch milliseconds of the tests' streams: 2026-01-21, on a window boundary.
let base: Int64 = 1_769_000_000_000

func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
    value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
}

extension [AlertRecord] {
    var jsonLines: String { map(\.jsonLine).joined(separator: "\n") }
}

/// Runs ground truth over `records` and judges `alerts` against it.
func judge(
    _ records: [InputRecord], alerts: [AlertRecord], rule: RuleSettings, log: [BatchLogEntry]?,
    model: ReadabilityModel = ReadabilityModel()
) throws -> (ValidationResult, ExpectedOutcome) {
    var tally = try ReplayTally(rule: rule, batchLog: log, model: model)
    for record in records { tally.record(record) }
    let expected = tally.finish()
    let observed = try AlertReader.jsonLines(alerts.jsonLines, source: "alerts.jsonl")
    return (ValidationResult(expected: expected, observed: observed), expected)
}
