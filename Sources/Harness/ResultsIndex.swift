import Foundation

/// `results/index.html`: every past run under a results root, newest first, with its verdict and a link to
/// its report. Rewritten after each run; folders without a `run.json` (runs cut short) are listed as such.
public enum ResultsIndex {
    /// One row of the index.
    struct Row: Equatable {
        let folder: String
        let summary: RunSummary?
        /// Whether the folder holds a `report.html` to link to (a run that could not validate has none).
        var hasReport = true
    }

    /// Scans `root` and writes `root/index.html`; returns its path.
    @discardableResult
    public static func write(root: String) throws -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        var rows: [Row] = []
        for name in names {
            var isFolder: ObjCBool = false
            let path = "\(root)/\(name)"
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
                FileManager.default.fileExists(atPath: "\(path)/scenario.json")
            else { continue }
            rows.append(
                Row(folder: name, summary: RunSummary.read(folder: path), hasReport: FileManager.default.fileExists(atPath: "\(path)/report.html")))
        }
        rows.sort { ($0.summary?.startedAt ?? 0, $0.folder) > ($1.summary?.startedAt ?? 0, $1.folder) }
        let path = "\(root)/index.html"
        try html(rows).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func html(_ rows: [Row]) -> String {
        let passed = rows.filter { $0.summary?.exitCode == 0 }.count
        var lines = [
            "<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>windtunnel runs</title>",
            "<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}",
            "td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}.pass{color:#1a7f37;font-weight:600}",
            ".fail{color:#cf222e;font-weight:600}.unjudged{color:#9a6700;font-weight:600}td.num{text-align:right}</style>",
            "</head><body>", "<h1>windtunnel runs</h1>",
            "<p>\(rows.count) runs, \(passed) passed.</p>",
            "<table><thead><tr><th>started (UTC)</th><th>scenario</th><th>verdict</th><th>judged alerts</th>"
                + "<th>latency p99</th><th>took</th><th>why</th></tr></thead><tbody>",
        ]
        for row in rows {
            let link = row.hasReport ? "<a href=\"\(escape(row.folder))/report.html\">\(escape(row.folder))</a>" : escape(row.folder)
            guard let summary = row.summary else {
                lines.append("<tr><td></td><td>\(link)</td><td class=\"unjudged\">unfinished</td><td></td><td></td><td></td><td></td></tr>")
                continue
            }
            let style = summary.exitCode == 0 ? "pass" : summary.exitCode == 1 ? "fail" : "unjudged"
            let why = (summary.problems + summary.expectations.filter { !$0.passed }.map { "\($0.name): \($0.actual), expected \($0.expected)" })
                .map(escape).joined(separator: "<br>")
            lines.append(
                "<tr><td>\(utc(summary.startedAt))</td><td>\(link)</td><td class=\"\(style)\">\(summary.outcome)</td>"
                    + "<td class=\"num\">\(summary.figures.judgedAlerts.map(String.init) ?? "")</td>"
                    + "<td class=\"num\">\(summary.figures.latencyP99Ms.map { "\($0) ms" } ?? "")</td>"
                    + "<td class=\"num\">\(summary.elapsedMs / 1_000) s</td><td>\(why)</td></tr>")
        }
        lines += ["</tbody></table>", "</body></html>", ""]
        return lines.joined(separator: "\n")
    }

    private static func utc(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
