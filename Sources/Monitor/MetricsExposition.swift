import Foundation
import Prometheus

/// The monitor's figures as Prometheus metrics (text format), for scraping into Grafana.
///
/// Gauges are registered once per label set and set on every snapshot; a consumer or partition that
/// disappears keeps its last value until the process ends (Prometheus marks it stale when scrapes stop).
public final class MetricsExposition: @unchecked Sendable {
    // Unchecked: every access goes through `lock`; the registry itself is thread-safe.
    private let registry = PrometheusCollectorRegistry()
    private let lock = NSLock()

    public init() {}

    /// Sets every gauge from `snapshot`.
    public func update(_ snapshot: MonitorSnapshot) {
        lock.withLock {
            let topic = [("topic", snapshot.topic)]
            gauge("windtunnel_input_records", topic, "Records that arrived in the topic so far").set(Double(snapshot.arrived))
            if let rate = snapshot.inputRate {
                gauge("windtunnel_input_records_per_second", topic, "Records arriving per second").set(rate)
            }
            for consumer in snapshot.consumers {
                let labels = topic + [("consumer", consumer.name)]
                gauge("windtunnel_processed_records", labels, "Records the consumer processed so far").set(Double(consumer.processed))
                if let rate = consumer.processingRate {
                    gauge("windtunnel_processing_records_per_second", labels, "Records the consumer processes per second").set(rate)
                }
                gauge("windtunnel_lag_records", labels, "Records waiting for the consumer").set(Double(consumer.lag))
                for (partition, lag) in consumer.lagByPartition {
                    gauge("windtunnel_partition_lag_records", labels + [("partition", String(partition))], "Records waiting, per partition")
                        .set(Double(lag))
                }
                let behind: Double = if case .fallingBehind = consumer.verdict { 1 } else { 0 }
                gauge("windtunnel_falling_behind", labels, "1 while the consumer's backlog grows beyond a micro-batch").set(behind)
                if let watermark = consumer.watermarkMs {
                    gauge("windtunnel_watermark_ms", labels, "Eviction watermark of the newest batch, ms since the epoch").set(Double(watermark))
                }
                if let batch = consumer.lastBatchMs {
                    gauge("windtunnel_batch_duration_ms", labels, "Duration of the newest batch").set(Double(batch))
                }
            }
            if let alerts = snapshot.alerts {
                gauge("windtunnel_alerts", topic, "Alert records written so far").set(Double(alerts))
            }
            if let rate = snapshot.alertRate {
                gauge("windtunnel_alerts_per_second", topic, "Alert records written per second").set(rate)
            }
        }
    }

    /// The text format a Prometheus server scrapes.
    public func text() -> String {
        registry.emitToString()
    }

    private var gauges: [String: Gauge] = [:]

    private func gauge(_ name: String, _ labels: [(String, String)], _ help: String) -> Gauge {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        if let existing = gauges[key] { return existing }
        let descriptor = MetricNameDescriptor(
            namespace: "windtunnel", metricName: String(name.dropFirst("windtunnel_".count)), unitName: "", helpText: help)
        let made = registry.makeGauge(descriptor: descriptor, labels: labels)
        gauges[key] = made
        return made
    }
}
