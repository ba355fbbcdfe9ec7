import ArgumentParser
import Contracts
import Dispatch
import Foundation
import Kafka
import Monitor
#if canImport(Glibc)
import Glibc
#endif

/// `windtunnel monitor`: is the detector keeping up? Input rate, each consumer's processing rate and lag per
/// partition, watermark and batch duration, alert rate, refreshed every second.
struct MonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch a topic and its detectors live: input rate, processing rate, lag, watermark, alerts.",
        discussion: """
            Consumers are consumer groups (--group, through their committed offsets) or detectors that commit \
            nothing, such as Spark, through their batch logs (--batch-log). On a terminal the view is redrawn in \
            place; in a pipe it prints one line per refresh. Lag is measured against the partitions' ends as the \
            broker reports them; Tansu reports the start of a partition's last record batch, so there lag can \
            read low by up to one batch per partition.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The topic the detectors read.")
    var topic: String = "logs"

    @Option(help: "A consumer group to watch; repeat for more.")
    var group: [String] = []

    @Option(name: .customLong("batch-log"), help: "A detector's batch log to watch; repeat for more.")
    var batchLogs: [String] = []

    @Option(
        help: ArgumentHelp(
            "Count a detector's alert records: a JSON Lines file or a Kafka topic (read from its start); repeat for several.",
            valueName: "jsonl:PATH|kafka:TOPIC"))
    var alerts: [String] = []

    @Option(help: "Time between refreshes.")
    var interval: String = "1s"

    @Option(help: "Stop after this long (default: until Ctrl-C).")
    var duration: String?

    @Flag(help: "One line per refresh, also on a terminal.")
    var plain = false

    @Option(name: .customLong("metrics-port"), help: MetricsPortOption.help, transform: MetricsPortOption.parse)
    var metricsPort: Int?

    func validate() throws {
        do {
            guard try DurationText.milliseconds(interval) >= 100 else {
                throw ValidationError("--interval \(interval): refreshing more often than every 100ms is not supported")
            }
            if let duration { _ = try DurationText.milliseconds(duration) }
        } catch let error as DurationText.ParseError {
            throw ValidationError(error.description)
        }
        for source in alerts where AlertRecordSource(parsing: source) == nil {
            throw ValidationError("--alerts \(source): the monitor counts JSON Lines files (jsonl:PATH) and Kafka topics (kafka:TOPIC)")
        }
    }

    func run() throws {
        var settings = MonitorSession.Settings(client: try connection.clientSettings(), topic: topic)
        settings.groups = group
        settings.batchLogs = batchLogs
        settings.alerts = alerts.compactMap(AlertRecordSource.init(parsing:))
        // A monitor of brokers that do not answer, or of a topic that is not there, would show nothing forever.
        do {
            guard try KafkaAdmin(client: settings.client).partitions(of: topic, timeoutMs: 10_000) != nil else {
                throw fail("topic '\(topic)' does not exist on \(connection.brokers) (create it, or check --topic)", exitCode: 2)
            }
        } catch let error as KafkaError {
            throw fail(error.message, exitCode: 2)
        }
        let session: MonitorSession
        do {
            session = try MonitorSession(settings: settings)
        } catch {
            throw fail("cannot watch \(topic) on \(connection.brokers): \(error)")
        }
        let exposition = MetricsExposition()
        var server: MetricsServer?
        if let metricsPort {
            do {
                server = try MetricsServer(port: metricsPort) { exposition.text() }
            } catch {
                throw fail(error.description)
            }
        }
        defer { server?.stop() }
        let intervalMs = (try? DurationText.milliseconds(interval)) ?? 1_000
        let deadline = duration.flatMap { try? DurationText.milliseconds($0) }.map { Date().addingTimeInterval(Double($0) / 1_000) }
        let screen = !plain && isatty(STDOUT_FILENO) == 1
        while deadline.map({ Date() < $0 }) ?? true {
            let started = Date()
            do {
                let snapshot = try session.refresh()
                exposition.update(snapshot)
                // Written unbuffered, so that a pipe sees each refresh as it happens.
                let text = screen ? "\u{1B}[H\u{1B}[2J" + MonitorView.screen(snapshot) : MonitorView.line(snapshot)
                FileHandle.standardOutput.write(Data((text + "\n").utf8))
            } catch {
                note("monitor: \(error)")
            }
            let spent = -started.timeIntervalSinceNow * 1_000
            usleep(UInt32(max(0, Double(intervalMs) - spent)) * 1_000)
        }
    }
}
