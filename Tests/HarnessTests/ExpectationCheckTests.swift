import Testing
@testable import Harness

@Suite("Expectation checks")
struct ExpectationCheckTests {
    private func figures(verdict: String? = "pass", judged: Int? = 80) -> RunFigures {
        var figures = RunFigures()
        figures.verdict = verdict
        figures.judgedAlerts = judged
        figures.onTimeDropped = 0
        return figures
    }

    @Test func aPassingRunMeetsTheDefaults() {
        let results = ExpectationCheck.check(Expectations(), against: figures(), defaultStallMs: 40_000)
        #expect(results.map(\.name) == ["verdict", "min_judged_alerts", "max_on_time_dropped"])
        #expect(results.allSatisfy { $0.passed })
    }

    @Test func tooFewJudgedAlertsFail() {
        let results = ExpectationCheck.check(Expectations(), against: figures(judged: 49), defaultStallMs: 40_000)
        #expect(results.first { $0.name == "min_judged_alerts" }?.passed == false)
        #expect(results.first { $0.name == "min_judged_alerts" }?.actual == "49")
    }

    @Test func aFailVerdictFailsUnlessExpected() {
        #expect(ExpectationCheck.check(Expectations(), against: figures(verdict: "fail"), defaultStallMs: 40_000).first?.passed == false)
        var expectFailure = Expectations()
        expectFailure.verdict = "fail"
        #expect(ExpectationCheck.check(expectFailure, against: figures(verdict: "fail"), defaultStallMs: 40_000).first?.passed == true)
    }

    @Test func aMissingFigureFailsItsExpectation() {
        var expectations = Expectations()
        expectations.minLateDropped = 1
        expectations.latencyP99MaxMs = 45_000
        expectations.maxStallMs = 10_000
        var run = figures(verdict: nil, judged: nil)
        run.onTimeDropped = nil
        let results = ExpectationCheck.check(expectations, against: run, defaultStallMs: 40_000)
        #expect(results.count == 6)
        #expect(results.allSatisfy { !$0.passed && $0.actual == "missing" })
    }

    @Test func boundsAreInclusive() {
        var expectations = Expectations()
        expectations.latencyP99MaxMs = 45_000
        expectations.scheduleLagP99MaxMs = 5
        expectations.minAchievedRateFraction = 0.995
        expectations.minLateDropped = 10
        expectations.maxLateDropped = 10
        var run = figures()
        run.latencyP99Ms = 45_000
        run.scheduleLagP99Ms = 5
        run.achievedRateFraction = 0.995
        run.lateDropped = 10
        #expect(ExpectationCheck.check(expectations, against: run, defaultStallMs: 40_000).allSatisfy { $0.passed })
        run.latencyP99Ms = 45_001
        run.scheduleLagP99Ms = 6
        run.achievedRateFraction = 0.994
        run.lateDropped = 11
        let failed = ExpectationCheck.check(expectations, against: run, defaultStallMs: 40_000).filter { !$0.passed }.map(\.name)
        #expect(failed == ["latency_p99_max", "schedule_lag_p99_max", "min_achieved_rate", "max_late_dropped"])
    }

    @Test func anOnTimeEventDroppedFailsTheRunByDefault() {
        var run = figures()
        run.onTimeDropped = 1
        let result = ExpectationCheck.check(Expectations(), against: run, defaultStallMs: 40_000).first { $0.name == "max_on_time_dropped" }
        #expect(result?.passed == false)
        #expect(result?.actual == "1")
        var tolerant = Expectations()
        tolerant.maxOnTimeDropped = 1
        #expect(ExpectationCheck.check(tolerant, against: run, defaultStallMs: 40_000).allSatisfy { $0.passed })
    }

    @Test func aStallLongerThanTheDefaultBoundFails() {
        var run = figures()
        run.longestStallMs = 40_001
        run.longestStall = StallFinding(instance: "detector-0", fromMs: 4_000, lengthMs: 40_001)
        let result = ExpectationCheck.check(Expectations(), against: run, defaultStallMs: 40_000).first { $0.name == "max_stall" }
        #expect(result?.passed == false)
        #expect(result?.expected == "<= 40s")
        #expect(result?.actual == "40s1ms (detector-0 from 4s into the stream)")
        run.longestStallMs = 40_000
        #expect(ExpectationCheck.check(Expectations(), against: run, defaultStallMs: 40_000).allSatisfy { $0.passed })
        var strict = Expectations()
        strict.maxStallMs = 5_000
        #expect(ExpectationCheck.check(strict, against: run, defaultStallMs: 40_000).contains { $0.name == "max_stall" && !$0.passed })
    }
}

@Suite("Stall measure")
struct StallMeasureTests {
    @Test func theLongestGapBetweenBatchesOfAnyInstanceIsTheStall() {
        let steady = StallMeasure.Instance(name: "detector-0", fromMs: 1_000, untilMs: 10_000, batchEnds: [2_000, 3_000, 4_000, 9_500])
        let finding = StallMeasure.longest([steady], streamStartMs: 1_000)
        #expect(finding == StallFinding(instance: "detector-0", fromMs: 3_000, lengthMs: 5_500))
    }

    @Test func anInstanceThatNeverCompletesABatchStallsForTheWholeStream() {
        let silent = StallMeasure.Instance(name: "detector-1", fromMs: 0, untilMs: 30_000, batchEnds: [], countsFirstGap: false)
        #expect(StallMeasure.longest([silent], streamStartMs: 0)?.lengthMs == 30_000)
    }

    @Test func theFirstGapCountsFromTheStartUnlessItIsAWarmUp() {
        let late = StallMeasure.Instance(name: "detector-0", fromMs: 0, untilMs: 30_000, batchEnds: [20_000, 21_000, 29_000])
        #expect(StallMeasure.longest([late], streamStartMs: 0)?.lengthMs == 20_000)
        var warmingUp = late
        warmingUp.countsFirstGap = false
        #expect(StallMeasure.longest([warmingUp], streamStartMs: 0)?.lengthMs == 8_000)
    }

    @Test func batchesOutsideTheInstancesTimeAreIgnored() {
        let removed = StallMeasure.Instance(name: "detector-0", fromMs: 10_000, untilMs: 20_000, batchEnds: [5_000, 12_000, 19_000, 25_000])
        #expect(StallMeasure.longest([removed], streamStartMs: 0) == StallFinding(instance: "detector-0", fromMs: 12_000, lengthMs: 7_000))
    }
}
