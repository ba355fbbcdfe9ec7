/// A logged batch whose watermarks differ from those the rule gives for the same batch boundaries.
public struct WatermarkFinding: Sendable, Codable, Equatable {
    public var instance: String
    public var batch: Int64
    public var loggedLateMs: Int64
    public var expectedLateMs: Int64
    public var loggedEvictionMs: Int64
    public var expectedEvictionMs: Int64
    /// Buggy detectors whose watermark would have been exactly the logged one.
    public var explainedBy: [SuspectedBug]

    /// One line for a report, such as "batch 7: logged late watermark 100, expected 0".
    public var message: String {
        var parts: [String] = []
        if loggedLateMs != expectedLateMs { parts.append("logged late watermark \(loggedLateMs), expected \(expectedLateMs)") }
        if loggedEvictionMs != expectedEvictionMs {
            parts.append("logged eviction watermark \(loggedEvictionMs), expected \(expectedEvictionMs)")
        }
        let prefix = instance.isEmpty ? "batch \(batch)" : "instance \(instance), batch \(batch)"
        return prefix + ": " + parts.joined(separator: "; ")
    }
}

/// The bugs the diagnosis knows, in the order it prefers them when the evidence ties.
public enum SuspectedBug: String, CaseIterable, Sendable, Codable {
    case severityFilterMissing = "severity-filter-missing"
    /// The term compared case-sensitively when it should not be (or the reverse, when the rule says so).
    case termCaseSensitivity = "term-case-sensitivity"
    case noWatermark = "no-watermark"
    case eventsWithinDelayDropped = "events-within-delay-dropped"
    case processingTimeWindows = "processing-time-windows"
    case timestampAsSeconds = "timestamp-as-seconds"
    case thresholdOffByOne = "threshold-off-by-one"
    case windowsNotAligned = "windows-not-aligned"
    case duplicateEmissionsAfterRestart = "duplicate-emissions-after-restart"
    case outputStoppedEarly = "output-stopped-early"
}
