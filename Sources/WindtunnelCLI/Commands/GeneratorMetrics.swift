import Generator
import Monitor

/// `generate --metrics-port`: the workers' live figures as Prometheus gauges, summed over the workers.
final class GeneratorMetrics {
    private let exposition = MetricsExposition()
    private let server: MetricsServer
    private let target: Double
    private var previous: (elapsedMs: Int64, sent: UInt64)?

    /// Serves on `port` the figures of the workers of `plans`, as `observe` is given them.
    init(port: Int, target plans: [WorkerPlan]) throws {
        do {
            server = try MetricsServer(port: port) { [exposition] in exposition.text() }
        } catch {
            throw fail(error.description)
        }
        target = Double(plans.map(\.settings.recordsPerSecond).reduce(0, +))
    }

    /// Sets the gauges from the workers' latest figures (the coordinator's once-a-second observation).
    func observe(_ stats: [WorkerStats?]) {
        let known = stats.compactMap { $0 }
        let sent = known.map(\.sent).reduce(0, +)
        let elapsed = known.map(\.elapsedMs).max() ?? 0
        exposition.set("windtunnel_generator_target_records_per_second", help: "The rate asked for, over all workers", to: target)
        if let previous, elapsed > previous.elapsedMs {
            let rate = Double(sent - min(sent, previous.sent)) * 1_000 / Double(elapsed - previous.elapsedMs)
            exposition.set("windtunnel_generator_records_per_second", help: "Records sent per second, over all workers", to: rate)
        }
        previous = (elapsed, sent)
        exposition.set("windtunnel_generator_sent_records", help: "Records handed to the producer", to: Double(sent))
        exposition.set(
            "windtunnel_generator_acknowledged_records", help: "Records the broker acknowledged",
            to: Double(known.map(\.acknowledged).reduce(0, +)))
        exposition.set(
            "windtunnel_generator_delivery_failures", help: "Records the broker did not take", to: Double(known.map(\.failed).reduce(0, +)))
        exposition.set(
            "windtunnel_generator_in_flight_records", help: "Records waiting for their delivery report",
            to: Double(known.map(\.inFlight).reduce(0, +)))
        exposition.set(
            "windtunnel_generator_schedule_lag_p99_ms", help: "Schedule lag of the measured records, 99th percentile, worst worker",
            to: known.map(\.lagP99Ms).max() ?? 0)
    }

    func stop() {
        server.stop()
    }
}
