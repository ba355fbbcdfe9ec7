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

    @Test func memoryGrowthComparesMinuteNineWithMinuteTwo() throws {
        let path = try monitorFile(seconds: 600) { $0 < 300 ? 9_000 : 10_000 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let growth = try #require(RunFiguresReader.memoryGrowth(monitorFile: path))
        #expect(abs(growth - 0.1) < 1e-9)
    }

    @Test func aRunShorterThanNineMinutesHasNoMemoryGrowth() throws {
        let path = try monitorFile(seconds: 300) { _ in 5_000 }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(RunFiguresReader.memoryGrowth(monitorFile: path) == nil)
    }

    @Test func theMemoryBoundIsChecked() {
        var expectations = Expectations()
        expectations.maxMemoryGrowthFraction = 0.1
        var figures = RunFigures()
        figures.verdict = "pass"
        figures.judgedAlerts = 100
        figures.memoryGrowthFraction = 0.12
        #expect(ExpectationCheck.check(expectations, against: figures).first { $0.name == "max_memory_growth" }?.passed == false)
        figures.memoryGrowthFraction = 0.02
        #expect(ExpectationCheck.check(expectations, against: figures).allSatisfy { $0.passed })
    }
}
