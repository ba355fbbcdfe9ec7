import Contracts
import EmbeddedBroker
import Foundation
import Kafka

/// The files and command line of one detector instance of a test.
struct DetectorInstance {
    let folder: String
    let name: String
    let group: String
    let topic: String
    let brokers: String
    var mode: OutputMode = .update
    var maxRecordsPerBatch: Int?
    /// More options, such as more `--alerts` sinks.
    var extraArguments: [String] = []

    var alertsFile: String { "\(folder)/alerts-\(name).jsonl" }
    var batchLog: String { "\(folder)/batches-\(name).jsonl" }
    var checkpoint: String { "\(folder)/checkpoint" }

    var arguments: [String] {
        [
            "--brokers", brokers,
            "--topic", topic, "--group", group, "--instance", name, "--trigger", "100ms",
            "--alerts", "jsonl:\(alertsFile)", "--batch-log", batchLog, "--checkpoint", checkpoint,
            "--window", "10s", "--watermark", "30s", "--threshold", "2", "--term", "crash", "--match", "case-insensitive",
            "--severities", "High,Critical", "--mode", mode.rawValue,
            "--until-idle", "3s",
        ] + (maxRecordsPerBatch.map { ["--max-records-per-batch", String($0)] } ?? []) + extraArguments
    }

    func start(dieAt: String? = nil, attempt: Int = 0) throws -> DetectProcess {
        try DetectProcess(arguments, dieAt: dieAt, logPath: "\(folder)/detect-\(name)-\(attempt).log")
    }

    /// Waits until the instance's log says it has partitions (a group join takes a few seconds on Tansu).
    func waitUntilAssigned(_ process: DetectProcess, timeoutSeconds: Double = 30) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !process.log.contains("assigned partitions"), process.process.isRunning, Date() < deadline { usleep(50_000) }
    }

    /// Batch-log lines written so far.
    var loggedBatches: Int {
        ((try? String(contentsOfFile: batchLog, encoding: .utf8)) ?? "").split(separator: "\n").count
    }
}

/// A fresh folder for one test's files.
func makeTestFolder(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "windtunnel-detect-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs `body` against a fresh embedded Tansu broker on a free port, and stops the broker afterwards.
func withEmbeddedBroker<R>(_ body: (TansuBroker) async throws -> R) async throws -> R {
    let broker = try TansuBroker.start()
    defer { broker.stop() }
    return try await body(broker)
}
