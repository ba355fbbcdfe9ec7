import Contracts
import GroundTruth
import Testing

/// The hand-built stream of the exact-mode tests; every expected number below is worked out by hand from
/// the rule (window 10 s, delay 30 s, threshold 2), with `base` on a window boundary.
///
/// - batch 0: user_1 three High events in [base, base+10s); user_2 two Critical events there, and one Low.
///   maxSeen(0) = base+5s (the Low event does not count towards it).
/// - batch 1: user_3 three events in [base+50s, base+60s); user_2 a late event at base+7s, counted because
///   late(1) = 0. maxSeen(1) = base+52s.
/// - batch 2: evict(2) = base+22s closes [base, base+10s); late(2) = evict(1) = max(0, base+5s-30s).
/// - batch 3: late(3) = base+22s: user_1's event at base+4s is dropped; user_5's at base+25s is counted.
/// - batch 4: a tail event at base+100s; batch 5 has no data and evict(5) = base+70s closes user_3's window.
private let stream: [[LogEvent]] = [
    [
        LogEvent(timestamp: base + 1_000, user: "user_1"), LogEvent(timestamp: base + 2_000, user: "user_1"),
        LogEvent(timestamp: base + 3_000, user: "user_1"),
        LogEvent(timestamp: base + 5_000, user: "user_2", severity: "Critical"),
        LogEvent(timestamp: base + 5_000, user: "user_2", severity: "Critical"),
        LogEvent(timestamp: base + 6_000, user: "user_2", severity: "Low"),
    ],
    [
        LogEvent(timestamp: base + 50_000, user: "user_3", partition: 1), LogEvent(timestamp: base + 51_000, user: "user_3", partition: 1),
        LogEvent(timestamp: base + 52_000, user: "user_3", partition: 1), LogEvent(timestamp: base + 7_000, user: "user_2"),
    ],
    [LogEvent(timestamp: base + 1_000, user: "user_4")],
    [LogEvent(timestamp: base + 4_000, user: "user_1"), LogEvent(timestamp: base + 25_000, user: "user_5", partition: 1)],
    [LogEvent(timestamp: base + 100_000, user: "user_9")],
    [],
]

@Suite("Exact mode")
struct ExactModeTests {
    let rule = RuleSettings()

    @Test(arguments: [OutputMode.update, .append])
    func correctOutputPasses(mode: OutputMode) throws {
        var rule = self.rule
        rule.mode = mode
        let run = runDetector(batches: stream, rule: rule)
        let (result, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: run.log)
        #expect(result.verdict == .pass, "\(result.failures)")
        #expect(result.mode == .exact)
        #expect(result.alerts.outcomes.matched == 3)
        #expect(expected.window(start: base, user: "user_2")?.count == CountRange(exactly: 3))
        #expect(expected.window(start: base, user: "user_1")?.count == CountRange(exactly: 3))
        #expect(expected.window(start: base, user: "user_1")?.dropped == CountRange(exactly: 1))
        #expect(expected.window(start: base + 20_000, user: "user_5")?.count == CountRange(exactly: 1))
        #expect(expected.events.lateDropped == CountRange(exactly: 1))
        #expect(expected.events.matching == 13)
        #expect(expected.events.records == 14)
        #expect(result.watermarks.disagreements == 0)
        #expect(result.watermarks.finalWatermarks.map(\.watermarkMs) == [base + 70_000])
    }

    @Test func aDroppedEventTheManifestSaysWasSentOnTimeIsCountedApart() throws {
        let run = runDetector(batches: stream, rule: rule)
        // The one dropped event (user_1 at base+4s, batch 3): first as the generator's late event, then as one
        // it sent on time, whose drop only a watermark that ran ahead can explain.
        for onTime in [false, true] {
            let records = run.records.map { record in
                var record = record
                record.facts = RecordFacts(latenessClass: onTime ? "on-time" : "within", onTime: onTime)
                return record
            }
            let (_, expected) = try judge(records, alerts: run.alerts, rule: rule, log: run.log)
            #expect(expected.events.lateDropped == CountRange(exactly: 1))
            #expect(expected.events.onTimeDropped == CountRange(exactly: onTime ? 1 : 0))
        }
        let (_, withoutManifest) = try judge(run.records, alerts: run.alerts, rule: rule, log: run.log)
        #expect(withoutManifest.events.onTimeDropped == CountRange(exactly: 0))
    }

    @Test func appendModeEvidenceIsTheClosingBatch() throws {
        var rule = self.rule
        rule.mode = .append
        let run = runDetector(batches: stream, rule: rule)
        let (_, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: run.log)
        #expect(expected.window(start: base, user: "user_1")?.evidenceBatch == 2)
        #expect(expected.window(start: base + 50_000, user: "user_3")?.evidenceBatch == 5)
        // The window closed in batch 2, which started at base + 3 * 5 s + 500 ms.
        #expect(expected.window(start: base, user: "user_1")?.watermarkPassedAt == base + 15_500)
    }

    @Test func wrongLoggedWatermarkIsNamedWithBothValues() throws {
        var run = runDetector(batches: stream, rule: rule)
        run.log[3].lateWatermarkMs = 0
        let (result, _) = try judge(run.records, alerts: run.alerts, rule: rule, log: run.log)
        #expect(result.verdict == .fail)
        #expect(result.watermarks.disagreements == 1)
        #expect(result.watermarks.examples.first?.message == "instance detector-0, batch 3: logged late watermark 0, expected \(base + 22_000)")
    }

    @Test func removedChangedAndAddedAlertsGiveExactlyThoseFindings() throws {
        let run = runDetector(batches: stream, rule: rule)
        var alerts = run.alerts.filter { $0.userId != "user_3" }
        let index = try #require(alerts.firstIndex { $0.userId == "user_1" })
        alerts[index].crashCount = 4
        alerts.append(AlertRecord(windowStart: base + 20_000, windowEnd: base + 30_000, userId: "user_5", crashCount: 3, emittedAt: base + 25_000, batch: 3))
        let (result, _) = try judge(run.records, alerts: alerts, rule: rule, log: run.log)
        #expect(result.verdict == .fail)
        let outcomes = result.alerts.outcomes
        #expect(outcomes.missing == 1 && outcomes.countMismatch == 1 && outcomes.spurious == 1 && outcomes.matched == 1)
        #expect(result.alerts.duplicates == 0)
        let failing = result.alerts.examples.filter(\.outcome.fails)
        #expect(failing.count == 3)
        #expect(failing.contains { $0.outcome == .missing && $0.userId == "user_3" })
        #expect(failing.contains { $0.outcome == .countMismatch && $0.userId == "user_1" && $0.observed == 4 && $0.expected == CountRange(exactly: 3) })
        #expect(failing.contains { $0.outcome == .spurious && $0.userId == "user_5" })
    }

    @Test func replaysAreNotDuplicatesButReemissionsAre() throws {
        let run = runDetector(batches: stream, rule: rule)
        let replayed = run.alerts + run.alerts.map { alert in
            var copy = alert
            copy.emittedAt += 60_000
            return copy
        }
        let (replay, _) = try judge(run.records, alerts: replayed, rule: rule, log: run.log)
        #expect(replay.verdict == .pass, "\(replay.failures)")
        #expect(replay.alerts.replays == run.alerts.count)

        var again = run.alerts
        var copy = try #require(run.alerts.first)
        copy.batch += 10
        again.append(copy)
        let (duplicate, _) = try judge(run.records, alerts: again, rule: rule, log: run.log)
        #expect(duplicate.verdict == .fail)
        #expect(duplicate.alerts.duplicates == 1)
        #expect(duplicate.alerts.duplicateExamples.first?.reason.contains("emitted again") == true)
    }

    @Test func updateModeCountGoingDownIsAFinding() throws {
        let run = runDetector(batches: stream, rule: rule)
        var alerts = run.alerts
        var lower = try #require(alerts.first { $0.userId == "user_1" })
        lower.crashCount = 2
        lower.batch = 4
        alerts.append(lower)
        let (result, _) = try judge(run.records, alerts: alerts, rule: rule, log: run.log)
        #expect(result.alerts.duplicates == 1)
        #expect(result.alerts.duplicateExamples.first?.reason == "count went down from 3 to 2 (batches 0 and 4)")
    }

    @Test func appendModeAllowsOneEmissionOnly() throws {
        var rule = self.rule
        rule.mode = .append
        let run = runDetector(batches: stream, rule: rule)
        var alerts = run.alerts
        var second = try #require(alerts.first)
        second.batch += 1
        alerts.append(second)
        let (result, _) = try judge(run.records, alerts: alerts, rule: rule, log: run.log)
        #expect(result.verdict == .fail)
        #expect(result.alerts.duplicates == 1)
    }

    @Test func batchIdWrittenAgainReplacesTheEarlierLine() throws {
        let run = runDetector(batches: stream, rule: rule)
        var log = run.log
        // A restart wrote batch 2 first with nonsense, then again correctly: the later line wins.
        var stale = log[2]
        stale.lateWatermarkMs = 123
        stale.endOffsets = [0: 1]
        log.insert(stale, at: 2)
        let (result, _) = try judge(run.records, alerts: run.alerts, rule: rule, log: log)
        #expect(result.verdict == .pass, "\(result.failures)")
    }

    @Test func windowsPastTheFinalWatermarkAreOpenNotFailed() throws {
        // Without the tail and the no-data batch, user_3's window never closes.
        let run = runDetector(batches: Array(stream.prefix(4)), rule: rule)
        let (result, expected) = try judge(run.records, alerts: [], rule: rule, log: run.log)
        #expect(expected.window(start: base + 50_000, user: "user_3")?.isOpen == true)
        #expect(result.alerts.outcomes.open >= 1)
        #expect(result.alerts.outcomes.missing == 2)
    }

    @Test func recordsBeyondTheBatchLogAreCountedAsUnread() throws {
        let run = runDetector(batches: stream, rule: rule)
        let (result, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: Array(run.log.prefix(3)))
        #expect(expected.events.unreadByDetector == 3)
        #expect(expected.window(start: base + 20_000, user: "user_5")?.unread == 1)
        #expect(result.notes.contains { $0.contains("beyond the batch log") })
    }

    @Test func missingBatchIdsAdvanceTheWatermarkLikeNoDataBatches() throws {
        let run = runDetector(batches: stream, rule: rule)
        // Batch 5 read nothing; without its line the closing must still be derived for batch 6.
        var log = Array(run.log.prefix(5))
        var sixth = run.log[5]
        sixth.batch = 6
        sixth.lateWatermarkMs = base + 70_000
        log.append(sixth)
        let (result, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: log)
        #expect(expected.window(start: base + 50_000, user: "user_3")?.isOpen == false)
        #expect(result.watermarks.disagreements == 0, "\(result.watermarks.examples.map(\.message))")
    }

    @Test func severalInstancesKeepTheirOwnWatermarks() throws {
        // Partition 1 read by a second instance that never saw partition 0's data.
        let run = runDetector(batches: stream, rule: rule)
        let (result, expected) = try judge(run.records, alerts: run.alerts, rule: rule, log: splitByPartition(run.log))
        #expect(result.watermarks.finalWatermarks.count == 2)
        // Instance "p1" saw base+52s at most (plus base+25s), so its final watermark is base+22s and user_3's
        // window, ending at base+60s, stays open there.
        #expect(result.watermarks.finalWatermarks.first { $0.instance == "p1" }?.watermarkMs == base + 22_000)
        #expect(expected.window(start: base + 50_000, user: "user_3")?.isOpen == true)
    }

    private func splitByPartition(_ log: [BatchLogEntry]) -> [BatchLogEntry] {
        log.flatMap { entry in
            [Int32(0), 1].map { partition in
                var copy = entry
                copy.instance = "p\(partition)"
                copy.endOffsets = entry.endOffsets.filter { $0.key == partition }
                return copy
            }
        }
    }

    @Test func badBatchLogIsRefusedWithANamedReason() {
        #expect(throws: SetupError.self) { try ReplayTally(rule: RuleSettings(), batchLog: []) }
        let entry = BatchLogEntry(batch: -1, lateWatermarkMs: 0, evictionWatermarkMs: 0, endOffsets: [0: 1], startedAt: 0, endedAt: 0, instance: "a")
        do {
            _ = try ReplayTally(rule: RuleSettings(), batchLog: [entry])
            Issue.record("a negative batch id was accepted")
        } catch {
            #expect(error.message.contains("negative id"))
        }
        #expect(throws: SetupError.self) { try ReplayTally(rule: RuleSettings(windowMs: 0)) }
    }
}
