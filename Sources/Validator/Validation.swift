import Contracts
import Foundation
import GroundTruth
import Kafka
import Manifest

/// One validation: what to read and how to judge it.
public struct ValidationRequest: Sendable {
    public var client: ClientSettings
    public var topic: String
    /// The generator's manifest folder, when there is one.
    public var manifestFolder: String?
    public var alertSources: [AlertSource]
    /// Batch logs of every detector instance; none means interval mode.
    public var batchLogs: [String]
    public var rule: RuleSettings
    /// Interval mode's readability model.
    public var model: ReadabilityModel
    /// The time zone in which Spark console times are read.
    public var consoleTimeZone: ConsoleTimeZone
    /// See `TopicReplay.idleMs`.
    public var idleMs: Int
    /// The most examples kept per kind of finding.
    public var exampleLimit: Int

    public init(
        client: ClientSettings, topic: String, manifestFolder: String?, alertSources: [AlertSource], batchLogs: [String],
        rule: RuleSettings, model: ReadabilityModel = ReadabilityModel(), consoleTimeZone: ConsoleTimeZone = .utc, idleMs: Int = 5_000,
        exampleLimit: Int = 10
    ) {
        self.client = client
        self.topic = topic
        self.manifestFolder = manifestFolder
        self.alertSources = alertSources
        self.batchLogs = batchLogs
        self.rule = rule
        self.model = model
        self.consoleTimeZone = consoleTimeZone
        self.idleMs = idleMs
        self.exampleLimit = exampleLimit
    }
}

/// What a validation found.
public struct ValidationOutcome: Sendable {
    /// The verdict and everything behind it, the manifest audit included.
    public var result: ValidationResult
    public var replay: TopicReplay.Statistics
    /// Seconds the whole validation took, input reading included.
    public var seconds: Double
}

/// Runs a validation: reads the batch logs and alerts first (so that bad input fails before a long replay),
/// replays the topic into ground truth with the manifest alongside, and judges the alerts.
public enum Validation {
    public static func run(_ request: ValidationRequest, progress: (String) -> Void) throws(ValidatorError) -> ValidationOutcome {
        let started = Date()
        var notes: [String] = []
        var batchLog: [BatchLogEntry]?
        if !request.batchLogs.isEmpty {
            let contents = try BatchLogFiles.read(request.batchLogs)
            notes += contents.notes
            batchLog = contents.entries
        }
        let observed = try AlertCollection.read(
            request.alertSources, timeZone: request.consoleTimeZone, client: request.client, idleMs: request.idleMs)
        progress("read \(observed.alerts.count) alert records from \(observed.source)")

        var tally: ReplayTally
        do {
            tally = try ReplayTally(rule: request.rule, batchLog: batchLog, model: request.model)
        } catch {
            throw ValidatorError(error.message)
        }

        var targets: [Int32: Int64] = [:]
        for entry in batchLog ?? [] {
            for (partition, end) in entry.endOffsets { targets[partition] = max(targets[partition] ?? 0, end) }
        }
        var follower: ManifestFollower?
        if let folder = request.manifestFolder {
            let directory: ManifestDirectory
            do {
                directory = try ManifestDirectory(path: folder)
            } catch {
                throw ValidatorError(error.description)
            }
            let ends = try AcknowledgedEnds.read(folder: folder, directory: directory)
            progress("the manifest acknowledged \(ends.acknowledged) records (from \(ends.origin))")
            for (partition, end) in ends.partitionEnds { targets[partition] = max(targets[partition] ?? 0, end) }
            follower = try ManifestFollower(directory: directory, rule: request.rule, exampleLimit: request.exampleLimit)
        }

        // Without a manifest the end of the topic is unknown, so the replay reads until idle in any case.
        let replay = TopicReplay(
            topic: request.topic, client: request.client, targets: follower == nil ? [:] : targets, idleMs: request.idleMs)
        let statistics = try replay.run(into: &tally, follower: follower, progress: progress)
        if follower == nil {
            let short = targets.keys.sorted().filter { statistics.endOffsets[$0, default: 0] < targets[$0, default: 0] }
            if let partition = short.first {
                throw ValidatorError(
                    "topic '\(request.topic)' ends at offset \(statistics.endOffsets[partition, default: 0]) of partition \(partition), but the batch log says the detector read up to \(targets[partition, default: 0])")
            }
        }
        let audit = try follower?.finish()
        progress(String(format: "replayed %d records in %.1f s (%.0f records/s)", statistics.records, statistics.seconds, statistics.recordsPerSecond))

        var result = ValidationResult(expected: tally.finish(), observed: observed, exampleLimit: request.exampleLimit)
        result.manifestAudit = audit
        if let audit, !audit.isClean {
            notes.append(
                "the topic differs from the manifest: \(audit.ackedButMissing) acknowledged records missing, \(audit.duplicated) duplicated, \(audit.neverAcknowledged) never acknowledged, \(audit.wrongRecord) at an acknowledged offset with other headers")
        }
        if let audit, !audit.cutShortManifests.isEmpty {
            notes.append("\(audit.cutShortManifests.count) manifest files end without their footer (a worker stopped early)")
        }
        result.notes = notes + result.notes
        return ValidationOutcome(result: result, replay: statistics, seconds: Date().timeIntervalSince(started))
    }
}
