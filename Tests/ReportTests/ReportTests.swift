import Contracts
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GroundTruth
import Testing
import Report

/// Epoch milliseconds on a window boundary.
private let base: Int64 = 1_769_000_000_000

/// A validation of a hand-built stream in interval mode: user_1 and user_2 each have three matching events
/// in the first window (readable within 3 s, so certainly counted), a tail event 100 s later closes it.
/// The output alerts user_1 (count 3, emitted 2 s after the window end), misses user_2 and adds a
/// spurious alert for a user whose name needs escaping.
private func document() throws -> ValidationDocument {
    var tally = try ReplayTally(rule: RuleSettings())
    var offset: Int64 = 0
    func event(_ time: Int64, _ user: String, readableAt: Int64) -> InputRecord {
        defer { offset += 1 }
        let value = "{\"timestamp\": \(time), \"severity\": \"High\", \"user_id\": \"\(user)\", \"content\": \"app crash\"}"
        return InputRecord(partition: 0, offset: offset, kafkaTimestampMs: readableAt, value: Array(value.utf8))
    }
    for second in 1...3 {
        tally.record(event(base + Int64(second) * 1_000, "user_1", readableAt: base + Int64(second) * 1_000))
        tally.record(event(base + Int64(second) * 1_000, "user_2", readableAt: base + Int64(second) * 1_000))
    }
    tally.record(event(base + 100_000, "user_3", readableAt: base + 100_000))
    let alerts = [
        AlertRecord(windowStart: base, windowEnd: base + 10_000, userId: "user_1", crashCount: 3, emittedAt: base + 12_000, batch: 1),
        AlertRecord(windowStart: base, windowEnd: base + 10_000, userId: "<b>&x", crashCount: 3, emittedAt: base + 12_000, batch: 1),
    ]
    let observed = try AlertReader.jsonLines(alerts.map(\.jsonLine).joined(separator: "\n"), source: "alerts.jsonl")
    var result = ValidationResult(expected: tally.finish(), observed: observed)
    result.manifestAudit = ManifestAudit(acknowledged: 7, matched: 7)
    return ValidationDocument(
        inputs: .init(brokers: "127.0.0.1:9092", topic: "logs", manifest: nil, alerts: ["jsonl:alerts.jsonl"], batchLogs: [], timezone: "UTC"),
        replay: .init(records: 7, bytes: 700, seconds: 0.5, recordsPerSecond: 14, endOffsets: ["0": 7], largestManifestLookahead: 3, totalSeconds: 1),
        result: result)
}

@Suite("Reports")
struct ReportTests {
    @Test func theStreamFailsAsBuilt() throws {
        let result = try document().result
        #expect(result.verdict == .fail)
        #expect(result.alerts.outcomes.matched == 1)
        #expect(result.alerts.outcomes.missing == 1)
        #expect(result.alerts.outcomes.spurious == 1)
        #expect(result.latency.sinceWindowEnd?.p50Ms == 2_000)
    }

    @Test func validationJSONReadsBack() throws {
        let original = try document()
        let data = try original.json()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schema_version"] as? Int == 2)
        #expect(object["verdict"] as? String == "fail")
        #expect(object["mode"] as? String == "interval")
        let outcomes = try #require((object["alerts"] as? [String: Any])?["outcomes"] as? [String: Int])
        #expect(object["judged_alerts"] as? Int == ["matched", "missing", "spurious", "count_mismatch"].reduce(0) { $0 + (outcomes[$1] ?? 0) })
        #expect((object["events"] as? [String: Any])?["malformed"] as? [String: Int] != nil)
        #expect(((object["events"] as? [String: Any])?["malformed"] as? [String: Int])?["not_utf8"] == 0)

        let read = try ValidationDocument(json: data)
        #expect(read.judgedAlerts == original.judgedAlerts)
        #expect(read.inputs == original.inputs)
        #expect(read.replay == original.replay)
        #expect(read.result.verdict == original.result.verdict)
        #expect(read.result.alerts == original.result.alerts)
        #expect(read.result.events == original.result.events)
        #expect(read.result.latency == original.result.latency)
        #expect(read.result.series == original.result.series)
        #expect(read.result.manifestAudit == original.result.manifestAudit)
        #expect(read.result.failures == original.result.failures)
    }

    @Test func versionOnesFixedOffsetIsReadAsTheTimeZone() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: try document().json()) as? [String: Any])
        var inputs = try #require(object["inputs"] as? [String: Any])
        inputs["timezone"] = nil
        object["schema_version"] = 1
        for (offset, zone) in [(0, "UTC"), (19_800, "+05:30"), (-3_600, "-01:00")] {
            inputs["utc_offset_seconds"] = offset
            object["inputs"] = inputs
            let read = try ValidationDocument(json: try JSONSerialization.data(withJSONObject: object))
            #expect(read.inputs.timezone == zone)
        }
    }

    @Test func newerSchemaIsRefused() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: try document().json()) as? [String: Any])
        object["schema_version"] = ValidationDocument.schemaVersion + 1
        #expect(throws: DecodingError.self) { try ValidationDocument(json: try JSONSerialization.data(withJSONObject: object)) }
    }

    @Test func junitHasOneTestCasePerCheck() throws {
        let xml = JUnitReport.render(try document())
        let parsed = try #require(JUnitDocument(xml))
        #expect(
            parsed.testCases == [
                "no missing alerts", "no spurious alerts", "no count mismatches", "no duplicate emissions", "logged watermarks follow the rule",
                "topic audit against the manifest",
            ])
        #expect(Set(parsed.failed) == ["no missing alerts", "no spurious alerts"])
        #expect(parsed.skipped == ["logged watermarks follow the rule"])
        #expect(parsed.suiteAttributes["failures"] == "2")
        #expect(parsed.suiteAttributes["tests"] == String(parsed.testCases.count))
        #expect(parsed.failureTexts.contains { $0.contains("<b>&x") })
    }

    @Test func htmlIsSelfContainedWithCharts() throws {
        let html = HTMLReport.render(try document())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.components(separatedBy: "</svg>").count - 1 == 3)
        for forbidden in ["<script", "<link", "<img", "src=", "href=", "url(", "@import"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The only address is SVG's namespace name, which is never fetched.
        #expect(html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").range(of: "://") == nil)
        #expect(html.contains("&lt;b&gt;&amp;x"))
        #expect(!html.contains("<b>&x"))
    }

    @Test func markdownNamesTheFailures() throws {
        let markdown = MarkdownReport.render(try document())
        #expect(markdown.hasPrefix("# Validation: FAIL"))
        #expect(markdown.contains("- 1 missing alerts"))
        #expect(markdown.contains("- 1 spurious alerts"))
        #expect(markdown.contains("| missing | user_2 |"))
    }

    @Test func filesAreWrittenAndRenderedAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windtunnel-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try document()
        try ReportFiles.write(original, to: folder)
        for name in [ReportFiles.json, ReportFiles.markdown, ReportFiles.html, ReportFiles.junit] {
            #expect(FileManager.default.fileExists(atPath: "\(folder)/\(name)"))
        }
        try FileManager.default.removeItem(atPath: "\(folder)/\(ReportFiles.html)")
        try ReportFiles.renderings(try ReportFiles.read(folder: folder), to: folder)
        #expect(try String(contentsOfFile: "\(folder)/\(ReportFiles.html)", encoding: .utf8) == HTMLReport.render(original))
    }

    @Test func aRunsOwnChecksComeFirstInBothReports() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windtunnel-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ReportFiles.write(try document(), to: folder)
        try Data(
            #"""
            {"exit_code": 1, "problems": ["detector-0 exited with status 1"],
             "expectations": [{"name": "max_on_time_dropped", "expected": "<= 0", "actual": "12", "passed": false},
                              {"name": "max_stall", "expected": "<= 40s", "actual": "8s (detector-0 from 4s into the stream)", "passed": true}]}
            """#.utf8
        ).write(to: URL(fileURLWithPath: "\(folder)/\(RunChecks.fileName)"))
        try ReportFiles.renderings(try ReportFiles.read(folder: folder), to: folder)
        let markdown = try String(contentsOfFile: "\(folder)/\(ReportFiles.markdown)", encoding: .utf8)
        #expect(markdown.contains("## The run: FAIL"))
        #expect(markdown.contains("- problem: detector-0 exited with status 1"))
        #expect(markdown.contains("| max_on_time_dropped | <= 0 | 12 | **FAILED** |"))
        #expect(markdown.contains("| max_stall | <= 40s | 8s (detector-0 from 4s into the stream) | ok |"))
        let html = try String(contentsOfFile: "\(folder)/\(ReportFiles.html)", encoding: .utf8)
        #expect(html.contains("The run: <span class=\"fail\">FAIL</span>"))
        #expect(html.contains("max_on_time_dropped"))
        #expect(RunChecks.read(folder: folder + "/nowhere") == nil)
    }

    @Test func latencyHistogramHoldsEveryAlert() throws {
        let stats = try #require(try document().result.latency.sinceWindowEnd)
        #expect(stats.histogram.reduce(0) { $0 + $1.count } == stats.count)
        #expect(stats.histogram.first?.fromMs == stats.minMs)
    }
}

/// What a JUnit file says, read with XMLParser.
private final class JUnitDocument: NSObject, XMLParserDelegate {
    var testCases: [String] = []
    var failed: [String] = []
    var skipped: [String] = []
    var failureTexts: [String] = []
    var suiteAttributes: [String: String] = [:]
    private var current: String?
    private var inFailure = false

    init?(_ xml: String) {
        super.init()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = self
        guard parser.parse() else { return nil }
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch elementName {
        case "testsuite": suiteAttributes = attributes
        case "testcase":
            current = attributes["name"]
            testCases.append(attributes["name"] ?? "")
        case "failure":
            failed.append(current ?? "")
            failureTexts.append("")
            inFailure = true
        case "skipped": skipped.append(current ?? "")
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inFailure { failureTexts[failureTexts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if elementName == "failure" { inFailure = false }
    }
}
