import ArgumentParser
import DetectorService
import Foundation
import Kafka

/// `windtunnel detect`: the reference crash detector, one instance of a consumer group.
struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Detect users with too many crashes per event-time window, reading log events from Kafka.",
        discussion: """
            Counts matching events per user in tumbling event-time windows with Spark 4's watermark rule and \
            emits (window, user, count) alerts in micro-batches. Several instances in one --group split the \
            partitions and hand their state on at rebalances through the shared --checkpoint folder. With a \
            checkpoint, a detector killed at any point and restarted loses and repeats nothing: it cuts its \
            JSON Lines outputs back to the checkpoint and runs an interrupted batch again over the same offsets. \
            Without a checkpoint, the JSON Lines alert files and the batch log are started afresh, since the \
            detector starts over from the earliest offsets. --until-idle counts only while partitions are assigned.
            SIGTERM or SIGINT: finish the current batch, checkpoint, print stats, exit 0. SIGUSR1: print stats.
            Test hook: WINDTUNNEL_DETECT_DIE_AT=after-consume|after-alerts|after-rename:BATCH makes the process \
            kill itself with SIGKILL at that point of that batch (BATCH 'alerts': the first batch that wrote alerts).
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var service: DetectorServiceOptions
    @OptionGroup var rule: DetectorRuleOptions

    @Option(name: .customLong("metrics-port"), help: MetricsPortOption.help, transform: MetricsPortOption.parse)
    var metricsPort: Int?

    func run() throws {
        var settings = DetectorSettings(
            client: try connection.clientSettings(), topic: service.topic, group: service.group,
            instance: service.instance, rule: try rule.ruleSettings())
        settings.triggerMs = try DetectorRuleOptions.duration(service.trigger, option: "--trigger")
        settings.untilIdleMs = try service.untilIdle.map { try DetectorRuleOptions.duration($0, option: "--until-idle") }
        settings.maxRecordsPerBatch = service.maxRecordsPerBatch
        settings.batchLogPath = service.batchLog
        settings.checkpointFolder = service.checkpoint
        let detector: DetectorService
        do throws(DetectorError) {
            settings.alerts = try service.alerts.map { (text) throws(DetectorError) in try AlertDestination(parsing: text) }
            settings.crashPoint = try CrashPoint.fromEnvironment()
            detector = try DetectorService(settings: settings)
        } catch {
            throw fail(error.message)
        }
        let server = try metricsPort.map { port in try DetectorMetrics.serve(port: port, on: detector) }
        defer { server?.stop() }
        do throws(DetectorError) {
            _ = try detector.run()
        } catch {
            throw fail(error.message)
        }
    }
}
