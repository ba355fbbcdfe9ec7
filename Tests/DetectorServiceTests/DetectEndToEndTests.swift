import Contracts
import EventModel
import Foundation
import GroundTruth
import Kafka
import Testing

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
}
