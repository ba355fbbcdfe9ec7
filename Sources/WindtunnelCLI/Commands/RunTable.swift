import Harness

/// The tables `windtunnel run` prints: one run's expectations, and one line per run of a set.
enum RunTable {
    static func expectations(_ summary: RunSummary) -> String {
        var lines = ["| expectation | expected | actual | |", "|---|---|---|---|"]
        for result in summary.expectations {
            lines.append("| \(result.name) | \(result.expected) | \(result.actual) | \(result.passed ? "ok" : "MISSED") |")
        }
        return lines.joined(separator: "\n")
    }

    static func runs(_ summaries: [RunSummary]) -> String {
        var lines = ["| scenario | verdict | judged alerts | latency p99 | took |", "|---|---|---|---|---|"]
        for summary in summaries {
            let judged = summary.figures.judgedAlerts.map(String.init) ?? "-"
            let latency = summary.figures.latencyP99Ms.map { "\($0) ms" } ?? "-"
            lines.append("| \(summary.scenario) | \(summary.outcome) | \(judged) | \(latency) | \(summary.elapsedMs / 1_000) s |")
        }
        return lines.joined(separator: "\n")
    }
}
