import Foundation

/// Reads a finished run's figures from the validator's `validation.json` and the generator's `summary.json`.
/// Only the few fields the expectations need are read, by path, so that either report can grow freely.
enum RunFiguresReader {
    static func read(folder: ResultsFolder) -> RunFigures {
        var figures = RunFigures()
        if let validation = object(atPath: "\(folder.reportFolder)/validation.json") {
            figures.verdict = validation.string("verdict")
            let outcomes = ["matched", "missing", "spurious", "count_mismatch"].map { validation.int("alerts", "outcomes", $0) }
            if outcomes.allSatisfy({ $0 != nil }) { figures.judgedAlerts = outcomes.compactMap { $0 }.reduce(0, +) }
            figures.latencyP99Ms = validation.int("latency", "since_window_end", "p99_ms").map(Int64.init)
            figures.lateDropped = validation.int("events", "late_dropped", "lower")
            figures.onTimeDropped = validation.int("events", "on_time_dropped", "lower")
        }
        if let summary = object(atPath: "\(folder.manifestFolder)/summary.json") {
            figures.scheduleLagP99Ms = summary.double("schedule_lag", "p99_ms").map { Int64($0.rounded(.up)) }
        }
        figures.achievedRateFraction = GeneratorSummaryFile.read(folder: folder.manifestFolder)?.deliveredRateFraction
        if let memory = detectorMemory(monitorFile: folder.monitorFile) {
            figures.memoryMinuteTwoKB = memory.minuteTwoKB
            figures.memoryMinuteNineKB = memory.minuteNineKB
        }
        return figures
    }

    /// The detectors' resident memory at minutes 2 and 9 of the run, from the live view's once-a-second
    /// records: the median of the samples of the minute that starts there, so that one sample caught at an
    /// allocator's high-water mark (or just after memory was handed back) does not decide. Nil when either
    /// minute has fewer than 30 samples.
    static func detectorMemory(monitorFile: String) -> (minuteTwoKB: Double, minuteNineKB: Double)? {
        guard let data = FileManager.default.contents(atPath: monitorFile) else { return nil }
        var minuteTwo: [Double] = []
        var minuteNine: [Double] = []
        var origin: Double?
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let at = (object["at_ms"] as? NSNumber)?.doubleValue,
                let memory = object["resident_kb"] as? [String: Any], !memory.isEmpty
            else { continue }
            let start = origin ?? at
            origin = start
            let second = (at - start) / 1_000
            let kb = memory.values.compactMap { ($0 as? NSNumber)?.doubleValue }.reduce(0, +)
            if (120..<180).contains(second) { minuteTwo.append(kb) }
            if (540..<600).contains(second) { minuteNine.append(kb) }
        }
        func median(_ values: [Double]) -> Double? {
            guard values.count >= 30 else { return nil }
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        guard let early = median(minuteTwo), let late = median(minuteNine) else { return nil }
        return (early, late)
    }

    private static func object(atPath path: String) -> JSONObject? {
        guard let data = FileManager.default.contents(atPath: path),
            let value = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return JSONObject(value: value)
    }
}

/// A parsed JSON object, read by key path.
private struct JSONObject {
    let value: [String: Any]

    func lookup(_ path: [String]) -> Any? {
        var current: Any? = value
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    func string(_ path: String...) -> String? { lookup(path) as? String }
    func int(_ path: String...) -> Int? { (lookup(path) as? NSNumber)?.intValue }
    func double(_ path: String...) -> Double? { (lookup(path) as? NSNumber)?.doubleValue }
}
