import ArgumentParser
import Foundation
import GroundTruth
import Kafka
import Report
import Validator

/// `windtunnel validate`: recomputes ground truth from the topic (and the generator's manifest) and judges a
/// detector's alerts against it; writes the reports and exits 0 pass, 1 fail, 2 could not judge.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a detector's alerts against ground truth recomputed from the topic.",
        discussion: """
            Replays the topic from the earliest offsets. With --manifest it reads until every acknowledged \
            record is seen and audits the topic against the manifest; without one it reads until no record \
            arrives for --until-idle. With --batch-log (one per detector instance) validation is exact; \
            without, interval mode gives each (window, user) a count range and may call alerts ambiguous. \
            Writes validation.json, report.md, report.html and junit.xml into --report, and a short summary \
            on standard output. Exit codes: 0 the detector passes, 1 it fails, 2 could not judge (bad input, \
            missing files, a malformed alert file, a topic lacking acknowledged records).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The topic the detector read.")
    var topic = "logs"

    @Option(help: ArgumentHelp("The generator's manifest folder (worker-N.wtm files and summary.json).", valueName: "folder"))
    var manifest: String?

    @Option(help: ArgumentHelp("Where to write validation.json, report.md, report.html and junit.xml.", valueName: "folder"))
    var report = "."

    @Option(
        help: ArgumentHelp(
            "A detector's alerts: jsonl:PATH, csv:PATH, spark-console:PATH or kafka:TOPIC; repeat for several instances.",
            valueName: "kind:location"))
    var alerts: [String] = []

    @Option(
        name: .customLong("batch-log"),
        help: ArgumentHelp("A detector instance's batch log; repeat per instance. Makes validation exact.", valueName: "path"))
    var batchLogs: [String] = []

    @OptionGroup var rule: ValidationRuleOptions

    @Option(
        help: ArgumentHelp(
            "Interval mode: the longest time from a record becoming readable to the start of the batch that reads it (trigger interval plus the longest batch).",
            valueName: "duration"))
    var slack = "11s"

    @Option(help: ArgumentHelp("Time zone of Spark console times: UTC, +02:00, or a name such as Europe/Paris.", valueName: "zone"))
    var timezone = "UTC"

    @Option(
        name: .customLong("until-idle"),
        help: ArgumentHelp(
            "Without a manifest, the replay ends after this long without a new record; with one, this long without progress means the topic lacks acknowledged records.",
            valueName: "duration"))
    var untilIdle = "5s"

    @Option(help: "The most examples listed per kind of finding.")
    var examples = "10"

    func run() throws {
        let request: ValidationRequest
        do {
            // Before the replay, which can take minutes: a report folder that cannot be made is known now.
            try PathOption.checkFolder(report, option: "--report")
        } catch let error as ValidationError {
            throw fail(error.message, exitCode: 2)
        }
        do {
            request = try makeRequest()
        } catch {
            throw fail(error.message, exitCode: 2)
        }
        let outcome: ValidationOutcome
        do {
            outcome = try Validation.run(request) { note($0) }
        } catch {
            throw fail(error.message, exitCode: 2)
        }
        let statistics = outcome.replay
        let document = ValidationDocument(
            inputs: ValidationDocument.Inputs(
                brokers: request.client.brokers, topic: request.topic, manifest: request.manifestFolder,
                alerts: request.alertSources.map(\.description), batchLogs: request.batchLogs, timezone: request.consoleTimeZone.name),
            replay: ValidationDocument.Replay(
                records: statistics.records, bytes: statistics.bytes, seconds: statistics.seconds, recordsPerSecond: statistics.recordsPerSecond,
                endOffsets: Dictionary(uniqueKeysWithValues: statistics.endOffsets.map { (String($0.key), $0.value) }),
                largestManifestLookahead: statistics.largestManifestLookahead, totalSeconds: outcome.seconds),
            result: outcome.result)
        do {
            try ReportFiles.write(document, to: report)
        } catch {
            throw fail("could not write the reports into \(report): \(error.localizedDescription)", exitCode: 2)
        }
        print(ReportFiles.summary(document, folder: report))
        if outcome.result.verdict == .fail { throw ExitCode(1) }
    }

    private func makeRequest() throws(ValidatorError) -> ValidationRequest {
        guard !alerts.isEmpty else {
            throw ValidatorError("give the detector's alerts with --alerts jsonl:PATH (or csv:, spark-console:, kafka:)")
        }
        let sources = try alerts.map { (text) throws(ValidatorError) in try AlertSource(parsing: text) }
        guard !topic.isEmpty else { throw ValidatorError("--topic must not be empty") }
        let client: ClientSettings
        do {
            client = ClientSettings(brokers: connection.brokers, properties: try ClientProperties.resolve(connection.properties))
        } catch {
            throw ValidatorError(error.message)
        }
        var model = ReadabilityModel()
        model.slackMs = try ValidationRuleOptions.duration(slack, "--slack")
        let idle = try ValidationRuleOptions.duration(untilIdle, "--until-idle")
        guard idle > 0 else { throw ValidatorError("--until-idle must be longer than 0") }
        guard let exampleLimit = Int(examples), exampleLimit >= 0 else {
            throw ValidatorError("--examples '\(examples)' must be a whole number, 0 or more")
        }
        if let manifest {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: manifest, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidatorError("--manifest \(manifest) is not a folder")
            }
        }
        return ValidationRequest(
            client: client, topic: topic, manifestFolder: manifest, alertSources: sources, batchLogs: batchLogs, rule: try rule.rule(),
            model: model, consoleTimeZone: try ConsoleTimeZoneOption.parse(timezone), idleMs: Int(min(idle, Int64(Int32.max))),
            exampleLimit: exampleLimit)
    }
}
