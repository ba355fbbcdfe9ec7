import Contracts
import Foundation
import Kafka
import Testing

/// `windtunnel validate` and `windtunnel report` on bad input: each gets one line naming the input and what
/// is wrong, and exit code 2 ("could not judge"), before any replay starts.
@Suite("validate and report commands: errors and exit codes", .serialized)
struct ValidateCommandTests {
    /// Runs `validate` against an address nothing listens on: every case here must fail before connecting.
    private func validate(_ arguments: [String], in scratch: ScratchFolder) throws -> WindtunnelProcess.Finished {
        try WindtunnelProcess.run(["validate", "--brokers", "127.0.0.1:1", "--topic", "logs", "--report", scratch.file("report")] + arguments)
    }

    private func expectInputError(_ finished: WindtunnelProcess.Finished, mentioning parts: [String]) {
        #expect(finished.exitCode == 2, "exit \(finished.exitCode): \(finished.standardError)")
        let lines = finished.standardError.split(separator: "\n").filter { $0.hasPrefix("windtunnel: error:") }
        #expect(lines.count == 1, "\(finished.standardError)")
        for part in parts { #expect(lines.first?.contains(part) == true, "'\(part)' not in: \(finished.standardError)") }
    }

    @Test func missingAlertsOption() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        expectInputError(try validate([], in: scratch), mentioning: ["--alerts"])
    }

    @Test func unknownAlertKind() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        expectInputError(try validate(["--alerts", "parquet:alerts.parquet"], in: scratch), mentioning: ["parquet", "unknown kind"])
    }

    @Test func missingAlertFile() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let path = scratch.file("absent.jsonl")
        expectInputError(try validate(["--alerts", "jsonl:\(path)"], in: scratch), mentioning: [path, "does not exist"])
    }

    @Test func malformedAlertLineIsNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let good = AlertRecord(windowStart: 0, windowEnd: 10_000, userId: "user_1000", crashCount: 3, emittedAt: 1, batch: 0).jsonLine
        let path = try scratch.write("alerts.jsonl", "\(good)\n\(good)\n{\"window_start\": 0, \"window_end\": 10000, \"user_id\": \"user_1\"}\n")
        expectInputError(try validate(["--alerts", "jsonl:\(path)"], in: scratch), mentioning: ["\(path):3", "crash_count"])
    }

    @Test func malformedCSVAndConsoleFilesAreNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let csv = try scratch.write("alerts.csv", "window_start,window_end,user_id,crash_count\n0,10000,user_1,three\n")
        expectInputError(try validate(["--alerts", "csv:\(csv)"], in: scratch), mentioning: ["\(csv):2", "crash_count"])
        let console = try scratch.write(
            "console.txt",
            "-------------------------------------------\nBatch: 1\n-------------------------------------------\n+--------------------+--------+-----+\n|window              |user_id |count|\n+--------------------+--------+-----+\n|{2026-01-21 12:5...|user_1  |3    |\n+--------------------+--------+-----+\n")
        expectInputError(try validate(["--alerts", "spark-console:\(console)"], in: scratch), mentioning: ["\(console):7"])
    }

    @Test func malformedBatchLogLineIsNamed() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let alerts = try scratch.write("alerts.jsonl", "")
        let entry = BatchLogEntry(
            batch: 0, lateWatermarkMs: 0, evictionWatermarkMs: 0, endOffsets: [0: 5], startedAt: 1, endedAt: 2, instance: "detector-0")
        let log = try scratch.write("batch-log.jsonl", "\(entry.jsonLine)\n{\"batch\": 1}\n\(entry.jsonLine)\n")
        expectInputError(
            try validate(["--alerts", "jsonl:\(alerts)", "--batch-log", log], in: scratch), mentioning: ["batch log \(log):2", "late_watermark_ms"])
    }

    @Test(arguments: [
        (["--threshold", "two"], "--threshold"), (["--window", "10"], "--window"), (["--watermark", "30 parsecs"], "--watermark"),
        (["--match", "fuzzy"], "--match"), (["--severities", "High,Urgent"], "Urgent"), (["--mode", "complete"], "--mode"),
        (["--timezone", "Mars/Olympus_Mons"], "--timezone"), (["--slack=-1s"], "--slack"), (["--until-idle", "0s"], "--until-idle"),
        (["--term", ""], "--term"),
    ])
    func badOptionValue(_ option: [String], _ named: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let alerts = try scratch.write("alerts.jsonl", "")
        expectInputError(try validate(["--alerts", "jsonl:\(alerts)"] + option, in: scratch), mentioning: [named])
    }

    @Test func manifestMustBeAFolder() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let alerts = try scratch.write("alerts.jsonl", "")
        expectInputError(
            try validate(["--alerts", "jsonl:\(alerts)", "--manifest", scratch.file("nowhere")], in: scratch), mentioning: ["--manifest", "nowhere"])
        let empty = scratch.file("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        expectInputError(try validate(["--alerts", "jsonl:\(alerts)", "--manifest", empty], in: scratch), mentioning: [empty, "no manifest"])
    }

    @Test func reportNeedsValidationJSON() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        expectInputError(try WindtunnelProcess.run(["report", scratch.path]), mentioning: ["validation.json", "does not exist"])
        _ = try scratch.write("validation.json", "{\"schema_version\": 1}")
        expectInputError(try WindtunnelProcess.run(["report", scratch.path]), mentioning: ["validation.json"])
    }

    @Test("a topic that does not exist, and one lacking acknowledged records, cannot be judged")
    func topicProblems() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try KafkaAdmin(client: client).createTopic("logs", partitions: 2)
            let alerts = try scratch.write("alerts.jsonl", "")
            let base = ["validate", "--brokers", broker.bootstrap, "--report", scratch.file("report"), "--alerts", "jsonl:\(alerts)", "--until-idle", "1s"]
            expectInputError(try WindtunnelProcess.run(base + ["--topic", "absent-topic"]), mentioning: ["absent-topic", "does not exist"])

            // A manifest acknowledging 20 records in partition 1, of which the topic holds 5.
            var stream = ProducedStream()
            stream.eventsPerSecond = 5
            stream.seconds = 1
            stream.speedup = 1_000
            let manifest = scratch.file("manifest")
            let records = try stream.produce(topic: "logs", client: client, manifestFolder: manifest)
            #expect(records.count == 5)
            let summary = ["acknowledged": 20, "partition_end_offsets": ["1": 20]] as [String: Any]
            try JSONSerialization.data(withJSONObject: summary).write(to: URL(fileURLWithPath: "\(manifest)/summary.json"))
            expectInputError(
                try WindtunnelProcess.run(base + ["--topic", "logs", "--manifest", manifest]),
                mentioning: ["lacks records", "partition 1", "expected 20"])
        }
    }
}
