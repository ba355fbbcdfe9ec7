import Contracts
import GroundTruth
import Testing

/// A busy stream for the diagnosis: 20 users, mixed severities and spellings of the term, late events
/// within and beyond the delay, bursts of events a few milliseconds apart, and a tail that closes every
/// window. Batch k reads the events of [base + 5k s, base + 5(k+1) s) plus its late ones.
func busyStream(seed: UInt64 = 7) -> [[LogEvent]] {
    var random = SplitMix64(state: seed)
    let contents = ["app crash in renderer", "CRASH detected", "Crash loop", "all fine", "crashed worker"]
    let severities = ["High", "Critical", "High", "Critical", "High", "Critical", "Low", "Medium"]
    var batches: [[LogEvent]] = []
    for k in Int64(0)..<12 {
        let spanStart = base + k * 5_000
        var events: [LogEvent] = []
        // Events are keyed by user, so a user's events share a partition.
        func event(_ timestamp: Int64, _ user: Int, random: inout SplitMix64) -> LogEvent {
            LogEvent(
                timestamp: timestamp, user: "user_\(user)", severity: severities.randomElement(using: &random) ?? "High",
                content: contents.randomElement(using: &random) ?? "", partition: Int32(user % 2))
        }
        for _ in 0..<8 {
            let user = Int.random(in: 1000...1019, using: &random)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                events.append(event(spanStart + Int64.random(in: 0..<5_000, using: &random), user, random: &random))
            }
        }
        if k >= 3 {
            for _ in 0..<3 {
                let user = Int.random(in: 1000...1019, using: &random)
                events.append(event(spanStart - Int64.random(in: 8_000...25_000, using: &random), user, random: &random))
            }
        }
        if k >= 4 {
            for _ in 0..<3 {
                let user = Int.random(in: 1000...1019, using: &random)
                events.append(event(spanStart - Int64.random(in: 45_000...80_000, using: &random), user, random: &random))
            }
        }
        if k % 3 == 1 {
            let user = Int.random(in: 1000...1019, using: &random)
            let burst = spanStart + 1_230
            events += (0..<3).map { LogEvent(timestamp: burst + $0, user: "user_\(user)", severity: "Critical", content: "crash", partition: Int32(user % 2)) }
        }
        if k == 11 {
            // Far beyond the delay, into a window ending 10 s before `base`: dropped by the rule in either mode.
            events += (0..<3).map { LogEvent(timestamp: base - 15_000 + $0, user: "user_1010", content: "crash", partition: 0) }
        }
        events.append(LogEvent(timestamp: spanStart, user: "user_2000", raw: "{\"timestamp\": \(spanStart), \"user_id\": 5}"))
        batches.append(events)
    }
    for j in Int64(0)..<12 {
        batches.append([LogEvent(timestamp: base + (12 + j) * 5_000, user: "user_\(9_000 + j)", partition: Int32(j & 1))])
    }
    return batches + [[], []]
}

@Suite("Diagnosis")
struct DiagnosisTests {
    let rule = RuleSettings()
    let stream = busyStream()

    @Test(arguments: [OutputMode.update, .append])
    func correctOutputOfTheBusyStreamPassesInBothModes(mode: OutputMode) throws {
        var rule = self.rule
        rule.mode = mode
        let run = runDetector(batches: stream, rule: rule)
        let (exact, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: run.log)
        #expect(exact.verdict == .pass, "\(exact.failures)")
        #expect(exact.diagnosis.isEmpty)
        #expect(exact.alerts.outcomes.matched > 5)
        #expect(expected.events.lateDropped.lower > 0)
        #expect(expected.events.malformed.missingField == 12)
        let (interval, _) = try judge(run.records, alerts: run.alerts, rule: rule, log: nil)
        #expect(interval.verdict == .pass, "\(interval.failures)")
        #expect(interval.mode == .interval)
    }

    private func diagnose(_ bugs: DetectorBugs, log: Bool = true, mode: OutputMode = .update) throws -> ValidationResult {
        var rule = self.rule
        rule.mode = mode
        let run = runDetector(batches: stream, rule: rule, bugs: bugs)
        return try judge(run.records, alerts: run.alerts, rule: rule, log: log ? run.log : nil).0
    }

    private func expectFirst(_ bug: SuspectedBug, in result: ValidationResult) {
        #expect(result.verdict == .fail)
        #expect(result.diagnosis.first?.bug == bug, "\(result.diagnosis.map(\.sentence))")
        #expect(result.diagnosis.first.map { $0.explained > 0 && !$0.sentence.isEmpty } == true)
    }

    @Test func severityFilterMissing() throws {
        expectFirst(.severityFilterMissing, in: try diagnose(DetectorBugs(anySeverity: true)))
        expectFirst(.severityFilterMissing, in: try diagnose(DetectorBugs(anySeverity: true), log: false))
    }

    @Test func termMatchedCaseSensitively() throws {
        expectFirst(.termCaseSensitivity, in: try diagnose(DetectorBugs(otherCase: true)))
        expectFirst(.termCaseSensitivity, in: try diagnose(DetectorBugs(otherCase: true), log: false))
    }

    @Test func noWatermark() throws {
        let result = try diagnose(DetectorBugs(noWatermark: true))
        expectFirst(.noWatermark, in: result)
        #expect(result.watermarks.noWatermark)
        #expect(result.alerts.outcomes.spurious > 0)
        expectFirst(.noWatermark, in: try diagnose(DetectorBugs(noWatermark: true), log: false))
    }

    @Test func eventsWithinTheDelayDropped() throws {
        expectFirst(.eventsWithinDelayDropped, in: try diagnose(DetectorBugs(zeroDelay: true)))
    }

    @Test func processingTimeWindows() throws {
        expectFirst(.processingTimeWindows, in: try diagnose(DetectorBugs(processingTime: true)))
    }

    @Test func timestampReadAsSeconds() throws {
        let result = try diagnose(DetectorBugs(seconds: true))
        expectFirst(.timestampAsSeconds, in: result)
        #expect(result.alerts.outcomes.spurious > 0)
    }

    @Test func thresholdOffByOne() throws {
        expectFirst(.thresholdOffByOne, in: try diagnose(DetectorBugs(thresholdAtLeast: true)))
        expectFirst(.thresholdOffByOne, in: try diagnose(DetectorBugs(thresholdAtLeast: true), mode: .append))
        expectFirst(.thresholdOffByOne, in: try diagnose(DetectorBugs(thresholdAtLeast: true), log: false))
    }

    @Test func windowsNotAlignedToTheEpoch() throws {
        expectFirst(.windowsNotAligned, in: try diagnose(DetectorBugs(windowOffset: 3_000)))
    }

    @Test func duplicateEmissionsAfterARestart() throws {
        let run = runDetector(batches: stream, rule: rule)
        // The restarted detector lost its committed offsets and emitted batches 6 onwards again, renumbered.
        let again = run.alerts.filter { $0.batch >= 6 }.map { alert in
            var copy = alert
            copy.batch += 100
            return copy
        }
        #expect(!again.isEmpty)
        let (result, _) = try judge(run.records, alerts: run.alerts + again, rule: rule, log: run.log)
        expectFirst(.duplicateEmissionsAfterRestart, in: result)
        #expect(result.alerts.outcomes.missing == 0 && result.alerts.outcomes.spurious == 0)
    }

    @Test func outputStoppedEarly() throws {
        let run = runDetector(batches: stream, rule: rule)
        let kept = run.alerts.filter { $0.batch < 7 }
        #expect(kept.count < run.alerts.count)
        let (result, _) = try judge(run.records, alerts: kept, rule: rule, log: run.log)
        expectFirst(.outputStoppedEarly, in: result)
    }
}
