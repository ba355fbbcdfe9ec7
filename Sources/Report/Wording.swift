import Foundation
import GroundTruth

/// How the reports put numbers, times and findings into words, the same way in every format.
enum Wording {
    /// Epoch milliseconds as `2026-01-21 12:53:20.000 UTC`; out-of-range times as the raw number.
    static func time(_ ms: Int64) -> String {
        guard ms > -62_135_596_800_000, ms < 253_402_300_800_000 else { return "\(ms) ms" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000)) + " UTC"
    }

    /// A window as `[start, end)` in UTC.
    static func window(start: Int64, end: Int64) -> String { "[\(time(start)), \(time(end)))" }

    /// Milliseconds as seconds with three decimals.
    static func seconds(_ ms: Int64) -> String { String(format: "%.3f s", Double(ms) / 1_000) }

    static func count(_ range: CountRange?) -> String { range?.description ?? "0" }

    static func verdict(_ result: ValidationResult) -> String { result.verdict == .pass ? "PASS" : "FAIL" }

    /// One outcome's name as a heading word.
    static func outcome(_ outcome: AlertOutcome) -> String {
        switch outcome {
        case .matched: "matched"
        case .missing: "missing"
        case .spurious: "spurious"
        case .countMismatch: "count mismatch"
        case .ambiguous: "ambiguous"
        case .open: "open"
        }
    }

    /// One example alert in a line.
    static func finding(_ finding: AlertFinding) -> String {
        var text = "\(finding.userId) in \(window(start: finding.windowStart, end: finding.windowEnd)): expected \(count(finding.expected))"
        text += ", observed \(finding.observed.map(String.init) ?? "nothing")"
        if let batch = finding.batch { text += " (batch \(batch))" }
        if let line = finding.line, finding.observed != nil { text += " at line \(line)" }
        if let note = finding.note { text += "; \(note)" }
        return text
    }

    /// One duplicate emission in a line.
    static func duplicate(_ finding: DuplicateFinding) -> String {
        "\(finding.userId) in \(window(start: finding.windowStart, end: finding.windowEnd)): \(finding.reason)"
    }

    /// The audit in a sentence.
    static func audit(_ audit: ManifestAudit) -> String {
        "\(audit.acknowledged) acknowledged, \(audit.matched) found where acknowledged, \(audit.ackedButMissing) acknowledged but missing, "
            + "\(audit.duplicated) duplicated, \(audit.neverAcknowledged) never acknowledged, \(audit.wrongRecord) with other headers than acknowledged"
    }

    /// The outcome counts in a line.
    static func outcomes(_ counts: OutcomeCounts) -> String {
        AlertOutcome.allCases.map { "\(outcome($0)) \(counts[$0])" }.joined(separator: ", ")
    }
}
