import Detector
import DetectorService
import Monitor

/// `detect --metrics-port`: the detector's figures after each batch as Prometheus gauges, labelled with the
/// instance.
enum DetectorMetrics {
    static func serve(port: Int, on detector: DetectorService) throws -> MetricsServer {
        let exposition = MetricsExposition()
        let server: MetricsServer
        do {
            server = try MetricsServer(port: port) { exposition.text() }
        } catch {
            throw fail(error.description)
        }
        let labels = [("instance", detector.settings.instance)]
        detector.observe = { figures in
            let stats = figures.stats
            func set(_ name: String, _ help: String, _ value: Double) {
                exposition.set("windtunnel_detector_\(name)", labels: labels, help: help, to: value)
            }
            set("records", "Records read", Double(stats.records))
            set("matched_records", "Records that match the rule", Double(stats.matched))
            set("late_dropped_records", "Matching records dropped as late", Double(stats.lateDropped))
            set("malformed_records", "Records that are not events", Double(stats.malformed.total))
            set("batches", "Micro-batches run", Double(stats.batches))
            set("alerts", "Alert records emitted", Double(stats.alertsEmitted))
            set("open_windows", "(window, user) counts held in state", Double(stats.openWindows))
            set("eviction_watermark_ms", "Eviction watermark of the newest batch, ms since the epoch", Double(figures.evictionWatermarkMs))
            set("late_watermark_ms", "Watermark the newest batch dropped late rows by, ms since the epoch", Double(figures.lateWatermarkMs))
            set("batch_duration_ms", "Duration of the newest batch", Double(figures.durationMs))
            if let lag = figures.lag { set("lag_records", "Records behind the partitions' last known ends", Double(lag)) }
        }
        return server
    }
}
