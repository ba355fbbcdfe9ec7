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
        }
        if let summary = object(atPath: "\(folder.manifestFolder)/summary.json") {
            figures.scheduleLagP99Ms = summary.double("schedule_lag", "p99_ms").map { Int64($0.rounded(.up)) }
            if let achieved = summary.double("achieved_rps"), let target = summary.double("target_rps"), target > 0 {
                figures.achievedRateFraction = achieved / target
            }
        }
        figures.memoryGrowthFraction = memoryGrowth(monitorFile: folder.monitorFile)
        return figures
    }

    /// The detectors' resident memory at minute 9 against minute 2, from the live view's records.
    static func memoryGrowth(monitorFile: String) -> Double? {
        guard let data = FileManager.default.contents(atPath: monitorFile) else { return nil }
        var samples: [(second: Double, kb: Double)] = []
        var origin: Double?
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let at = (object["at_ms"] as? NSNumber)?.doubleValue,
                let memory = object["resident_kb"] as? [String: Any], !memory.isEmpty
            else { continue }
            let start = origin ?? at
            origin = start
            samples.append(((at - start) / 1_000, memory.values.compactMap { ($0 as? NSNumber)?.doubleValue }.reduce(0, +)))
        }
        func near(_ second: Double) -> Double? {
            samples.min { abs($0.second - second) < abs($1.second - second) }.flatMap { abs($0.second - second) <= 5 ? $0.kb : nil }
        }
        guard let early = near(120), let late = near(540), early > 0 else { return nil }
        return late / early - 1
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
