import GroundTruth

/// `report.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched) with the
/// verdict, the diagnosis, the findings and three charts: expected and observed alerts per window, the
/// difference per window, and the latency distribution.
public enum HTMLReport {
    /// The page; with a `timeline` (a run's live figures) it also charts the run over time, and with `run`
    /// (a scenario run's own checks) it starts with the run's outcome and expectations.
    public static func render(_ document: ValidationDocument, timeline: RunTimeline? = nil, run: RunChecks? = nil) -> String {
        let result = document.result
        let verdict = Wording.verdict(result)
        var body = "<h1>Validation: <span class=\"\(result.verdict == .pass ? "pass" : "fail")\">\(verdict)</span></h1>"
        if let run {
            let style = run.outcome == "pass" ? "pass" : "fail"
            body += "<h2>The run: <span class=\"\(style)\">\(Markup.escaped(run.outcome))</span></h2>"
            if !run.problems.isEmpty { body += list(run.problems.map { "problem: \($0)" }) }
            if !run.checks.isEmpty {
                body += table(
                    ["expectation", "expected", "actual", ""],
                    run.checks.map { [$0.name, $0.expected, $0.actual, $0.passed ? "ok" : "FAILED"] })
            }
        }
        body += list([
            "mode: \(result.mode.rawValue)\(result.mode == .interval ? " (no batch log: counts are ranges)" : " (batch log)")",
            "topic: \(document.inputs.topic) on \(document.inputs.brokers)",
            "alerts: \(result.alertSource.source) (\(result.alertSource.format.rawValue), \(result.alertSource.emissions) lines)",
            "judged alerts: \(document.judgedAlerts)",
            "generated: \(document.generatedAt)",
        ])
        if !result.failures.isEmpty { body += section("Why it failed", list(result.failures)) }
        if !result.diagnosis.isEmpty {
            body += section(
                "Diagnosis",
                "<ol>" + result.diagnosis.map {
                    "<li><b>\(Markup.escaped($0.bug.rawValue))</b>: \(Markup.escaped($0.sentence)) (explains \($0.explained) of \($0.findings) findings, contradicted by \($0.contradicted))</li>"
                }.joined() + "</ol>")
        }
        var alerts = table(
            ["outcome", "(window, user) pairs"],
            AlertOutcome.allCases.map { [Wording.outcome($0), String(result.alerts.outcomes[$0])] }
                + [["duplicate emissions", String(result.alerts.duplicates)], ["replays (not duplicates)", String(result.alerts.replays)]])
        let examples = result.alerts.examples.filter { $0.outcome != .matched }
        if !examples.isEmpty {
            alerts += "<h3>Examples</h3>" + table(
                ["outcome", "user", "window", "expected", "observed", "batch", "line", "note"],
                examples.map {
                    [
                        Wording.outcome($0.outcome), $0.userId, Wording.window(start: $0.windowStart, end: $0.windowEnd), Wording.count($0.expected),
                        $0.observed.map(String.init) ?? "", $0.batch.map(String.init) ?? "", $0.line.map(String.init) ?? "", $0.note ?? "",
                    ]
                })
        }
        if !result.alerts.duplicateExamples.isEmpty {
            alerts += "<h3>Duplicate emissions</h3>" + list(result.alerts.duplicateExamples.map(Wording.duplicate))
        }
        body += section("Alerts", alerts)
        body += section("Per window", charts(result))
        body += section("Latency", latency(result.latency))
        var watermarks =
            result.mode == .exact
            ? "<p>\(result.watermarks.checkedBatches) logged batches checked, \(result.watermarks.disagreements) disagree with the rule.</p>"
                + list(result.watermarks.examples.map(\.message))
            : "<p>Interval mode: no batch log to check.</p>"
        watermarks += list(result.watermarks.finalWatermarks.map { "\($0.instance.isEmpty ? "final" : $0.instance): \(Wording.time($0.watermarkMs))" })
        body += section("Watermarks", watermarks)
        let events = result.events
        body += section(
            "Events",
            table(
                ["records", "events", "matching", "malformed", "expected late drops", "of them sent on time", "replay rate"],
                [[
                    String(events.records), String(events.events), String(events.matching), String(events.malformed.total), events.lateDropped.description,
                    events.onTimeDropped.description, "\(Int(document.replay.recordsPerSecond)) records/s",
                ]])
                + (events.onTimeDropped.lower > 0
                    ? "<p class=\"fail\"><strong>\(events.onTimeDropped.lower) events the generator sent on time were dropped as late</strong>: "
                        + "the detector's watermark ran ahead of some partitions' backlog; its own batches make the drops legal, but a "
                        + "detector that reads its partitions together drops none.</p>" : ""))
        if let audit = result.manifestAudit {
            body += section(
                "Topic audit",
                "<p>\(audit.isClean ? "Clean" : "<b>Differs from the manifest</b>"): \(Markup.escaped(Wording.audit(audit))).</p>"
                    + list(audit.examples + audit.cutShortManifests.map { "cut short: \($0)" }))
        }
        if !result.notes.isEmpty { body += section("Notes", list(result.notes)) }
        if let timeline { body += section("The run over time", timeline.charts()) }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Validation: \(verdict)</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em auto;max-width:920px;color:#222;line-height:1.4}
            table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:90%}
            .pass{color:#1a7f37}.fail{color:#c0392b}h2{border-bottom:1px solid #ddd;margin-top:1.5em}
            </style></head><body>
            \(body)
            </body></html>

            """
    }

    private static func charts(_ result: ValidationResult) -> String {
        guard !result.series.isEmpty else { return "<p>No window had an expected or observed alert.</p>" }
        let labels = result.series.map { Wording.time($0.windowStart).dropLast(8).description }
        let perWindow = BarChart(
            title: "Alerts per window: expected vs observed", labels: labels,
            series: [
                .init(name: "expected", color: "#7aa6d8", values: result.series.map { Double($0.expected) }),
                .init(name: "observed", color: "#e0a040", values: result.series.map { Double($0.observed) }),
            ], yLabel: "(window, user) pairs")
        let differences = BarChart(
            title: "Failing alerts per window", labels: labels,
            series: [
                .init(name: "missing", color: "#c0392b", values: result.series.map { -Double($0.outcomes.missing) }),
                .init(name: "spurious", color: "#8e44ad", values: result.series.map { Double($0.outcomes.spurious) }),
                .init(name: "count mismatch", color: "#d35400", values: result.series.map { Double($0.outcomes.countMismatch) }),
            ], yLabel: "pairs (missing below 0)")
        return perWindow.svg() + differences.svg()
    }

    private static func latency(_ latency: LatencySummary) -> String {
        var rows: [[String]] = []
        for (name, stats) in [("window end", latency.sinceWindowEnd), ("watermark passing the window end", latency.sinceWatermark)] {
            rows.append(
                stats.map { [name, String($0.count), Wording.seconds($0.p50Ms), Wording.seconds($0.p99Ms), Wording.seconds($0.maxMs)] }
                    ?? [name, "0", "", "", ""])
        }
        var out = table(["measured from", "alerts", "p50", "p99", "max"], rows)
        if let stats = latency.sinceWindowEnd {
            out += BarChart(
                title: "Latency from window end to emission", labels: stats.histogram.map { Wording.seconds($0.fromMs) },
                series: [.init(name: "alerts", color: "#7aa6d8", values: stats.histogram.map { Double($0.count) })], yLabel: "alerts"
            ).svg()
        }
        if latency.withoutEmissionTime > 0 { out += "<p>\(latency.withoutEmissionTime) alerts carry no emission time.</p>" }
        return out
    }

    private static func section(_ title: String, _ content: String) -> String { "<h2>\(Markup.escaped(title))</h2>\(content)" }

    private static func list(_ items: [String]) -> String {
        items.isEmpty ? "" : "<ul>" + items.map { "<li>\(Markup.escaped($0))</li>" }.joined() + "</ul>"
    }

    private static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(Markup.escaped($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(Markup.escaped($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }
}
