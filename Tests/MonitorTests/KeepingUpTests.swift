import Foundation
import Testing
@testable import Monitor

@Suite("Keeping up")
struct KeepingUpTests {
    /// Samples once a second: input at `inputRate`, the consumer at `processRate`, starting `startLag` behind.
    private func samples(seconds: Int, inputRate: Int64, processRate: Int64, startLag: Int64 = 0) -> [ProgressSample] {
        (0...seconds).map { second in
            let arrived = 1_000_000 + inputRate * Int64(second)
            return ProgressSample(
                atMs: 1_700_000_000_000 + Int64(second) * 1_000, arrived: arrived,
                processed: min(arrived, 1_000_000 - startLag + processRate * Int64(second)))
        }
    }

    @Test func tooFewSamplesAreStillMeasuring() {
        #expect(KeepingUpJudge().judge([]) == .measuring)
        #expect(KeepingUpJudge().judge(samples(seconds: 1, inputRate: 10_000, processRate: 10_000)) == .measuring)
    }

    @Test func aConsumerAsFastAsItsInputKeepsUp() {
        #expect(KeepingUpJudge().judge(samples(seconds: 6, inputRate: 10_000, processRate: 10_000)) == .keepingUp)
    }

    @Test func aBacklogOfOneTriggerIsNormal() {
        let verdict = KeepingUpJudge().judge(samples(seconds: 6, inputRate: 10_000, processRate: 10_000, startLag: 12_000))
        #expect(verdict == .keepingUp)
    }

    @Test func aSlowerConsumerFallsBehindByTheDifference() {
        let verdict = KeepingUpJudge().judge(samples(seconds: 8, inputRate: 10_000, processRate: 4_000, startLag: 30_000))
        guard case .fallingBehind(let records, let growth) = verdict else {
            Issue.record("expected falling behind, got \(verdict)")
            return
        }
        #expect(records == 30_000 + 8 * 6_000)
        #expect(growth == 6_000)
        #expect(verdict.description == "falling behind by 78000 records, growing 6000/s")
    }

    @Test func aFasterConsumerWithABacklogCatchesUp() {
        let verdict = KeepingUpJudge().judge(samples(seconds: 6, inputRate: 10_000, processRate: 15_000, startLag: 100_000))
        #expect(verdict == .catchingUp(records: 70_000, shrinkingPerSecond: 5_000))
    }

    @Test func aBacklogThatHoldsIsBehindButSteady() {
        let verdict = KeepingUpJudge().judge(samples(seconds: 6, inputRate: 10_000, processRate: 10_000, startLag: 50_000))
        #expect(verdict == .behind(records: 50_000))
    }

    @Test func onlyTheRecentSpanCounts() {
        let old = samples(seconds: 20, inputRate: 10_000, processRate: 2_000, startLag: 0).prefix(10)
        let recovered = (10...20).map { second in
            ProgressSample(atMs: 1_700_000_000_000 + Int64(second) * 1_000, arrived: 1_000_000 + 10_000 * Int64(second),
                           processed: 1_000_000 + 10_000 * Int64(second))
        }
        #expect(KeepingUpJudge().judge(Array(old) + recovered) == .keepingUp)
    }
}

@Suite("Rates")
struct RateSeriesTests {
    @Test func rateOverTheRecentSpan() {
        var series = RateSeries()
        for second in 0...10 { series.add(atMs: Int64(second) * 1_000, total: Int64(second < 5 ? second * 100 : 400 + (second - 4) * 1_000)) }
        #expect(series.rate(overMs: 3_000) == 1_000)
        #expect(series.total == 6_400)
    }

    @Test func aTotalThatGoesDownRestartsTheSeries() {
        var series = RateSeries()
        series.add(atMs: 0, total: 500)
        series.add(atMs: 1_000, total: 900)
        series.add(atMs: 2_000, total: 10)
        #expect(series.rate() == nil)
        series.add(atMs: 3_000, total: 110)
        #expect(series.rate() == 100)
    }

    @Test func oldPointsAreDropped() {
        var series = RateSeries(keepMs: 5_000)
        for second in 0...100 { series.add(atMs: Int64(second) * 1_000, total: Int64(second)) }
        #expect(series.points.count == 6)
    }
}

@Suite("Monitor records")
struct MonitorRecordTests {
    @Test func aSnapshotIsOneJSONLineWithPartitionsAsKeys() throws {
        var snapshot = MonitorSnapshot(atMs: 5, topic: "logs", arrived: 30, inputSource: "topic")
        snapshot.consumers = [ConsumerStatus(name: "g", source: "committed offsets", processed: 20, lagByPartition: [0: 4, 3: 6], verdict: .keepingUp)]
        let line = snapshot.jsonLine
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let consumer = try #require((object["consumers"] as? [[String: Any]])?.first)
        #expect(consumer["lag_by_partition"] as? [String: Int] == ["0": 4, "3": 6])
        #expect(consumer["lag"] as? Int == 10)
        #expect(consumer["verdict"] as? String == "keeping up")
        #expect(object["at_ms"] as? Int == 5)
    }
}
