import Contracts
import EventModel
import Foundation
import GroundTruth
import Kafka
import Testing
import Validator

/// `windtunnel detect` end to end on an embedded broker, judged by the validator's core in exact mode.
/// Streams are produced live while the detector reads, so batches see the partitions interleaved.
@Suite("detect: end to end", .serialized)
struct DetectEndToEndTests {
    static let partitions = 4

    @Test func lateAndMalformedRecordsPassExactValidation() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            var stream = TestStream()
            // Late by 1 s to 90 s: within the 30 s delay and well beyond it.
            stream.lateFraction = 0.05
            stream.lateClass = .range(minMs: 1_000, maxMs: 90_000)
            stream.malformedFraction = 0.03
            try TestStream.createTopic("logs", partitions: Self.partitions, client: client)
            let folder = try makeTestFolder("late")
            let instance = DetectorInstance(folder: folder, name: "detector-0", group: "g", topic: "logs", brokers: broker.bootstrap)
            let detector = try instance.start()
            instance.waitUntilAssigned(detector)
            let records = try stream.produce(to: "logs", client: client)
            let ended = detector.wait()
            #expect(ended.status == 0 && !ended.signalled, "\(detector.log)")

            let judge = RunJudge(client: client, topic: "logs", partitions: Self.partitions, records: records)
            let inputs = try judge.replay()
            #expect(inputs.count == records)
            let result = try judge.judge(
                rule: RuleSettings(), alertFiles: [instance.alertsFile], batchLogs: [instance.batchLog], inputs: inputs)
            #expect(result.verdict == .pass, "\(result.failures)")
            #expect(result.alerts.outcomes.matched >= 50)
            #expect(result.events.malformed.total > 0)
            #expect(detector.log.contains("malformed \(result.events.malformed.total) "))
            #expect(!detector.log.contains("late dropped 0,"), "late events beyond the delay should be dropped")
            #expect(instance.loggedBatches > 10)
        }
    }

    /// Every sink at once (JSON Lines, Kafka, console) through a SIGKILL right after the first batch that
    /// wrote alerts: the file is cut back and written again, the Kafka topic and the console hold that batch
    /// twice under the same batch id, and all three outputs pass exact validation, the repeats counted as
    /// replays and not as duplicates. Also: SIGUSR1 prints the stats, and the group's committed offsets end
    /// where the last batch ended.
    @Test func everySinkSurvivesACrashAfterItsAlerts() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try TestStream.createTopic("logs", partitions: Self.partitions, client: client)
            try TestStream.createTopic("alerts", partitions: 1, client: client)
            var instance = DetectorInstance(
                folder: try makeTestFolder("sinks"), name: "detector-0", group: "g", topic: "logs", brokers: broker.bootstrap)
            instance.extraArguments = ["--alerts", "kafka:alerts", "--alerts", "console"]
            let first = try instance.start(dieAt: "after-alerts:alerts")
            instance.waitUntilAssigned(first)
            var second: DetectProcess?
            let records = try TestStream().produce(to: "logs", client: client, midwayShare: 0.75) {
                first.wait(timeoutSeconds: 30)
                let restarted = try instance.start(attempt: 1)
                instance.waitUntilAssigned(restarted)
                restarted.signal(SIGUSR1)
                second = restarted
            }
            let last = try #require(second, "the hook should have killed the first detector: \(first.log)")
            let ended = last.wait()
            #expect(ended.status == 0 && !ended.signalled, "\(last.log)")
            #expect(first.log.contains("test hook: killing myself after-alerts"), "\(first.log)")
            let statsLines = last.log.split(separator: "\n").filter { $0.contains("detector-0: records ") }
            #expect(statsLines.count >= 2, "stats on SIGUSR1 and at exit: \(last.log)")

            let judge = RunJudge(client: client, topic: "logs", partitions: Self.partitions, records: records)
            let inputs = try judge.replay()
            func verdict(of observed: ObservedAlerts) throws -> ValidationResult {
                try judge.judge(rule: RuleSettings(), alertFiles: [], batchLogs: [instance.batchLog], inputs: inputs, observed: observed)
            }
            let file = try verdict(of: AlertCollection.read([.file(format: .jsonl, path: instance.alertsFile)], client: client, idleMs: 0))
            let topic = try verdict(of: AlertCollection.read([.kafka(topic: "alerts")], client: client, idleMs: 3_000))
            let consoleFile = instance.folder + "/console.txt"
            try (first.output + last.output).write(toFile: consoleFile, atomically: true, encoding: .utf8)
            let console = try verdict(of: AlertCollection.read([.file(format: .sparkConsole, path: consoleFile)], client: client, idleMs: 0))
            for (name, result) in [("jsonl", file), ("kafka", topic), ("console", console)] {
                #expect(result.verdict == .pass, "\(name): \(result.failures)")
                #expect(result.alerts.duplicates == 0, "\(name)")
                #expect(result.alerts.outcomes.matched >= 50, "\(name)")
            }
            #expect(file.alerts.replays == 0, "the file was cut back before the batch ran again")
            #expect(topic.alerts.replays > 0, "the killed batch's records stay in the topic and come again")
            #expect(console.alerts.replays > 0, "the killed batch's table was printed and is printed again")
            #expect(topic.alerts.outcomes == file.alerts.outcomes && console.alerts.outcomes == file.alerts.outcomes)

            let lastBatch = try #require(
                try String(contentsOfFile: instance.batchLog, encoding: .utf8).split(separator: "\n").last.map { try BatchLogEntry(jsonLine: $0) })
            let reader = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "g"))
            let committed = try reader.committed((0..<Self.partitions).map { TopicPartition(topic: "logs", partition: Int32($0), offset: 0) })
            reader.close()
            #expect(Dictionary(uniqueKeysWithValues: committed.map { ($0.partition, $0.offset) }) == lastBatch.endOffsets)
            #expect(lastBatch.endOffsets.values.reduce(0, +) == Int64(records))
        }
    }
}
