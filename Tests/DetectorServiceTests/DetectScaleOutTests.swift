import Contracts
import Foundation
import GroundTruth
import Kafka
import Testing

/// Two instances in one group: partitions are split, and their state moves with them through the checkpoint
/// folder, whether an instance joins midway or is killed while holding partitions.
///
/// Append mode throughout: each alert is emitted once, by the instance that closes its window, so the two
/// outputs together are comparable with one instance's. (In update mode a moved window's emissions come from
/// two instances whose batch ids do not order them.)
/// What the thread that restarts a killed instance found and started.
final class DetectorRestart: @unchecked Sendable {
    // Unchecked: written on the restarting queue, read after `sync` on that queue has drained it.
    var killedBySignal = false
    var process: DetectProcess?
}

@Suite("detect: scale-out", .serialized)
struct DetectScaleOutTests {
    static let partitions = 4

    /// Late events only a little late: a partition taken over from a killed instance lags the survivor's own
    /// by the seconds the group needs to notice (about 20 s of event time here), and the survivor's watermark
    /// rightly drops what is later than the delay behind it; the runs must drop nothing to end equal.
    static var stream: TestStream {
        var stream = TestStream()
        stream.lateFraction = 0.05
        stream.lateClass = .range(minMs: 1_000, maxMs: 5_000)
        stream.malformedFraction = 0.02
        stream.seed = 11
        return stream
    }

    static func instance(_ folder: String, _ name: String, topic: String, broker: String) -> DetectorInstance {
        var instance = DetectorInstance(folder: folder, name: name, group: topic, topic: topic, brokers: broker)
        instance.mode = .append
        return instance
    }

    /// The final alerts of one uninterrupted instance over the stream.
    func baseline(broker: String, client: ClientSettings) throws -> [String: Int] {
        try TestStream.createTopic("baseline", partitions: Self.partitions, client: client)
        let single = Self.instance(try makeTestFolder("single"), "detector-0", topic: "baseline", broker: broker)
        let alone = try single.start()
        single.waitUntilAssigned(alone)
        try Self.stream.produce(to: "baseline", client: client)
        #expect(alone.wait().status == 0, "\(alone.log)")
        return try finalAlerts([single.alertsFile])
    }

    /// Judges the two instances' outputs in exact mode and compares their final alerts with `expected`.
    func judge(_ instances: [DetectorInstance], topic: String, records: Int, client: ClientSettings, expected: [String: Int]) throws {
        let judge = RunJudge(client: client, topic: topic, partitions: Self.partitions, records: records)
        let result = try judge.judge(
            rule: RuleSettings(mode: .append), alertFiles: instances.map(\.alertsFile), batchLogs: instances.map(\.batchLog),
            inputs: try judge.replay())
        #expect(result.verdict == .pass, "\(topic): \(result.failures)")
        #expect(result.alerts.duplicates == 0, "\(topic)")
        #expect(result.alerts.outcomes.matched >= 50, "\(topic)")
        #expect(try finalAlerts(instances.map(\.alertsFile)) == expected, "\(topic)")
    }

    func batchLog(_ instance: DetectorInstance) throws -> [BatchLogEntry] {
        try String(contentsOfFile: instance.batchLog, encoding: .utf8).split(separator: "\n").map { try BatchLogEntry(jsonLine: $0) }
    }

    @Test func partitionsMoveWithTheirStateWhenAnInstanceJoinsOrIsKilled() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            let expected = try baseline(broker: broker.bootstrap, client: client)

            // A second instance joins midway.
            try TestStream.createTopic("joined", partitions: Self.partitions, client: client)
            let joinFolder = try makeTestFolder("joined")
            let first = Self.instance(joinFolder, "detector-0", topic: "joined", broker: broker.bootstrap)
            let second = Self.instance(joinFolder, "detector-1", topic: "joined", broker: broker.bootstrap)
            let one = try first.start()
            first.waitUntilAssigned(one)
            var two: DetectProcess?
            // Slowly enough that the second instance joins while the stream still flows.
            let joinedRecords = try Self.stream.produce(to: "joined", client: client, perSecond: 500) { two = try second.start() }
            #expect(one.wait().status == 0, "\(one.log)")
            #expect(two?.wait().status == 0, "\(two?.log ?? "")")
            let firstLog = try batchLog(first)
            #expect(firstLog.contains { $0.partitions?.count == Self.partitions })
            #expect(firstLog.contains { ($0.partitions?.count ?? 0) < Self.partitions }, "the first instance gave partitions up")
            #expect(try batchLog(second).contains { !$0.endOffsets.isEmpty }, "the second instance read")
            try judge([first, second], topic: "joined", records: joinedRecords, client: client, expected: expected)

            // One of two instances is killed after writing a batch's alerts, before its checkpoint; the other
            // takes its partitions over from its checkpoint; it restarts, cuts its alerts back, and rejoins.
            try TestStream.createTopic("killed", partitions: Self.partitions, client: client)
            let killFolder = try makeTestFolder("killed")
            let survivor = Self.instance(killFolder, "detector-0", topic: "killed", broker: broker.bootstrap)
            let victim = Self.instance(killFolder, "detector-1", topic: "killed", broker: broker.bootstrap)
            let kept = try survivor.start()
            survivor.waitUntilAssigned(kept)
            let doomed = try victim.start(dieAt: "after-alerts:3")
            victim.waitUntilAssigned(doomed)
            // Slowly enough that the survivor is still reading when the group notices the victim is gone, and
            // that the victim's partitions lag less than the delay by then: event time runs at 1.5 times wall
            // time, so the 25 s the late class leaves of the delay allow about 16 s from the kill to the
            // takeover (at 2.5 times, CI's loaded machine once needed more than the 10 s that allowed).
            let comeback = DispatchQueue(label: "comeback")
            let restarted = comeback.sync { DetectorRestart() }
            comeback.async {
                let ended = doomed.wait(timeoutSeconds: 30)
                restarted.killedBySignal = ended.signalled && ended.status == SIGKILL
                // Once the survivor has been given every partition, the victim comes back.
                let deadline = Date().addingTimeInterval(60)
                while kept.log.components(separatedBy: "assigned partitions").count < 4, Date() < deadline { usleep(100_000) }
                restarted.process = try? victim.start(attempt: 1)
            }
            let killedRecords = try Self.stream.produce(to: "killed", client: client, perSecond: 150)
            comeback.sync {}
            #expect(restarted.killedBySignal, "\(doomed.log)")
            #expect(kept.wait().status == 0, "\(kept.log)")
            #expect(kept.log.contains("late dropped 0,"), "\(kept.log)")
            #expect(restarted.process?.wait().status == 0, "\(restarted.process?.log ?? "")")
            let assignments = kept.log.components(separatedBy: "\n").filter { $0.contains("assigned partitions") }
            #expect(assignments.count >= 3, "\(kept.log)")
            // The survivor took the victim's partitions over where the victim's checkpoint ends, not from 0.
            #expect(
                assignments.contains { $0.contains("0@") && $0.contains("3@") && !$0.contains("@0,") && !$0.hasSuffix("@0") },
                "\(kept.log)")
            try judge([survivor, victim], topic: "killed", records: killedRecords, client: client, expected: expected)
        }
    }
}
