import Contracts
import DetectorService
import Foundation
import Kafka

/// The Swift detector's service reading a whole topic as `windtunnel detect` does: 1 s micro-batches, the
/// batch log, a checkpoint every batch, alerts to a JSON-lines file; it stops when the topic has been idle.
public struct SwiftDetectorRun {
    public let client: ClientSettings
    /// Holds the checkpoint, the batch log and the alerts.
    public let folder: String
    /// Whether it writes the batch log and a checkpoint every batch (each fsyncs), as a real run does.
    public var checkpoints = true

    public init(client: ClientSettings, folder: String) {
        self.client = client
        self.folder = folder
    }

    public var alertsPath: String { folder + "/alerts.jsonl" }
    public var batchLogPath: String { folder + "/batch-log.jsonl" }

    /// Reads `topic` in a new group; records/s from the first poll that returned records to the end of the
    /// last one, so that joining the group is not measured.
    public func run(topic: String, expected: Int) throws -> Double {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var settings = DetectorSettings(
            client: client, topic: topic, group: "\(topic)-detect-\(UUID().uuidString.prefix(8))", instance: "benchmark", rule: RuleSettings())
        if checkpoints {
            settings.checkpointFolder = folder + "/checkpoint"
            settings.batchLogPath = batchLogPath
        }
        settings.alerts = [.jsonLines(path: alertsPath)]
        settings.untilIdleMs = 2_000
        do {
            let detector = try DetectorService(settings: settings)
            let stats = try detector.run()
            guard stats.records == expected else { throw BenchmarkError("detect read \(stats.records) of \(expected) records") }
            return Double(stats.records) / (Double(detector.readingSpanMs ?? 0) / 1_000)
        } catch let error as DetectorError {
            throw BenchmarkError("detect: \(error.message)")
        }
    }
}

/// The Spark job (`detectors/spark/crash_monitor.py`) in local mode with its Python Kafka source, reading a
/// whole topic in micro-batches of at most `batchRecords` as fast as it can, then stopping when idle.
public struct SparkDetectorRun {
    public let python: String
    /// The project folder holding `detectors/spark/`.
    public let root: String
    public let brokers: String
    public let folder: String
    public var master = "local[2]"
    /// Records per micro-batch at most: large, since each batch costs Spark about a second of its own.
    public var batchRecords = 500_000

    public init(python: String, root: String, brokers: String, folder: String) {
        self.python = python
        self.root = root
        self.brokers = brokers
        self.folder = folder
    }

    /// What one Spark run measured.
    public struct Measured {
        /// Records/s over the batches after the first: the steady state, without start-up and warm-up.
        public var steadyRate: Double
        /// Seconds from starting the job to the start of its first batch.
        public var startupSeconds: Double
        /// Records/s over the whole run, start-up included.
        public var wallRate: Double
    }

    public func run(topic: String, expected: Int) throws -> Measured {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let batchLog = folder + "/batch-log.jsonl"
        let launched = Date()
        _ = try ProgramRun(
            executable: python,
            arguments: [
                "\(root)/detectors/spark/crash_monitor.py", "--source", "pykafka", "--brokers", brokers, "--topic", topic,
                "--max-records-per-batch", String(batchRecords), "--trigger", "0s", "--until-idle", "5s", "--master", master,
                "--checkpoint", folder + "/checkpoint", "--alerts", folder + "/alerts.jsonl", "--batch-log", batchLog,
            ],
            logPath: folder + "/spark.log"
        ).output(what: "the Spark job")
        let entries = try String(contentsOfFile: batchLog, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(BatchLogEntry.self, from: Data($0.utf8))
        }
        let read = { (entry: BatchLogEntry) in Int(entry.endOffsets.values.reduce(0, +)) }
        guard let first = entries.first, let last = entries.last(where: { read($0) == expected }) ?? entries.last, read(last) == expected else {
            throw BenchmarkError("the Spark job's batch log does not reach all \(expected) records")
        }
        let steadySeconds = Double(last.endedAt - first.endedAt) / 1_000
        return Measured(
            steadyRate: steadySeconds > 0 ? Double(expected - read(first)) / steadySeconds : 0,
            startupSeconds: Double(first.startedAt) / 1_000 - launched.timeIntervalSince1970,
            wallRate: Double(expected) / (Double(last.endedAt) / 1_000 - launched.timeIntervalSince1970))
    }
}

/// `windtunnel validate` judging a detector's alerts on a topic it replays, with the generator's manifest
/// and the detector's batch log (exact mode).
public struct ValidatorRun {
    public let executable: String
    public let brokers: String

    public init(executable: String, brokers: String) {
        self.executable = executable
        self.brokers = brokers
    }

    /// Validates; returns the replay's records/s as `validation.json` reports it. A verdict other than pass
    /// (an exit status other than 0) is an error: a benchmark of a validator that disagrees measures nothing.
    public func run(topic: String, manifest: String, alerts: String, batchLog: String, report: String) throws -> Double {
        _ = try ProgramRun(
            executable: executable,
            arguments: [
                "validate", "--brokers", brokers, "--topic", topic, "--manifest", manifest, "--alerts", "jsonl:\(alerts)",
                "--batch-log", batchLog, "--report", report,
            ],
            logPath: report + ".log"
        ).output(what: "windtunnel validate")
        struct Validation: Decodable {
            struct Replay: Decodable { let records_per_second: Double }
            let replay: Replay
        }
        guard let data = FileManager.default.contents(atPath: report + "/validation.json") else {
            throw BenchmarkError("windtunnel validate wrote no \(report)/validation.json")
        }
        let validation = try JSONDecoder().decode(Validation.self, from: data)
        return validation.replay.records_per_second
    }
}
