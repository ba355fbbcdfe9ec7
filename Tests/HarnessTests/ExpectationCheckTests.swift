import Testing
@testable import Harness

@Suite("Expectation checks")
struct ExpectationCheckTests {
    private func figures(verdict: String? = "pass", judged: Int? = 80) -> RunFigures {
        var figures = RunFigures()
        figures.verdict = verdict
        figures.judgedAlerts = judged
        return figures
    }

    @Test func aPassingRunMeetsTheDefaults() {
        let results = ExpectationCheck.check(Expectations(), against: figures())
        #expect(results.map(\.name) == ["verdict", "min_judged_alerts"])
        #expect(results.allSatisfy { $0.passed })
    }

    @Test func tooFewJudgedAlertsFail() {
        let results = ExpectationCheck.check(Expectations(), against: figures(judged: 49))
        #expect(results.first { $0.name == "min_judged_alerts" }?.passed == false)
        #expect(results.first { $0.name == "min_judged_alerts" }?.actual == "49")
    }

    @Test func aFailVerdictFailsUnlessExpected() {
        #expect(ExpectationCheck.check(Expectations(), against: figures(verdict: "fail")).first?.passed == false)
        var expectFailure = Expectations()
        expectFailure.verdict = "fail"
        #expect(ExpectationCheck.check(expectFailure, against: figures(verdict: "fail")).first?.passed == true)
    }

    @Test func aMissingFigureFailsItsExpectation() {
        var expectations = Expectations()
        expectations.minLateDropped = 1
        expectations.latencyP99MaxMs = 45_000
        let results = ExpectationCheck.check(expectations, against: figures(verdict: nil, judged: nil))
        #expect(results.count == 4)
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
        #expect(ExpectationCheck.check(expectations, against: run).allSatisfy { $0.passed })
        run.latencyP99Ms = 45_001
        run.scheduleLagP99Ms = 6
        run.achievedRateFraction = 0.994
        run.lateDropped = 11
        let failed = ExpectationCheck.check(expectations, against: run).filter { !$0.passed }.map(\.name)
        #expect(failed == ["latency_p99_max", "schedule_lag_p99_max", "min_achieved_rate", "max_late_dropped"])
    }
}
