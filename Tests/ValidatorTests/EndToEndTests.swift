import Contracts
import Foundation
import Kafka
import Testing

/// Issue 5's integration test: events produced to an embedded broker with a manifest, a correct detector
/// output built by the reference detector (two instances, each with its own partitions and watermark),
/// and the real `windtunnel validate` judging it as `windtunnel run` calls it.
@Suite("End to end on the embedded broker", .serialized)
struct EndToEndTests {
    let rule = RuleSettings()

    /// The rule options exactly as `windtunnel run` passes them.
    var ruleArguments: [String] {
        [
            "--window", "10s", "--watermark", "30s", "--threshold", "2", "--term", "crash", "--match", "case-insensitive",
            "--severities", "High,Critical", "--mode", "update",
        ]
    }

    /// `alerts` as Spark's console sink prints them, one table per batch, window bounds in `zone`.
    static func sparkConsole(_ alerts: [AlertRecord], zone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func time(_ milliseconds: Int64) -> String { formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000)) }
        let border = "+------------------------------------------+---------+-----------+"
        var lines: [String] = []
        for batch in Set(alerts.map(\.batch)).sorted() {
            lines += ["-------------------------------------------", "Batch: \(batch)", "-------------------------------------------"]
            lines += [border, "|window                                    |user_id  |crash_count|", border]
            for alert in alerts where alert.batch == batch {
                lines.append("|{\(time(alert.windowStart)), \(time(alert.windowEnd))}|\(alert.userId)|\(alert.crashCount)|")
            }
            lines.append(border)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("exact and interval mode pass a correct detector; three planted faults are exactly the findings")
    func validateCorrectAndPlantedOutputs() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try KafkaAdmin(client: client).createTopic("logs", partitions: 4)
            var stream = ProducedStream()
            stream.settings.users = 40
            stream.settings.lateFraction = 0.03
            stream.settings.malformedFraction = 0.01
            stream.settings.seed = 7
            let manifest = scratch.file("manifest")
            let records = try stream.produce(topic: "logs", client: client, manifestFolder: manifest)
            #expect(records.count == stream.eventsPerSecond * stream.seconds)

            let detector = ReferenceDetector(rule: rule, instances: [[0, 1], [2, 3]], triggerMs: 500)
            let output = detector.run(records)
            var sources: [String] = []
            var logs: [String] = []
            for index in output.alerts.indices {
                sources.append(try scratch.write("alerts-\(index).jsonl", output.alerts[index].map(\.jsonLine).joined(separator: "\n") + "\n"))
                logs.append(try scratch.write("batch-log-\(index).jsonl", output.batchLogs[index].map(\.jsonLine).joined(separator: "\n") + "\n"))
            }
            let connection = ["--brokers", broker.bootstrap, "--topic", "logs", "--manifest", manifest]
            func validate(_ report: String, alerts: [String], batchLogs: [String], extra: [String] = []) throws -> (WindtunnelProcess.Finished, [String: Any]) {
                var arguments = ["validate"] + connection + ["--report", scratch.file(report)]
                for (index, alerts) in alerts.enumerated() {
                    arguments += ["--alerts", "jsonl:\(alerts)"]
                    if index < batchLogs.count { arguments += ["--batch-log", batchLogs[index]] }
                }
                let finished = try WindtunnelProcess.run(arguments + ruleArguments + extra)
                let data = try #require(
                    FileManager.default.contents(atPath: scratch.file("\(report)/validation.json")),
                    "no validation.json (exit \(finished.exitCode)): \(finished.standardError)")
                return (finished, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
            }

            // Exact mode: the batch logs of both instances.
            let (exact, exactJSON) = try validate("exact", alerts: sources, batchLogs: logs)
            #expect(exact.exitCode == 0, "\(exact.standardError)\n\(exact.standardOutput)")
            #expect(exactJSON["verdict"] as? String == "pass")
            #expect(exactJSON["mode"] as? String == "exact")
            #expect((exactJSON["judged_alerts"] as? Int ?? 0) >= 50)
            let audit = try #require(exactJSON["manifest_audit"] as? [String: Any])
            #expect(audit["acknowledged"] as? Int == records.count)
            #expect(audit["matched"] as? Int == records.count)
            #expect(audit["acked_but_missing"] as? Int == 0)
            #expect(audit["duplicated"] as? Int == 0)
            let events = try #require(exactJSON["events"] as? [String: Any])
            #expect(events["records"] as? Int == records.count)
            let disagreements = (exactJSON["events"] as? [String: Any])?["generator_disagreements"] as? [String: Int]
            #expect(disagreements == ["malformed": 0, "matching": 0])

            // Interval mode: the same alerts, batch logs withheld; the test's batches are 500 ms apart.
            let (interval, intervalJSON) = try validate("interval", alerts: sources, batchLogs: [], extra: ["--slack", "1s"])
            #expect(interval.exitCode == 0, "\(interval.standardError)\n\(interval.standardOutput)")
            #expect(intervalJSON["mode"] as? String == "interval")
            #expect((intervalJSON["judged_alerts"] as? Int ?? 0) >= 50)

            // The same alerts as Spark's console sink prints them in the session time zone Europe/Paris: read in
            // that zone they pass with the same judgements; read as UTC, every window is an hour off.
            var consoleArguments: [String] = []
            for index in output.alerts.indices {
                let console = try scratch.write("console-\(index).txt", Self.sparkConsole(output.alerts[index], zone: "Europe/Paris"))
                consoleArguments += ["--alerts", "spark-console:\(console)", "--batch-log", logs[index]]
            }
            let inParis = try WindtunnelProcess.run(
                ["validate"] + connection + ["--report", scratch.file("paris")] + consoleArguments + ruleArguments + ["--timezone", "Europe/Paris"])
            #expect(inParis.exitCode == 0, "\(inParis.standardError)\n\(inParis.standardOutput)")
            let parisData = try #require(FileManager.default.contents(atPath: scratch.file("paris/validation.json")))
            let parisJSON = try #require(try JSONSerialization.jsonObject(with: parisData) as? [String: Any])
            #expect(parisJSON["judged_alerts"] as? Int == exactJSON["judged_alerts"] as? Int)
            #expect((parisJSON["inputs"] as? [String: Any])?["timezone"] as? String == "Europe/Paris")
            let asUTC = try WindtunnelProcess.run(["validate"] + connection + ["--report", scratch.file("utc")] + consoleArguments + ruleArguments)
            #expect(asUTC.exitCode == 1, "\(asUTC.standardError)\n\(asUTC.standardOutput)")

            // The same alerts read from a Kafka topic, one record per alert, as a detector with a Kafka sink writes them.
            try KafkaAdmin(client: client).createTopic("alerts", partitions: 2)
            let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
            for alert in output.alerts.joined() {
                #expect(try producer.send(topic: "alerts", key: Array(alert.userId.utf8), value: Array(alert.jsonLine.utf8)) == .queued)
            }
            try producer.flush(timeoutMs: 10_000) { #expect($0.isAcknowledged) }
            var kafkaArguments = ["validate"] + connection + ["--report", scratch.file("kafka"), "--alerts", "kafka:alerts"]
            for log in logs { kafkaArguments += ["--batch-log", log] }
            let fromKafka = try WindtunnelProcess.run(kafkaArguments + ruleArguments + ["--until-idle", "2s"])
            #expect(fromKafka.exitCode == 0, "\(fromKafka.standardError)\n\(fromKafka.standardOutput)")
            let kafkaData = try #require(FileManager.default.contents(atPath: scratch.file("kafka/validation.json")))
            let kafkaJSON = try #require(try JSONSerialization.jsonObject(with: kafkaData) as? [String: Any])
            #expect(kafkaJSON["judged_alerts"] as? Int == exactJSON["judged_alerts"] as? Int)
            #expect((kafkaJSON["alert_source"] as? [String: Any])?["emissions"] as? Int == output.alerts.joined().count)

            // Plant three faults in instance 0's output: one alert removed, one count changed, one spurious.
            let finalWatermark = output.batchLogs[0].last?.evictionWatermarkMs ?? 0
            var planted = output.alerts[0]
            let closed = planted.filter { $0.windowEnd <= finalWatermark }
            let keys = Array(Set(closed.map { "\($0.windowStart)|\($0.userId)" })).sorted()
            try #require(keys.count >= 2)
            let removed = keys[0]
            let changed = keys[1]
            planted.removeAll { "\($0.windowStart)|\($0.userId)" == removed }
            let last = try #require(planted.lastIndex { "\($0.windowStart)|\($0.userId)" == changed })
            planted[last].crashCount += 1
            let early = try #require(closed.first)
            planted.append(
                AlertRecord(
                    windowStart: early.windowStart, windowEnd: early.windowEnd, userId: "user_9999", crashCount: 3, emittedAt: early.emittedAt,
                    batch: early.batch))
            let plantedFile = try scratch.write("alerts-planted.jsonl", planted.map(\.jsonLine).joined(separator: "\n") + "\n")
            let (failed, failedJSON) = try validate("planted", alerts: [plantedFile, sources[1]], batchLogs: logs)
            #expect(failed.exitCode == 1, "\(failed.standardError)\n\(failed.standardOutput)")
            #expect(failedJSON["verdict"] as? String == "fail")
            let outcomes = try #require((failedJSON["alerts"] as? [String: Any])?["outcomes"] as? [String: Int])
            #expect(outcomes["missing"] == 1)
            #expect(outcomes["count_mismatch"] == 1)
            #expect(outcomes["spurious"] == 1)
            #expect((failedJSON["alerts"] as? [String: Any])?["duplicates"] as? Int == 0)
            #expect((failedJSON["failures"] as? [String])?.count == 3)
            let findings = ((failedJSON["alerts"] as? [String: Any])?["examples"] as? [[String: Any]] ?? []).filter {
                ["missing", "spurious", "count-mismatch"].contains($0["outcome"] as? String ?? "")
            }
            let described = Set(findings.map { "\($0["outcome"] as? String ?? "")|\($0["window_start"] as? Int64 ?? 0)|\($0["user_id"] as? String ?? "")" })
            #expect(
                described == [
                    "missing|\(removed)", "count-mismatch|\(changed)", "spurious|\(early.windowStart)|user_9999",
                ])
            #expect(failed.standardOutput.contains("FAIL"))
        }
    }
}
