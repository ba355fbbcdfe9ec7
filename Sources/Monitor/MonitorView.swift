import Foundation

/// The monitor's text: a screen redrawn in place on a terminal, or one line per refresh in a pipe.
public enum MonitorView {
    /// A full screen: input, then each consumer with its rate, lag per partition, watermark and verdict.
    public static func screen(_ snapshot: MonitorSnapshot) -> String {
        var lines = ["windtunnel monitor  topic \(snapshot.topic)  \(clock(snapshot.atMs)) UTC", ""]
        lines.append(
            "input      \(rate(snapshot.inputRate)) rec/s  (\(snapshot.inputSource))   \(grouped(snapshot.arrived)) records")
        for consumer in snapshot.consumers {
            lines.append("")
            lines.append("\(consumer.name)  (\(consumer.source))")
            lines.append("  processing \(rate(consumer.processingRate)) rec/s   \(grouped(consumer.processed)) records")
            let partitions = consumer.lagByPartition.keys.sorted().map { "p\($0) \(grouped(consumer.lagByPartition[$0] ?? 0))" }
            lines.append("  lag        \(grouped(consumer.lag)) records   \(partitions.joined(separator: " | "))")
            if let watermark = consumer.watermarkMs {
                let batch = consumer.lastBatchMs.map { "   last batch \($0) ms" } ?? ""
                lines.append("  watermark  \(watermark > 0 ? clock(watermark) : "none yet")\(batch)   batches \(consumer.batches ?? 0)")
            }
            lines.append("  verdict    \(consumer.verdict)")
        }
        if let alerts = snapshot.alerts {
            lines.append("")
            lines.append(
                "alerts     \(rate(snapshot.alertRate))/s   \(grouped(alerts)) written"
                    + (snapshot.unreadableAlerts > 0 ? ", \(grouped(snapshot.unreadableAlerts)) unreadable lines not counted" : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// One line, for pipes and logs.
    public static func line(_ snapshot: MonitorSnapshot) -> String {
        var parts = ["\(clock(snapshot.atMs)) input \(rate(snapshot.inputRate))/s"]
        for consumer in snapshot.consumers {
            parts.append("\(consumer.name) \(rate(consumer.processingRate))/s lag \(consumer.lag): \(consumer.verdict)")
        }
        if let alerts = snapshot.alerts {
            parts.append(
                "alerts \(rate(snapshot.alertRate))/s (\(alerts)"
                    + (snapshot.unreadableAlerts > 0 ? "; \(snapshot.unreadableAlerts) unreadable not counted" : "") + ")")
        }
        return parts.joined(separator: " | ")
    }

    static func rate(_ value: Double?) -> String {
        value.map { grouped(Int64($0.rounded())) } ?? "-"
    }

    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    static func clock(_ ms: Int64) -> String {
        let seconds = Int((ms / 1_000) % 86_400 + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d", seconds / 3_600, seconds / 60 % 60, seconds % 60)
    }
}
