import Contracts
@testable import Detector
import Testing

/// The rule on hand-built sequences: windows, threshold, matching, late rows and watermarks.
@Suite("Window engine: the rule")
struct WindowRuleTests {
    let base: Int64 = 1_769_000_000_000

    func engine(_ rule: RuleSettings = RuleSettings()) throws -> WindowEngine {
        try WindowEngine(rule: rule)
    }

    @Test func anEventAtExactlyTheWindowEndStartsANewWindow() throws {
        var engine = try engine(RuleSettings(threshold: 0))
        let outcome = engine.batch([eventJSON(base + 9_999), eventJSON(base + 10_000)])
        #expect(outcome.alerts.map(\.windowStart) == [base, base + 10_000])
        #expect(outcome.alerts.map(\.windowEnd) == [base + 10_000, base + 20_000])
        #expect(outcome.alerts.map(\.crashCount) == [1, 1])
    }

    @Test func negativeTimesFloorToTheWindowBelow() {
        #expect(TumblingWindow.start(of: -1, length: 10_000) == -10_000)
        #expect(TumblingWindow.start(of: -10_000, length: 10_000) == -10_000)
        #expect(TumblingWindow.start(of: -10_001, length: 10_000) == -20_000)
        #expect(TumblingWindow.start(of: 0, length: 10_000) == 0)
        #expect(TumblingWindow.start(of: 9_999, length: 10_000) == 0)
    }

    @Test func windowsEndingAtOrBeforeTheEpochAreLateFromTheFirstBatch() throws {
        // The watermark starts at 0 and a row is late when its window end is <= it (Spark's rule).
        var engine = try engine(RuleSettings(threshold: 0))
        #expect(engine.ingest(eventJSON(-1)) == .lateDropped)
        #expect(engine.ingest(eventJSON(-10_001)) == .lateDropped)
        #expect(engine.ingest(eventJSON(0)) == .counted)
        #expect(engine.endBatch(now: 0).alerts.map(\.windowStart) == [0])
    }

    @Test func twoEventsDoNotAlertAndThreeDo() throws {
        var engine = try engine()
        let two = engine.batch([eventJSON(base + 1), eventJSON(base + 2)])
        #expect(two.alerts.isEmpty)
        let three = engine.batch([eventJSON(base + 3)])
        #expect(three.alerts.count == 1)
        #expect(three.alerts.first?.crashCount == 3)
        #expect(three.alerts.first?.userId == "user_1000")
    }

    @Test func countsAreKeptPerUser() throws {
        var engine = try engine()
        var events: [String] = (0..<3).map { eventJSON(base + $0, user: "user_1001") }
        events += (0..<2).map { eventJSON(base + $0, user: "user_1002") }
        events += (0..<4).map { eventJSON(base + $0, user: "alice") }
        let outcome = engine.batch(events)
        #expect(outcome.alerts.map(\.userId) == ["alice", "user_1001"])
        #expect(outcome.alerts.map(\.crashCount) == [4, 3])
    }

    @Test func caseVariantsCountAndDecoysDoNot() throws {
        var engine = try engine()
        let counted: [String] = ["crash", "CRASH", "App Crashed"].map { eventJSON(base, content: $0) }
        let decoys: [String] = ["crush", "cr ash", "trash"].map { eventJSON(base, content: $0) }
        let wrongSeverity: [String] = ["Low", "Medium", "high"].map { eventJSON(base, severity: $0) }
        let outcomes = engine.ingest(counted + decoys + wrongSeverity)
        let expected: [IngestOutcome] = Array(repeating: .counted, count: 3) + Array(repeating: .notMatching, count: 6)
        #expect(outcomes == expected)
        #expect(engine.endBatch(now: 0).alerts.map(\.crashCount) == [3])

        var sensitive = try self.engine(RuleSettings(matching: .caseSensitive))
        let outcome = sensitive.batch(counted)
        #expect(outcome.alerts.isEmpty)
        #expect(sensitive.stats.matched == 1)
    }

    @Test func malformedRecordsAreCountedByKindAndNeverMatch() throws {
        var engine = try engine(RuleSettings(threshold: 0))
        let values: [[UInt8]] = [
            Array("not json crash".utf8), [0xFF, 0x63, 0x72, 0x61, 0x73, 0x68], Array(#"{"content": "crash"}"#.utf8),
            Array(#"{"timestamp": "1", "severity": "High", "user_id": "u", "content": "crash"}"#.utf8), [],
        ]
        engine.beginBatch()
        let outcomes = values.map { value in value.withUnsafeBytes { engine.ingest(partition: 0, value: $0) } }
        #expect(outcomes == [.malformed(.invalidJSON), .malformed(.notUTF8), .malformed(.missingField), .malformed(.wrongType), .malformed(.invalidJSON)])
        #expect(engine.endBatch(now: 0).alerts.isEmpty)
        let stats = engine.stats
        #expect(stats.records == 5)
        #expect(stats.matched == 0)
        #expect(stats.malformed.invalidJSON == 2)
        #expect(stats.malformed.notUTF8 == 1)
        #expect(stats.malformed.missingField == 1)
        #expect(stats.malformed.wrongType == 1)
        #expect(stats.malformed.total == 5)
    }

    @Test func nothingIsDroppedInTheFirstTwoBatches() throws {
        var engine = try engine(RuleSettings(threshold: 0))
        engine.batch([eventJSON(base + 100_000)])
        // Batch 1 still filters with watermark 0, however far behind this row is.
        let outcome = engine.batch([eventJSON(base)])
        #expect(outcome.watermarks.lateWatermarkMs == 0)
        #expect(outcome.watermarks.evictionWatermarkMs == base + 70_000)
        #expect(outcome.alerts.map(\.windowStart) == [base])
        #expect(engine.stats.lateDropped == 0)
    }

    @Test func lateWithinTheDelayIsCountedAndBeyondIsDropped() throws {
        var engine = try engine(RuleSettings(threshold: 0))
        engine.batch([eventJSON(base + 100_000)])
        engine.batch([])
        // late(2) = evict(1) = base + 70 s: windows ending at or before it are dropped.
        let watermarks = engine.beginBatch()
        #expect(watermarks.lateWatermarkMs == base + 70_000)
        #expect(engine.ingest(eventJSON(base + 75_000)) == .counted)
        #expect(engine.ingest(eventJSON(base + 70_000)) == .counted)
        #expect(engine.ingest(eventJSON(base + 69_999)) == .lateDropped)
        #expect(engine.ingest(eventJSON(base + 60_000)) == .lateDropped)
        // A newer row that does not match leaves the watermark where it is.
        #expect(engine.ingest(eventJSON(base + 200_000, content: "fine")) == .notMatching)
        let outcome = engine.endBatch(now: 0)
        #expect(outcome.alerts.map(\.windowStart) == [base + 70_000])
        #expect(outcome.alerts.first?.crashCount == 2)
        #expect(engine.stats.lateDropped == 2)
        #expect(engine.beginBatch().evictionWatermarkMs == base + 70_000)
    }

    @Test func theWatermarkComesOnlyFromMatchingRows() throws {
        var engine = try engine()
        engine.batch([eventJSON(base, content: "all fine"), eventJSON(base, severity: "Low"), #"{"timestamp": 99999999999999}"#])
        #expect(engine.beginBatch().evictionWatermarkMs == 0)
        _ = engine.endBatch(now: 0)
        engine.batch([eventJSON(base + 50_000)])
        #expect(engine.beginBatch().evictionWatermarkMs == base + 20_000)
    }

    @Test func theWatermarkNeverDecreases() throws {
        var engine = try engine()
        var generator = SplitMix64(state: 7)
        var previous = BatchWatermarks(batch: -1, lateWatermarkMs: 0, evictionWatermarkMs: 0)
        var largest: Int64?
        for _ in 0..<200 {
            let watermarks = engine.beginBatch()
            #expect(watermarks.evictionWatermarkMs >= previous.evictionWatermarkMs)
            #expect(watermarks.lateWatermarkMs == previous.evictionWatermarkMs)
            if let largest { #expect(watermarks.evictionWatermarkMs == max(previous.evictionWatermarkMs, largest - 30_000)) }
            for _ in 0..<Int.random(in: 0..<5, using: &generator) {
                let time = base + Int64.random(in: -200_000..<200_000, using: &generator)
                engine.ingest(eventJSON(time))
                largest = max(largest ?? time, time)
            }
            previous = engine.endBatch(now: 0).watermarks
        }
    }

    @Test func updateModeEmitsChangedRowsEveryBatchAboveTheThreshold() throws {
        var engine = try engine()
        #expect(engine.batch((1...3).map { eventJSON(base + $0) }).alerts.map(\.crashCount) == [3])
        // An unchanged row is not emitted again; another user's change is.
        let other = engine.batch((1...3).map { eventJSON(base + $0, user: "user_1001") })
        #expect(other.alerts.map(\.userId) == ["user_1001"])
        #expect(engine.batch([eventJSON(base + 4)]).alerts.map(\.crashCount) == [4])
        #expect(engine.batch([]).alerts.isEmpty)
    }

    @Test func appendModeEmitsOnceWhenTheWatermarkPassesTheWindowEnd() throws {
        var engine = try engine(RuleSettings(mode: .append))
        #expect(engine.batch((1...3).map { eventJSON(base + $0) }).alerts.isEmpty)
        #expect(engine.batch([eventJSON(base + 1)]).alerts.isEmpty)
        #expect(engine.batch([eventJSON(base + 39_999)]).alerts.isEmpty)
        // This batch runs with eviction watermark base + 9 999 ms: one short of the window end.
        #expect(engine.batch([eventJSON(base + 40_000)]).alerts.isEmpty)
        // This batch runs with eviction watermark base + 10 s = the window end: evicted and emitted.
        let closing = engine.batch([])
        #expect(closing.watermarks.evictionWatermarkMs == base + 10_000)
        #expect(closing.alerts.map(\.crashCount) == [4])
        #expect(engine.stats.openWindows == 2)
        #expect(engine.batch([eventJSON(base + 100_000)]).alerts.isEmpty)
        #expect(engine.batch([]).alerts.isEmpty)
    }

    @Test func updateModeEvictsWithoutEmittingAgain() throws {
        var engine = try engine()
        #expect(engine.batch((1...3).map { eventJSON(base + $0) }).alerts.count == 1)
        engine.batch([eventJSON(base + 100_000)])
        let evicting = engine.batch([])
        #expect(evicting.alerts.isEmpty)
        #expect(engine.stats.openWindows == 1)
    }

    @Test func noDataBatchesAreDueOnlyWhenTheWatermarkWouldMove() throws {
        var engine = try engine()
        #expect(!engine.noDataBatchIsDue)
        engine.batch([eventJSON(base, content: "fine")])
        #expect(!engine.noDataBatchIsDue)
        engine.batch([eventJSON(base + 50_000)])
        #expect(engine.noDataBatchIsDue)
        let noData = engine.endBatch(now: 0)
        #expect(noData.watermarks.evictionWatermarkMs == base + 20_000)
        #expect(!engine.noDataBatchIsDue)
        engine.beginBatch()
        #expect(!engine.noDataBatchIsDue)
    }

    @Test func batchIdsCountUpAndAlertsCarryThem() throws {
        var engine = try engine(RuleSettings(threshold: 0))
        engine.batch([])
        engine.batch([])
        let outcome = engine.batch([eventJSON(base)], now: 1234)
        #expect(outcome.watermarks.batch == 2)
        #expect(outcome.alerts.first?.batch == 2)
        #expect(outcome.alerts.first?.emittedAt == 1234)
        #expect(engine.nextBatch == 3)
        #expect(engine.stats.batches == 3)
        #expect(engine.stats.alertsEmitted == 1)
    }

    @Test func skippedBatchIdsAdvanceTheWatermarkOnceAsBatchesWithoutData() throws {
        var engine = try engine()
        engine.batch([eventJSON(base + 100_000)])
        engine.skipBatches(to: 5)
        let next = engine.beginBatch()
        #expect(next.batch == 5)
        // As if batch 1 had run without data: late(5) = evict(1) = base + 70 s, and evict(5) is the same.
        #expect(next.lateWatermarkMs == base + 70_000)
        #expect(next.evictionWatermarkMs == base + 70_000)
        engine.skipBatches(to: 9)
        #expect(engine.beginBatch().batch == 5, "no skipping while a batch is open")
        _ = engine.endBatch(now: 0)
        engine.skipBatches(to: 3)
        #expect(engine.nextBatch == 6, "ids never go back")
    }

    @Test func invalidRulesAreRefused() {
        #expect(throws: RuleError.self) { try WindowEngine(rule: RuleSettings(windowMs: 0)) }
        #expect(throws: RuleError.self) { try WindowEngine(rule: RuleSettings(watermarkDelayMs: -1)) }
        #expect(throws: RuleError.self) { try WindowEngine(rule: RuleSettings(threshold: -1)) }
        #expect(throws: RuleError.self) { try WindowEngine(rule: RuleSettings(term: "")) }
    }
}
