import Foundation
import Report

/// Writes a benchmark report as `bench.json`, `bench.md` and `bench.html` into its folder.
public enum BenchmarkFiles {
    public static func write(_ report: BenchmarkReport, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try report.json().write(to: URL(fileURLWithPath: folder + "/bench.json"))
        try Data(markdown(report).utf8).write(to: URL(fileURLWithPath: folder + "/bench.md"))
        try Data(html(report).utf8).write(to: URL(fileURLWithPath: folder + "/bench.html"))
    }

    /// The summary table: one row per ratio, the form the README shows.
    public static func summaryTable(_ report: BenchmarkReport) -> String {
        var lines = ["| comparison | ratio (median, range over rounds) | target | met |", "|---|---|---|---|"]
        for section in report.sections {
            for ratio in section.ratios {
                lines.append("| \(section.title): \(ratio.name) | \(ratioText(ratio.value)) | >= \(number(ratio.target)) | \(ratio.met ? "yes" : "**no**") |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// What a reader must know before reading the ratios of a quick run; nil for a full run.
    public static func caveat(_ report: BenchmarkReport) -> String? {
        guard report.mode == "quick" else { return nil }
        return "A quick run: its counts are small enough that start-up (connections, the broker's first writes to a new topic) "
            + "weighs in every rate, so its ratios show that every measurement works, not whether a target holds; a full run judges the targets."
    }

    public static func markdown(_ report: BenchmarkReport) -> String {
        var out = "# windtunnel bench (\(report.mode)), \(timestamp(report.startedAt))\n\n"
        out += "Machine: \(report.machine.summary). The run took \(Int(report.elapsedSeconds.rounded())) s.\n\n"
        if let caveat = caveat(report) { out += "\(caveat)\n\n" }
        out += summaryTable(report) + "\n"
        for section in report.sections {
            out += "\n## \(section.title)\n\n\(section.method)\n\n"
            out += "| contender | role | records/s (median) | range | rounds |\n|---|---|---|---|---|\n"
            for contender in section.contenders {
                let spread = contender.recordsPerSecond
                out += "| \(contender.name) | \(contender.role.rawValue) | \(grouped(spread.median)) | \(grouped(spread.min)) .. \(grouped(spread.max)) | \(spread.samples.count) |\n"
            }
            let figures = section.contenders.flatMap { contender in
                contender.figures.sorted { $0.key < $1.key }.map { "- \(contender.name): \($0.key.replacingOccurrences(of: "_", with: " ")) \(number($0.value))" }
            }
            if !figures.isEmpty { out += "\n" + figures.joined(separator: "\n") + "\n" }
            if !section.notes.isEmpty { out += "\n" + section.notes.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        }
        return out
    }

    public static func html(_ report: BenchmarkReport) -> String {
        var body = "<h1>windtunnel bench (\(esc(report.mode))), \(esc(timestamp(report.startedAt)))</h1>"
        body += "<p>Machine: \(esc(report.machine.summary)). The run took \(Int(report.elapsedSeconds.rounded())) s.</p>"
        if let caveat = caveat(report) { body += "<p><strong>\(esc(caveat))</strong></p>" }
        body += "<table><tr><th>comparison</th><th>ratio (median)</th><th>range</th><th>target</th><th>met</th></tr>"
        for section in report.sections {
            for ratio in section.ratios {
                body += "<tr class=\"\(ratio.met ? "met" : "missed")\"><td>\(esc(section.title)): \(esc(ratio.name))</td><td>\(Self.ratio(ratio.value.median))</td>"
                body += "<td>\(Self.ratio(ratio.value.min)) .. \(Self.ratio(ratio.value.max))</td><td>&ge; \(number(ratio.target))</td><td>\(ratio.met ? "yes" : "no")</td></tr>"
            }
        }
        body += "</table>"
        for section in report.sections {
            body += "<h2>\(esc(section.title))</h2><p>\(esc(section.method))</p>"
            body += RateChart(title: "\(section.title): records/s (bar: median; line: range over the rounds)", contenders: section.contenders).svg()
            if !section.notes.isEmpty { body += "<ul>" + section.notes.map { "<li>\(esc($0))</li>" }.joined() + "</ul>" }
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>windtunnel bench</title>
            <style>body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
            tr.missed td{background:#fdecea}tr.met td{background:#eaf7ea}</style></head><body>\(body)</body></html>
            """
    }

    static func ratioText(_ spread: Spread) -> String {
        spread.samples.count > 1 ? "\(ratio(spread.median)) (\(ratio(spread.min)) .. \(ratio(spread.max)))" : ratio(spread.median)
    }

    /// A ratio cut (not rounded) to three decimals, so that one just under its target never prints as the target.
    static func ratio(_ value: Double) -> String { String(format: "%.3f", (value * 1_000).rounded(.down) / 1_000) }

    /// A ratio or small figure with two decimals; larger numbers whole.
    static func number(_ value: Double) -> String {
        abs(value) >= 100 ? grouped(value) : String(format: "%.2f", value)
    }

    /// A rate with thousands separated by commas.
    static func grouped(_ value: Double) -> String {
        let whole = Int64(value.rounded())
        let digits = String(abs(whole))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return whole < 0 ? "-" + out : out
    }

    static func timestamp(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    private static func esc(_ text: String) -> String { Markup.escaped(text) }
}

/// Horizontal bars of the contenders' median rates with their range over the rounds as a line, coloured by
/// role, as inline SVG.
struct RateChart {
    let title: String
    let contenders: [Contender]

    func svg() -> String {
        let rowHeight = 30.0
        let left = 330.0
        let width = 880.0
        let plot = width - left - 90
        let height = 34 + rowHeight * Double(contenders.count)
        let highest = Swift.max(contenders.map(\.recordsPerSecond.max).max() ?? 1, 1)
        func x(_ value: Double) -> Double { left + value / highest * plot }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\">"
        out += "<title>\(Markup.escaped(title))</title><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(Markup.escaped(title))</text>"
        for (index, contender) in contenders.enumerated() {
            let y = 28 + Double(index) * rowHeight
            let spread = contender.recordsPerSecond
            let color = switch contender.role {
            case .limit: "#9e9e9e"
            case .windtunnel: "#1565c0"
            case .alternative: "#ef6c00"
            }
            out += "<text x=\"\(left - 8)\" y=\"\(y + 15)\" font-size=\"11\" text-anchor=\"end\">\(Markup.escaped(contender.name))</text>"
            out += "<rect x=\"\(left)\" y=\"\(y + 4)\" width=\"\(Swift.max(x(spread.median) - left, 0.5))\" height=\"16\" fill=\"\(color)\"><title>\(Markup.escaped("\(contender.name): \(BenchmarkFiles.grouped(spread.median)) records/s"))</title></rect>"
            out += "<line x1=\"\(x(spread.min))\" y1=\"\(y + 12)\" x2=\"\(x(spread.max))\" y2=\"\(y + 12)\" stroke=\"#000\" stroke-width=\"2\"/>"
            out += "<text x=\"\(x(spread.max) + 6)\" y=\"\(y + 16)\" font-size=\"11\">\(BenchmarkFiles.grouped(spread.median))</text>"
        }
        return out + "</svg>"
    }
}
