import Foundation
import Testing
@testable import Harness

@Suite("Run figures")
struct RunFiguresReaderTests {
    private func monitorFile(seconds: Int, kb: (Int) -> Int) throws -> String {
        let path = NSTemporaryDirectory() + "monitor-\(UUID().uuidString).jsonl"
        let lines = (0...seconds).map { second in
            "{\"at_ms\":\(1_000_000 + second * 1_000),\"resident_kb\":{\"detector-0\":\(kb(second)),\"detector-1\":1000}}"
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func memoryGrowthComparesTheMediansOfMinutesNineAndTwo() throws {
        // Minute 2 sits at 9,000 kB and minute 9 at 10,000 kB (plus the second instance's 1,000 kB each),
        // with a spike every 10 s that the median leaves out.
        let path = try monitorFile(seconds: 600) { second in (second < 300 ? 9_000 : 10_000) + (second % 10 == 0 ? 50_000 : 0) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let memory = try #require(RunFiguresReader.detectorMemory(monitorFile: path))
        #expect(memory.minuteTwoKB == 10_000)
        #expect(memory.minuteNineKB == 11_000)
        var figures = RunFigures()
        figures.memoryMinuteTwoKB = memory.minuteTwoKB
        figures.memoryMinuteNineKB = memory.minuteNineKB
        #expect(abs((figures.memoryGrowthFraction ?? 0) - 0.1) < 1e-9)
    }

    @Test func aRunShorterThanNineMinutesHasNoMemoryGrowth() throws {
        let path = try monitorFile(seconds: 300) { _ in 5_000 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(RunFiguresReader.detectorMemory(monitorFile: path) == nil)
    }

    @Test func theMemoryBoundIsChecked() {
        var expectations = Expectations()
        expectations.maxMemoryGrowthFraction = 0.1
        var figures = RunFigures()
        figures.verdict = "pass"
        figures.judgedAlerts = 100
        figures.onTimeDropped = 0
        figures.memoryMinuteTwoKB = 100_000
        figures.memoryMinuteNineKB = 112_000
        let missed = ExpectationCheck.check(expectations, against: figures, defaultStallMs: 40_000).first { $0.name == "max_memory_growth" }
        #expect(missed?.passed == false)
        #expect(missed?.actual == "12.0% (97.7 MB to 109.4 MB)")
        figures.memoryMinuteNineKB = 102_000
        #expect(ExpectationCheck.check(expectations, against: figures, defaultStallMs: 40_000).allSatisfy { $0.passed })
    }
}
