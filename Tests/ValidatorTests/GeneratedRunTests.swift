import EmbeddedBroker
import Foundation
import Kafka
import Testing

/// The validator's command on the real parts: `windtunnel generate` (2 processes, late data within the delay,
/// the closing tail) and `windtunnel detect` on an embedded broker, judged by `windtunnel validate` in
/// exact mode, in interval mode with the batch log withheld, and against a copy of the alerts with three
/// planted faults.
@Suite("validate on a generated run", .serialized)
struct GeneratedRunTests {
    /// The parts of one run that the validations read.
    struct Run {
        let brokers: String
        let manifest: String
        let alerts: String
        let batchLog: String
        /// The detector's closing stats line (records, matches, late dropped, gaps fetched again, ...).
        let detectorStats: String
    }

    /// Generates and detects on `broker`; files go to `scratch`.
    func makeRun(broker: TansuBroker, scratch: ScratchFolder) throws -> Run {
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("logs", partitions: 4)
        let alerts = scratch.file("alerts.jsonl")
        let batchLog = scratch.file("batch-log.jsonl")
        let detector = Process()
        detector.executableURL = WindtunnelProcess.executable
        detector.arguments = [
            "detect", "--brokers", broker.bootstrap, "--topic", "logs", "--group", "detect", "--trigger", "500ms",
            "--alerts", "jsonl:\(alerts)", "--batch-log", batchLog, "--checkpoint", scratch.file("checkpoint"),
            "--until-idle", "5s",
        ]
        let detectorLog = scratch.file("detect.log")
        _ = FileManager.default.createFile(atPath: detectorLog, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: detectorLog))
        detector.standardOutput = log
        detector.standardError = log
        try detector.run()
        let generated = try WindtunnelProcess.run([
            "generate", "--brokers", broker.bootstrap, "--topic", "logs", "--processes", "2", "--rps", "2000",
            "--crash-rate", "150", "--users", "200", "--duration", "15s", "--late-fraction", "0.02", "--late-class", "within",
            "--seed", "5", "--manifest", scratch.file("manifest"), "--tail",
        ])
        #expect(generated.exitCode == 0, "\(generated.standardError)")
        detector.waitUntilExit()
        let detectorOutput = (try? String(contentsOfFile: detectorLog, encoding: .utf8)) ?? ""
        #expect(detector.terminationStatus == 0, "\(detectorOutput)")
        let stats = detectorOutput.split(separator: "\n").last { $0.contains(": records ") }.map(String.init) ?? ""
        return Run(
            brokers: broker.bootstrap, manifest: scratch.file("manifest"), alerts: alerts, batchLog: batchLog, detectorStats: stats)
    }

    /// `windtunnel validate` on `run` with `alerts`, with or without the batch log; the exit code and the
    /// parsed validation.json.
    func validate(_ run: Run, alerts: String, batchLog: Bool, scratch: ScratchFolder, name: String) throws -> (Int32, [String: Any]) {
        let report = scratch.file(name)
        let finished = try WindtunnelProcess.run(
            ["validate", "--brokers", run.brokers, "--topic", "logs", "--manifest", run.manifest, "--alerts", "jsonl:\(alerts)",
             "--report", report] + (batchLog ? ["--batch-log", run.batchLog] : []))
        let data = try #require(FileManager.default.contents(atPath: "\(report)/validation.json"), "\(finished.standardError)")
        return (finished.exitCode, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
    }

    static func outcomes(_ validation: [String: Any]) -> [String: Int] {
        ((validation["alerts"] as? [String: Any])?["outcomes"] as? [String: Int]) ?? [:]
    }

    /// What a failed validation of `run` found, with the detector's own stats beside it: enough to tell a
    /// detector that read other records than the replay from one that counted them differently.
    static func explanation(_ validation: [String: Any], run: Run) -> String {
        let findings = ((validation["alerts"] as? [String: Any])?["examples"] as? [[String: Any]] ?? [])
            .filter { $0["outcome"] as? String != "matched" }
        return "failures: \(validation["failures"] ?? ""); findings: \(findings); events: \(validation["events"] ?? ""); "
            + "audit: \(validation["manifest_audit"] ?? ""); detector: \(run.detectorStats)"
    }

    /// The number after `records ` in the detector's stats line.
    static func recordsRead(_ stats: String) -> Int? {
        guard let range = stats.range(of: ": records ") else { return nil }
        return Int(stats[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func exactAndIntervalPassAndThreePlantedFaultsAreFound() async throws {
        try await withEmbeddedBroker { broker in
            let scratch = try ScratchFolder()
            defer { scratch.remove() }
            let run = try makeRun(broker: broker, scratch: scratch)

            let (exactCode, exact) = try validate(run, alerts: run.alerts, batchLog: true, scratch: scratch, name: "exact")
            #expect(exactCode == 0, "\(Self.explanation(exact, run: run))")
            // The detector read every record of the topic once: as many as the replay found.
            let events = try #require(exact["events"] as? [String: Any])
            #expect(Self.recordsRead(run.detectorStats) == events["records"] as? Int, "\(Self.explanation(exact, run: run))")
            #expect(exact["mode"] as? String == "exact")
            #expect((Self.outcomes(exact)["matched"] ?? 0) >= 50, "\(Self.outcomes(exact))")

            let (intervalCode, interval) = try validate(run, alerts: run.alerts, batchLog: false, scratch: scratch, name: "interval")
            #expect(intervalCode == 0, "\(Self.explanation(interval, run: run))")
            #expect(interval["mode"] as? String == "interval")
            #expect((Self.outcomes(interval)["matched"] ?? 0) >= 50, "\(Self.outcomes(interval))")

            // One alert removed (every emission of its window and user), one final count changed, one
            // spurious alert in a closed window added.
            let lines = try String(contentsOfFile: run.alerts, encoding: .utf8).split(separator: "\n").map(String.init)
            let keys = try lines.map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return "\(object["window_start"] ?? "") \(object["user_id"] ?? "")"
            }
            let distinct = keys.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            try #require(distinct.count >= 2)
            let removed = distinct[0]
            let changed = distinct[1]
            let lastOfChanged = try #require(keys.lastIndex(of: changed))
            var planted: [String] = []
            for (index, line) in lines.enumerated() where keys[index] != removed {
                planted.append(index == lastOfChanged ? line.replacingOccurrences(of: "\"crash_count\":", with: "\"crash_count\":1") : line)
            }
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            let windowStart = try #require(first["window_start"] as? Int64)
            planted.append(
                "{\"window_start\":\(windowStart),\"window_end\":\(windowStart + 10_000),\"user_id\":\"user_planted\","
                    + "\"crash_count\":3,\"emitted_at\":\(windowStart + 45_000),\"batch\":1}")
            let plantedFile = try scratch.write("planted.jsonl", planted.joined(separator: "\n") + "\n")

            let (plantedCode, judged) = try validate(run, alerts: plantedFile, batchLog: true, scratch: scratch, name: "planted")
            #expect(plantedCode == 1)
            #expect(judged["verdict"] as? String == "fail")
            let outcomes = Self.outcomes(judged)
            #expect(outcomes["missing"] == 1 && outcomes["count_mismatch"] == 1 && outcomes["spurious"] == 1, "\(outcomes)")
            #expect(outcomes["matched"] == (Self.outcomes(exact)["matched"] ?? 0) - 2)
            #expect((judged["alerts"] as? [String: Any])?["duplicates"] as? Int == 0)
            let findings = ((judged["alerts"] as? [String: Any])?["examples"] as? [[String: Any]] ?? [])
                .filter { ["missing", "count-mismatch", "spurious"].contains($0["outcome"] as? String ?? "") }
                .map { "\($0["outcome"] ?? "") \($0["window_start"] ?? "") \($0["user_id"] ?? "")" }
            #expect(
                Set(findings) == ["missing \(removed)", "count-mismatch \(changed)", "spurious \(windowStart) user_planted"],
                "\(findings)")
        }
    }
}
