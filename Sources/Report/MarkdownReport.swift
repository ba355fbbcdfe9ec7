import GroundTruth

/// `report.md`: the validation for people reading a pull request or a terminal.
public enum MarkdownReport {
    /// The report; with `run` (a scenario run's own checks) it starts with the run's outcome and expectations.
    public static func render(_ document: ValidationDocument, run: RunChecks? = nil) -> String {
        let result = document.result
        var out: [String] = []
        out.append("# Validation: \(Wording.verdict(result))")
        out.append("")
        if let run {
            out += ["## The run: \(run.outcome)", ""]
            if !run.problems.isEmpty { out += run.problems.map { "- problem: \($0)" } + [""] }
            if !run.checks.isEmpty {
                out.append("| expectation | expected | actual | |\n|---|---|---|---|")
                out += run.checks.map { "| \($0.name) | \($0.expected) | \($0.actual) | \($0.passed ? "ok" : "**FAILED**") |" } + [""]
            }
        }
        out.append("- mode: \(result.mode.rawValue)\(result.mode == .interval ? " (no batch log: counts are ranges)" : " (batch log)")")
        out.append("- topic: `\(document.inputs.topic)` on `\(document.inputs.brokers)`")
        out.append("- alerts: \(result.alertSource.source) (\(result.alertSource.format.rawValue), \(result.alertSource.emissions) lines)")
        if !document.inputs.batchLogs.isEmpty { out.append("- batch logs: \(document.inputs.batchLogs.joined(separator: ", "))") }
        if let manifest = document.inputs.manifest { out.append("- manifest: \(manifest)") }
        out.append("- judged alerts: \(document.judgedAlerts)")
        out.append("- generated: \(document.generatedAt)")
        if !result.failures.isEmpty {
            out.append("\n## Why it failed\n")
            out += result.failures.map { "- \($0)" }
        }
        if !result.diagnosis.isEmpty {
            out.append("\n## Diagnosis\n")
            out += result.diagnosis.enumerated().map { index, diagnosis in
                "\(index + 1). **\(diagnosis.bug.rawValue)**: \(diagnosis.sentence) (explains \(diagnosis.explained) of \(diagnosis.findings) findings, contradicted by \(diagnosis.contradicted))"
            }
        }
        out.append("\n## Alerts\n")
        out.append("| outcome | (window, user) pairs |\n|---|---:|")
        for outcome in AlertOutcome.allCases { out.append("| \(Wording.outcome(outcome)) | \(result.alerts.outcomes[outcome]) |") }
        out.append("| duplicate emissions | \(result.alerts.duplicates) |")
        out.append("| replays (not duplicates) | \(result.alerts.replays) |")
        out.append("\nExpected alerts (closed windows that must alert): \(result.alerts.expected); observed (window, user) pairs: \(result.alerts.observed).")
        let examples = result.alerts.examples.filter { $0.outcome != .matched }
        if !examples.isEmpty {
            out.append("\n### Examples\n")
            out.append("| outcome | user | window | expected | observed | batch | line | note |\n|---|---|---|---:|---:|---:|---:|---|")
            for example in examples {
                out.append(
                    "| \(Wording.outcome(example.outcome)) | \(example.userId) | \(Wording.window(start: example.windowStart, end: example.windowEnd)) | \(Wording.count(example.expected)) | \(example.observed.map(String.init) ?? "") | \(example.batch.map(String.init) ?? "") | \(example.line.map(String.init) ?? "") | \(example.note ?? "") |")
            }
        }
        if !result.alerts.duplicateExamples.isEmpty {
            out.append("\n### Duplicate emissions\n")
            out += result.alerts.duplicateExamples.map { "- \(Wording.duplicate($0))" }
        }
        out.append("\n## Latency\n")
        out.append("| measured from | alerts | p50 | p99 | max |\n|---|---:|---:|---:|---:|")
        for (name, stats) in [("window end", result.latency.sinceWindowEnd), ("watermark passing the window end", result.latency.sinceWatermark)] {
            if let stats {
                out.append("| \(name) | \(stats.count) | \(Wording.seconds(stats.p50Ms)) | \(Wording.seconds(stats.p99Ms)) | \(Wording.seconds(stats.maxMs)) |")
            } else {
                out.append("| \(name) | 0 | | | |")
            }
        }
        if result.latency.withoutEmissionTime > 0 { out.append("\n\(result.latency.withoutEmissionTime) alerts carry no emission time.") }
        out.append("\n## Watermarks\n")
        if result.mode == .exact {
            out.append("\(result.watermarks.checkedBatches) logged batches checked, \(result.watermarks.disagreements) disagree with the rule.")
            out += result.watermarks.examples.map { "- \($0.message)" }
        } else {
            out.append("Interval mode: no batch log to check.")
        }
        let finals = result.watermarks.finalWatermarks.map { "\($0.instance.isEmpty ? "final" : $0.instance): \(Wording.time($0.watermarkMs))" }
        if !finals.isEmpty { out.append("\nFinal watermarks: \(finals.joined(separator: "; ")).") }
        out.append("\n## Events\n")
        let events = result.events
        out.append("| records | events | matching | malformed | expected late drops | of them sent on time |\n|---:|---:|---:|---:|---:|---:|")
        out.append(
            "| \(events.records) | \(events.events) | \(events.matching) | \(events.malformed.total) | \(events.lateDropped) | \(events.onTimeDropped) |")
        if events.onTimeDropped.lower > 0 {
            out.append(
                "\n**\(events.onTimeDropped.lower) events the generator sent on time were dropped as late.** The detector's watermark ran "
                    + "ahead of some partitions' backlog (after a restart or a rebalance, or reading partitions unevenly): its own "
                    + "batches make the drops legal, but a detector that reads its partitions together drops none.")
        }
        out.append(
            "\nThe replay read \(document.replay.records) records in \(String(format: "%.1f", document.replay.seconds)) s (\(Int(document.replay.recordsPerSecond)) records/s).")
        if let audit = result.manifestAudit {
            out.append("\n## Topic audit\n")
            out.append("\(audit.isClean ? "Clean" : "**Differs from the manifest**"): \(Wording.audit(audit)).")
            out += audit.examples.map { "- \($0)" }
            out += audit.cutShortManifests.map { "- cut short: \($0)" }
        }
        if !result.notes.isEmpty {
            out.append("\n## Notes\n")
            out += result.notes.map { "- \($0)" }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
