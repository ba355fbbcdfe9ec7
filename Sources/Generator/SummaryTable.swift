extension GenerationSummary {
    /// The summary as a table for people: one row per worker and a total row, then the record kinds.
    public var table: String {
        let header = ["worker", "status", "target/s", "achieved/s", "sent", "acked", "failed", "no report", "lag p50", "lag p99", "lag max"]
        var rows = workers.map { figures in
            [
                String(figures.worker), figures.status, ProgressLine.grouped(figures.targetRate),
                figures.achievedRate.map { ProgressLine.grouped(Int($0.rounded())) } ?? "-", ProgressLine.grouped(Int(figures.sent)),
                ProgressLine.grouped(Int(figures.acknowledged)), ProgressLine.grouped(Int(figures.deliveryFailures)),
                ProgressLine.grouped(Int(figures.unacknowledged)), figures.scheduleLag.map { ProgressLine.milliseconds($0.p50Ms) } ?? "-",
                figures.scheduleLag.map { ProgressLine.milliseconds($0.p99Ms) } ?? "-",
                figures.scheduleLag.map { ProgressLine.milliseconds($0.maxMs) } ?? "-",
            ]
        }
        rows.append([
            "all", stoppedEarly ? "stopped early" : (problems.isEmpty ? "completed" : "with problems"), ProgressLine.grouped(targetRate),
            ProgressLine.grouped(Int(achievedRate.rounded())), ProgressLine.grouped(Int(sent)), ProgressLine.grouped(Int(acknowledged)),
            ProgressLine.grouped(Int(deliveryFailures)), ProgressLine.grouped(Int(unacknowledged)), ProgressLine.milliseconds(scheduleLag.p50Ms),
            ProgressLine.milliseconds(scheduleLag.p99Ms), ProgressLine.milliseconds(scheduleLag.maxMs),
        ])
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func render(_ row: [String]) -> String {
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column < 2 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var lines = [render(header)] + rows.map(render)
        let late = lateness.filter { $0.key != "on-time" && $0.value > 0 }.sorted { $0.key < $1.key }
        let broken = malformed.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        lines.append("term records \(ProgressLine.grouped(Int(termRecords))), tail records \(ProgressLine.grouped(Int(tailRecords)))")
        lines.append("late: " + (late.isEmpty ? "none" : late.map { "\($0.key) \(ProgressLine.grouped(Int($0.value)))" }.joined(separator: ", ")))
        lines.append("malformed: " + (broken.isEmpty ? "none" : broken.map { "\($0.key) \(ProgressLine.grouped(Int($0.value)))" }.joined(separator: ", ")))
        lines.append("partition ends: " + partitionEndOffsets.sorted { Int($0.key) ?? 0 < Int($1.key) ?? 0 }.map { "\($0.key):\($0.value)" }.joined(separator: " "))
        return lines.joined(separator: "\n")
    }
}
