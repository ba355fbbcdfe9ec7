import Foundation
import Testing
@testable import Harness

@Suite("Results index")
struct ResultsIndexTests {
    private func makeRun(root: String, name: String, startedAt: Int64, exitCode: Int32, missed: Bool, report: Bool = true) throws {
        let folder = ResultsFolder(path: "\(root)/\(name)")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder.scenarioFile))
        if report { try Data("<html></html>".utf8).write(to: URL(fileURLWithPath: "\(folder.path)/report.html")) }
        var figures = RunFigures()
        figures.verdict = exitCode == 0 ? "pass" : "fail"
        figures.judgedAlerts = 70
        let expectation = ExpectationResult(name: "verdict", expected: "pass", actual: figures.verdict ?? "", passed: !missed)
        try RunSummary(
            scenario: name, description: "", startedAt: startedAt, elapsedMs: 31_000, exitCode: exitCode, problems: [],
            expectations: [expectation], figures: figures, acknowledged: 100
        ).write(to: folder)
    }

    @Test func listsRunsNewestFirstWithTheirVerdicts() throws {
        let root = NSTemporaryDirectory() + "windtunnel-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try makeRun(root: root, name: "smoke-1", startedAt: 1_000_000, exitCode: 0, missed: false)
        try makeRun(root: root, name: "late-beyond-2", startedAt: 2_000_000, exitCode: 1, missed: true)
        try FileManager.default.createDirectory(atPath: "\(root)/cut-short", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(root)/cut-short/scenario.json"))
        try FileManager.default.createDirectory(atPath: "\(root)/bench", withIntermediateDirectories: true)

        let html = try String(contentsOfFile: try ResultsIndex.write(root: root), encoding: .utf8)
        let newer = try #require(html.range(of: "late-beyond-2/report.html"))
        let older = try #require(html.range(of: "smoke-1/report.html"))
        #expect(newer.lowerBound < older.lowerBound)
        #expect(html.contains("<p>3 runs, 1 passed.</p>"))
        #expect(html.contains("class=\"fail\">FAIL"))
        #expect(html.contains("verdict: fail, expected pass"))
        #expect(html.contains("unfinished"))
        #expect(!html.contains("bench/report.html"))
    }

    @Test func aRunThatWroteNoReportIsListedWithoutALinkToOne() throws {
        let root = NSTemporaryDirectory() + "windtunnel-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try makeRun(root: root, name: "broker-gone", startedAt: 1_000_000, exitCode: 2, missed: false, report: false)
        let html = try String(contentsOfFile: try ResultsIndex.write(root: root), encoding: .utf8)
        #expect(html.contains("broker-gone"))
        #expect(!html.contains("broker-gone/report.html"))
    }

    @Test func runSummaryRoundTripsThroughItsFile() throws {
        let root = NSTemporaryDirectory() + "windtunnel-index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try makeRun(root: root, name: "smoke-1", startedAt: 1_234, exitCode: 0, missed: false)
        let summary = try #require(RunSummary.read(folder: "\(root)/smoke-1"))
        #expect(summary.startedAt == 1_234 && summary.figures.judgedAlerts == 70 && summary.outcome == "pass")
        let text = try String(contentsOfFile: "\(root)/smoke-1/run.json", encoding: .utf8)
        #expect(text.contains("\"exit_code\" : 0") && text.contains("\"judged_alerts\" : 70"))
    }
}
