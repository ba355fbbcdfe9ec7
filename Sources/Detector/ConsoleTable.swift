import Contracts

/// Alerts as Spark's console sink prints one micro-batch with `truncate` false, so that people (and the
/// validator, which reads such tables) see the same shape from either detector:
///
///     -------------------------------------------
///     Batch: 1
///     -------------------------------------------
///     +------------------------------------------+---------+-----------+
///     |Interval                                  |user_id  |crash_count|
///     +------------------------------------------+---------+-----------+
///     |{2026-01-20 13:53:00, 2026-01-20 13:53:10}|user_1361|3          |
///     +------------------------------------------+---------+-----------+
///
/// Every row is printed (Spark's `only showing top N rows` never appears); times are UTC. Cells are padded to
/// the widest in their column counted in Characters, where Spark counts East Asian wide ones twice.
public enum ConsoleTable {
    private static let headers = ["Interval", "user_id", "crash_count"]
    private static let rule = String(repeating: "-", count: 43)

    /// The text for one batch, ending with the empty line Spark prints after each table: write it as it is,
    /// with no newline added.
    public static func render(batch: Int64, alerts: [AlertRecord]) -> String {
        let rows = alerts.map { alert in
            [
                "{\(TimestampText.utc(milliseconds: alert.windowStart)), \(TimestampText.utc(milliseconds: alert.windowEnd))}",
                alert.userId, String(alert.crashCount),
            ]
        }
        // Spark gives each column at least 3 characters.
        var widths = headers.map { max(3, $0.count) }
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        let border = "+" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "+") + "+\n"
        func line(_ cells: [String]) -> String {
            "|" + zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "|") + "|\n"
        }
        var text = "\(rule)\nBatch: \(batch)\n\(rule)\n"
        text += border + line(headers) + border
        for row in rows { text += line(row) }
        text += border + "\n"
        return text
    }
}
