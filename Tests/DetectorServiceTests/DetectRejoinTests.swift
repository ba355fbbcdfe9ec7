import Contracts
import Foundation
import GroundTruth
import Kafka
import Testing

/// A detector restarted while another member of the group (its dead previous life, or here a consumer that
/// squats on some partitions for a few seconds) holds some of the partitions it held must not read the
/// partitions it gets back first on their own: its watermark would run ahead of the others' backlog and drop
/// on-time records as late, legally by its own batch log (DESIGN.md, watermark semantics). Event time runs
/// twice as fast as the clock here; faster, a catch-up after the wait (which librdkafka fetches partition by
/// partition) would itself carry the watermark past a backlog (docs/watermarks.md says why that is left).
@Suite("detect: rejoining the group after a restart", .serialized)
struct DetectRejoinTests {
    static let partitions = 4

    static var stream: TestStream {
        var stream = TestStream()
        stream.seconds = 30
        stream.eventsPerSecond = 500
        stream.seed = 15
        return stream
    }

    /// Kills the detector a third into the stream and restarts it at once; returns the restarted process's
    /// log, the batch-log entries it wrote, and the judged result.
    func killAndRestart(broker: String, topic: String) throws
        -> (log: String, entriesAfterRestart: [BatchLogEntry], result: ValidationResult)
    {
        let client = ClientSettings(brokers: broker)
        try TestStream.createTopic(topic, partitions: Self.partitions, client: client)
        let instance = DetectorInstance(folder: try makeTestFolder(topic), name: "detector-0", group: "g-\(topic)", topic: topic, brokers: broker)
        let first = try instance.start()
        instance.waitUntilAssigned(first)
        var second: DetectProcess?
        var squatter: Thread?
        let records = try Self.stream.produce(to: topic, client: client, perSecond: 1_000, midwayShare: 0.33) {
            first.signal(SIGKILL)
            first.wait(timeoutSeconds: 10)
            squatter = try Self.squat(group: instance.group, topic: topic, client: client, seconds: 8)
            second = try instance.start(attempt: 1)
        }
        _ = squatter
        let restarted = try #require(second)
        let ended = restarted.wait()
        #expect(ended.status == 0 && !ended.signalled, "\(restarted.log)")
        let entries = try String(contentsOfFile: instance.batchLog, encoding: .utf8).split(separator: "\n").map(BatchLogEntry.init(jsonLine:))
        let judge = RunJudge(client: client, topic: topic, partitions: Self.partitions, records: records)
        let result = try judge.judge(
            rule: RuleSettings(), alertFiles: [instance.alertsFile], batchLogs: [instance.batchLog], inputs: try judge.replay())
        // The restarted instance goes on at the batch its checkpoint names, or runs the one it planned again.
        let resumedLine = restarted.log.split(separator: "\n").first { $0.contains("resuming from the checkpoint") }
        let resumed = resumedLine.flatMap { line in
            line.split(separator: " ").compactMap { Int64($0.trimmingCharacters(in: .punctuationCharacters)) }.first
        }
        let resumedAt = try #require(resumed, "\(restarted.log)")
        return (restarted.log, entries.filter { $0.batch >= resumedAt }, result)
    }

    /// Joins the group as a plain consumer, waits until it holds partitions, and holds them for `seconds`
    /// (reading nothing) on a thread of its own before it leaves.
    static func squat(group: String, topic: String, client: ClientSettings, seconds: Double) throws -> Thread {
        let holding = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var signalled = false
        let consumer = try KafkaConsumer(
            configuration: ConsumerConfiguration(client: client, groupID: group),
            rebalance: KafkaConsumer.RebalanceHandler(
                assigned: { partitions in
                    if !signalled, !partitions.isEmpty {
                        signalled = true
                        holding.signal()
                    }
                    return partitions
                }, revoked: { _ in }))
        try consumer.subscribe(topics: [topic])
        nonisolated(unsafe) let held = consumer
        let joinedBy = Date().addingTimeInterval(30)
        let thread = Thread {
            while !signalled, Date() < joinedBy { _ = try? held.consumeBatch(maxRecords: 1, timeoutMs: 100) { _ in } }
            let leaveAt = Date().addingTimeInterval(seconds)
            while Date() < leaveAt { _ = try? held.consumeBatch(maxRecords: 1, timeoutMs: 100) { _ in } }
            held.close()
        }
        thread.start()
        // The restarted detector joins only once the squatter holds partitions, so it gets just the others.
        _ = holding.wait(timeout: .now() + 30)
        return thread
    }

    @Test func aRestartedDetectorReadsNothingUntilTheGroupHasGivenBackEveryPartitionItHeld() async throws {
        try await withEmbeddedBroker { broker in
            // Restarted at once: the group still holds the dead member, with some of the partitions, until its
            // session times out, so the restarted instance gets only the others at first.
            let run = try killAndRestart(broker: broker.bootstrap, topic: "restart")
            #expect(run.log.contains("waiting for partitions"), "\(run.log)")
            #expect(run.log.contains("every partition held before the restart is back"), "\(run.log)")
            let first = try #require(run.entriesAfterRestart.first, "\(run.log)")
            #expect(first.partitions?.count == Self.partitions, "the first batch after the restart reads every partition: \(first.jsonLine)")
            #expect(run.result.verdict == .pass, "\(run.result.failures)")
            #expect(run.log.contains("late dropped 0,"), "no event is late, and none may be dropped: \(run.log)")
        }
    }
}
