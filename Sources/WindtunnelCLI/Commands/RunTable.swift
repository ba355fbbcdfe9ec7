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

    /// A ramp's steps and the highest rate the detector sustained.
    static func ramp(_ steps: [RampStep]) -> String {
        var lines = ["| step | target rec/s | sent rec/s | detector |", "|---|---|---|---|"]
        for (index, step) in steps.enumerated() {
            var verdict = step.keptUp ? "kept up (read all \(step.catchUpMs ?? 0) ms after)" : "fell behind"
            if !step.generatorReachedTarget { verdict += "; the generator fell short of the target" }
            lines.append("| \(index + 1) | \(step.targetRps) | \(Int(step.achievedRps)) | \(verdict) |")
        }
        let sustained = sustainedRate(of: steps)
        var limit = "the detector"
        if steps.last?.keptUp == true { limit = steps.last?.generatorReachedTarget == false ? "the generator or the broker" : "none reached" }
        lines.append("highest sustained rate: \(Int(sustained)) records/s; limited by \(limit)")
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
