import Foundation

/// What a run's live view recorded once a second (`monitor.jsonl` in its results folder): input and
/// processing rates, lag, watermark, batch duration and alerts over time, for the report's time series.
/// Read leniently: lines that do not parse are skipped, so a run cut short still gets its charts.
public struct RunTimeline: Sendable, Equatable {
    /// One second of the run.
    public struct Point: Sendable, Equatable {
        /// Seconds since the first point.
        public var second: Double
        public var inputRate: Double?
        /// Summed over the consumers.
        public var processingRate: Double?
        /// Summed over the consumers.
        public var lag: Double?
        /// How far the slowest consumer's eviction watermark trails the wall clock, seconds.
        public var watermarkDelaySeconds: Double?
        /// The slowest consumer's newest batch, ms.
        public var batchMs: Double?
        public var alertRate: Double?
        /// Resident memory of the detector processes together, MB.
        public var detectorMemoryMB: Double?
    }

    /// One window's alerts: the (window, user) pairs alerted in it by the end of the run.
    public struct WindowAlerts: Sendable, Equatable {
        /// The window's start, ms since the epoch.
        public var windowStart: Int64
        public var alerts: Int
    }

    public var points: [Point]
    /// Alerts per window, by window start, earliest first.
    public var alertsPerWindow: [WindowAlerts]

    /// The name of the file in a results folder.
    public static let fileName = "monitor.jsonl"

    /// Parses the JSON lines `MonitorSnapshot.jsonLine` writes.
    public init(jsonLines text: String) {
        var points: [Point] = []
        var alertsByWindow: [Int64: Int] = [:]
        var origin: Double?
        for line in text.split(separator: "\n") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let at = (object["at_ms"] as? NSNumber)?.doubleValue
            else { continue }
            let start = origin ?? at
            origin = start
            let consumers = (object["consumers"] as? [[String: Any]]) ?? []
            func sum(_ key: String) -> Double? {
                let values = consumers.compactMap { ($0[key] as? NSNumber)?.doubleValue }
                return values.isEmpty ? nil : values.reduce(0, +)
            }
            // Each line carries the windows that gained an alert since the previous one; the last figure counts.
            for window in (object["alerts_per_window"] as? [[String: Any]]) ?? [] {
                guard let start = (window["window_start"] as? NSNumber)?.int64Value, let alerts = (window["alerts"] as? NSNumber)?.intValue
                else { continue }
                alertsByWindow[start] = alerts
            }
            let watermarks = consumers.compactMap { ($0["watermark_ms"] as? NSNumber)?.doubleValue }.filter { $0 > 0 }
            points.append(
                Point(
                    second: (at - start) / 1_000,
                    inputRate: (object["input_rate"] as? NSNumber)?.doubleValue,
                    processingRate: sum("processing_rate"),
                    lag: sum("lag"),
                    watermarkDelaySeconds: watermarks.min().map { (at - $0) / 1_000 },
                    batchMs: consumers.compactMap { ($0["last_batch_ms"] as? NSNumber)?.doubleValue }.max(),
                    alertRate: (object["alert_rate"] as? NSNumber)?.doubleValue,
                    detectorMemoryMB: (object["resident_kb"] as? [String: Any]).flatMap { memory in
                        let values = memory.values.compactMap { ($0 as? NSNumber)?.doubleValue }
                        return values.isEmpty ? nil : values.reduce(0, +) / 1_024
                    }))
        }
        self.points = points
        alertsPerWindow = alertsByWindow.sorted { $0.key < $1.key }.map { WindowAlerts(windowStart: $0.key, alerts: $0.value) }
    }

    /// The timeline in `folder`, or nil when the folder has none.
    public static func read(folder: String) -> RunTimeline? {
        guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: folder).appendingPathComponent(fileName).path) else {
            return nil
        }
        let timeline = RunTimeline(jsonLines: String(decoding: data, as: UTF8.self))
        return timeline.points.isEmpty ? nil : timeline
    }
}
