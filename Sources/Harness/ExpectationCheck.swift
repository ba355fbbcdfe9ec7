import Contracts
/// The figures of a finished run that a scenario's expectations are checked against. Each is nil when the
/// run did not produce it (no validation report, no generator summary).
public struct RunFigures: Sendable, Equatable, Codable {
    /// The validator's verdict, `pass` or `fail`.
    public var verdict: String?
    /// Closed (window, user) pairs the validator judged: matched, missing, spurious or with a wrong count.
    public var judgedAlerts: Int?
    /// Alert latency p99, emission minus window end, ms.
    public var latencyP99Ms: Int64?
    /// Matching records a correct detector drops as late (the lower bound in interval mode).
    public var lateDropped: Int?
    /// Of those, the records the generator sent on time.
    public var onTimeDropped: Int?
    /// The longest time a detector instance completed no batch while it had records to read, ms; nil without
    /// a batch log.
    public var longestStallMs: Int64?
    /// Which instance stalled longest, and from when (ms after the stream started).
    public var longestStall: StallFinding?
    /// The generator's schedule-lag p99, ms.
    public var scheduleLagP99Ms: Int64?
    /// The generator's achieved rate as a fraction of its target.
    public var achievedRateFraction: Double?
    /// A ramp's highest rate that the detector kept up with, records per second (0 when none).
    public var sustainedRps: Double?
    /// The detectors' resident memory (all instances together, median of the once-a-second samples) over
    /// the minute from 2 to 3 minutes into the run, kB; nil for runs shorter than 9 minutes.
    public var memoryMinuteTwoKB: Double?
    /// The same over the minute from 9 to 10 minutes into the run, kB.
    public var memoryMinuteNineKB: Double?

    /// Minute 9's memory against minute 2's, as a fraction of minute 2's (0.05: 5% more).
    public var memoryGrowthFraction: Double? {
        guard let early = memoryMinuteTwoKB, let late = memoryMinuteNineKB, early > 0 else { return nil }
        return late / early - 1
    }

    public init() {}
}

/// One expectation of a scenario, checked.
public struct ExpectationResult: Sendable, Equatable, Codable {
    /// What was expected, in the scenario's words (`verdict`, `min_judged_alerts`, ...).
    public var name: String
    /// The bound, as text.
    public var expected: String
    /// What the run gave, as text (`missing` when the run did not produce the figure).
    public var actual: String
    public var passed: Bool
}

/// Checks a run's figures against its scenario's expectations. A figure the run did not produce fails the
/// expectation that needs it: a run that could not show a bound holds has not shown it.
public enum ExpectationCheck {
    /// `defaultStallMs`: the stall bound when the scenario gives none (its window plus watermark delay).
    public static func check(_ expectations: Expectations, against figures: RunFigures, defaultStallMs: Int64) -> [ExpectationResult] {
        var results: [ExpectationResult] = []
        func add(_ name: String, _ expected: String, _ actual: String?, _ holds: Bool?) {
            results.append(ExpectationResult(name: name, expected: expected, actual: actual ?? "missing", passed: holds ?? false))
        }
        add("verdict", expectations.verdict, figures.verdict, figures.verdict.map { $0 == expectations.verdict })
        add("min_judged_alerts", ">= \(expectations.minJudgedAlerts)", figures.judgedAlerts.map(String.init),
            figures.judgedAlerts.map { $0 >= expectations.minJudgedAlerts })
        if let bound = expectations.latencyP99MaxMs {
            add("latency_p99_max", "<= \(bound) ms", figures.latencyP99Ms.map { "\($0) ms" }, figures.latencyP99Ms.map { $0 <= bound })
        }
        if let bound = expectations.scheduleLagP99MaxMs {
            add("schedule_lag_p99_max", "<= \(bound) ms", figures.scheduleLagP99Ms.map { "\($0) ms" },
                figures.scheduleLagP99Ms.map { $0 <= bound })
        }
        if let bound = expectations.minAchievedRateFraction {
            add("min_achieved_rate", ">= \(percent(bound)) of target", figures.achievedRateFraction.map(percent),
                figures.achievedRateFraction.map { $0 >= bound })
        }
        if let bound = expectations.maxMemoryGrowthFraction {
            let actual = figures.memoryGrowthFraction.map { growth in
                percent(growth) + String(format: " (%.1f MB to %.1f MB)", (figures.memoryMinuteTwoKB ?? 0) / 1_024, (figures.memoryMinuteNineKB ?? 0) / 1_024)
            }
            add("max_memory_growth", "<= \(percent(bound)) from minute 2 to minute 9", actual, figures.memoryGrowthFraction.map { $0 <= bound })
        }
        if let bound = expectations.minLateDropped {
            add("min_late_dropped", ">= \(bound)", figures.lateDropped.map(String.init), figures.lateDropped.map { $0 >= bound })
        }
        if let bound = expectations.maxLateDropped {
            add("max_late_dropped", "<= \(bound)", figures.lateDropped.map(String.init), figures.lateDropped.map { $0 <= bound })
        }
        add(
            "max_on_time_dropped", "<= \(expectations.maxOnTimeDropped)", figures.onTimeDropped.map(String.init),
            figures.onTimeDropped.map { $0 <= expectations.maxOnTimeDropped })
        if expectations.maxStallMs != nil || figures.longestStallMs != nil {
            let bound = expectations.maxStallMs ?? defaultStallMs
            let actual = figures.longestStallMs.map { stall in
                DurationText.render(milliseconds: stall) + (figures.longestStall.map { " (\($0.description))" } ?? "")
            }
            add("max_stall", "<= \(DurationText.render(milliseconds: bound))", actual, figures.longestStallMs.map { $0 <= bound })
        }
        return results
    }

    private static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1_000).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)%"
    }
}
