import Contracts
import Foundation
import GroundTruth
import Kafka
import Testing

/// Two instances in one group: the second joins midway through the stream, the partitions are split, and
/// their state moves with them through the checkpoint folder.
@Suite("detect: scale-out", .serialized)
struct DetectScaleOutTests {
    static let partitions = 4

    static var stream: TestStream {
        var stream = TestStream()
        stream.lateFraction = 0.05
        stream.lateClass = .within
        stream.malformedFraction = 0.02
        stream.seed = 11
        return stream
    }

    // Append mode: each alert is emitted once, by the instance that closes its window, so the two outputs
    // together are comparable with one instance's. (In update mode a moved window's emissions come from two
    // instances whose batch ids do not order them.)
    @Test func aSecondInstanceTakesPartitionsOverWithTheirState() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try TestStream.createTopic("baseline", partitions: Self.partitions, client: client)
            try TestStream.createTopic("scaled", partitions: Self.partitions, client: client)
            let folder = try makeTestFolder("scale-out")

            var single = DetectorInstance(folder: "\(folder)/single", name: "detector-0", group: "single", topic: "baseline", brokers: broker.bootstrap)
            single.mode = .append
            try FileManager.default.createDirectory(atPath: single.folder, withIntermediateDirectories: true)
            let alone = try single.start()
            single.waitUntilAssigned(alone)
            try Self.stream.produce(to: "baseline", client: client)
            #expect(alone.wait().status == 0, "\(alone.log)")

            var first = DetectorInstance(folder: folder, name: "detector-0", group: "scaled", topic: "scaled", brokers: broker.bootstrap)
            var second = DetectorInstance(folder: folder, name: "detector-1", group: "scaled", topic: "scaled", brokers: broker.bootstrap)
            first.mode = .append
            second.mode = .append
            let one = try first.start()
            first.waitUntilAssigned(one)
            var two: DetectProcess?
            let records = try Self.stream.produce(to: "scaled", client: client) {
                two = try second.start()
            }
            let oneEnd = one.wait()
            let twoEnd = two?.wait()
            #expect(oneEnd.status == 0 && !oneEnd.signalled, "\(one.log)")
            #expect(twoEnd?.status == 0 && twoEnd?.signalled == false, "\(two?.log ?? "")")

            let owners = try [first, second].map { instance in
                try String(contentsOfFile: instance.batchLog, encoding: .utf8).split(separator: "\n")
                    .map { try BatchLogEntry(jsonLine: $0) }
            }
            // Both instances read: the second one had partitions of its own while the first one still ran.
            #expect(owners[0].contains { $0.partitions?.count == Self.partitions })
            #expect(owners[0].contains { ($0.partitions?.count ?? 0) < Self.partitions })
            #expect(owners[1].contains { !($0.partitions?.isEmpty ?? true) && !$0.endOffsets.isEmpty })

            let judge = RunJudge(client: client, topic: "scaled", partitions: Self.partitions, records: records)
            let result = try judge.judge(
                rule: RuleSettings(mode: .append), alertFiles: [first.alertsFile, second.alertsFile],
                batchLogs: [first.batchLog, second.batchLog], inputs: try judge.replay())
            #expect(result.verdict == .pass, "\(result.failures)")
            #expect(result.alerts.duplicates == 0)
            #expect(result.alerts.outcomes.matched >= 50)
            #expect(try finalAlerts([first.alertsFile, second.alertsFile]) == finalAlerts([single.alertsFile]))
        }
    }
}
