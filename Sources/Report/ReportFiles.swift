import Foundation
import GroundTruth

/// Writes and reads the report files of a results folder: `validation.json`, `report.md`, `report.html`
/// and `junit.xml`.
public enum ReportFiles {
    public static let json = "validation.json"
    public static let markdown = "report.md"
    public static let html = "report.html"
    public static let junit = "junit.xml"

    /// Writes all four files into `folder`, creating it when needed.
    public static func write(_ document: ValidationDocument, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try document.json().write(to: url(folder, json))
        try renderings(document, to: folder)
    }

    /// Writes the three renderings of `document` (not `validation.json`) into `folder`; `report.html` also
    /// charts the run over time when the folder holds a run's `monitor.jsonl`, and both reports start with
    /// the run's own checks when it holds a `run.json`.
    public static func renderings(_ document: ValidationDocument, to folder: String) throws {
        let run = RunChecks.read(folder: folder)
        try Data(MarkdownReport.render(document, run: run).utf8).write(to: url(folder, markdown))
        try Data(HTMLReport.render(document, timeline: RunTimeline.read(folder: folder), run: run).utf8).write(to: url(folder, html))
        try Data(JUnitReport.render(document).utf8).write(to: url(folder, junit))
    }

    /// Reads `validation.json` from `folder`.
    public static func read(folder: String) throws -> ValidationDocument {
        try ValidationDocument(json: Data(contentsOf: url(folder, json)))
    }

    static func url(_ folder: String, _ name: String) -> URL { URL(fileURLWithPath: folder).appendingPathComponent(name) }

    /// A few lines for standard output: the verdict, the counts, the likeliest bug and where the report is.
    public static func summary(_ document: ValidationDocument, folder: String) -> String {
        let result = document.result
        var lines = [
            "\(Wording.verdict(result)): \(result.mode.rawValue) mode, \(document.judgedAlerts) judged alerts, \(result.events.records) records replayed",
            "  \(Wording.outcomes(result.alerts.outcomes)), duplicates \(result.alerts.duplicates)",
        ]
        lines += result.failures.map { "  failed: \($0)" }
        if let first = result.diagnosis.first { lines.append("  likely: \(first.sentence)") }
        if let audit = result.manifestAudit, !audit.isClean { lines.append("  topic audit: \(Wording.audit(audit))") }
        lines.append("  report: \(URL(fileURLWithPath: folder).appendingPathComponent(html).path)")
        return lines.joined(separator: "\n")
    }
}
