import Contracts
import DetectorService
import EventModel
import Foundation
import GroundTruth
import Kafka
import Testing

/// SIGKILL at the three points of a batch that matter, and a restart from the checkpoint: the outputs pass
/// exact validation and end with the same alerts as an uninterrupted run over the same stream.
@Suite("detect: restart after SIGKILL", .serialized)
struct DetectRestartTests {
    static let partitions = 4
    /// The batch the test hook kills in.
    static let killedBatch: Int64 = 3

    /// Late events only within the delay, so that no run may drop any and all must end equal.
    static var stream: TestStream {
        var stream = TestStream()
        stream.lateFraction = 0.05
        stream.lateClass = .within
        stream.malformedFraction = 0.02
        stream.seed = 7
        return stream
    }

    /// One run on its own topic: a detector killed by the hook in `killedBatch` (none for an uninterrupted
    /// run) and restarted midway through the stream. Returns the instance and the judged result.
    func run(
        broker: String, topic: String, dieAt: CrashPoint.Point?, killedBatchLines: inout [String]
    ) throws -> (instance: DetectorInstance, result: ValidationResult, logs: String) {
        let client = ClientSettings(brokers: broker)
        try TestStream.createTopic(topic, partitions: Self.partitions, client: client)
        let folder = try makeTestFolder(topic)
        let instance = DetectorInstance(folder: folder, name: "detector-0", group: "g-\(topic)", topic: topic, brokers: broker)
        let first = try instance.start(dieAt: dieAt.map { "\($0.rawValue):\(Self.killedBatch)" })
        instance.waitUntilAssigned(first)
        var second: DetectProcess?
        var firstEnd: (status: Int32, signalled: Bool)?
        let records = try Self.stream.produce(to: topic, client: client) {
            guard dieAt != nil else { return }
            firstEnd = first.wait(timeoutSeconds: 30)
            killedBatchLines = try Self.lines(of: Self.killedBatch, in: instance.alertsFile)
            second = try instance.start(attempt: 1)
        }
        let last = second ?? first
        let ended = last.wait()
        #expect(ended.status == 0 && !ended.signalled, "\(last.log)")
        if dieAt != nil {
            #expect(firstEnd?.signalled == true && firstEnd?.status == SIGKILL, "the hook should have killed the detector: \(first.log)")
        }
        let judge = RunJudge(client: client, topic: topic, partitions: Self.partitions, records: records)
        let result = try judge.judge(
            rule: RuleSettings(), alertFiles: [instance.alertsFile], batchLogs: [instance.batchLog], inputs: try judge.replay())
        return (instance, result, first.log + (second?.log ?? ""))
    }

    /// The alert lines of `batch`, without their emission times (a replay writes them later).
    static func lines(of batch: Int64, in path: String) throws -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").compactMap { line in
            var alert = try AlertRecord(jsonLine: line)
            guard alert.batch == batch else { return nil }
            alert.emittedAt = 0
            return alert.jsonLine
        }
    }

    @Test func aKilledDetectorRestartsWithoutLossOrDoubleCounting() async throws {
        try await withEmbeddedBroker { broker in
            var unused: [String] = []
            let baseline = try run(broker: broker.bootstrap, topic: "baseline", dieAt: nil, killedBatchLines: &unused)
            #expect(baseline.result.verdict == .pass, "\(baseline.result.failures)")
            #expect(baseline.result.alerts.outcomes.matched >= 50)
            #expect(baseline.logs.contains("late dropped 0,"), "no event is beyond the delay: \(baseline.logs)")
            let expected = try finalAlerts([baseline.instance.alertsFile])

            for point in CrashPoint.Point.allCases {
                var before: [String] = []
                let killed = try run(broker: broker.bootstrap, topic: point.rawValue, dieAt: point, killedBatchLines: &before)
                #expect(killed.result.verdict == .pass, "\(point.rawValue): \(killed.result.failures)")
                #expect(killed.result.alerts.duplicates == 0, "\(point.rawValue)")
                #expect(killed.result.alerts.outcomes.matched >= 50, "\(point.rawValue)")
                #expect(try finalAlerts([killed.instance.alertsFile]) == expected, "\(point.rawValue)")
                let after = try Self.lines(of: Self.killedBatch, in: killed.instance.alertsFile)
                let replayed = killed.logs.contains("running it again")
                switch point {
                case .afterConsume:
                    #expect(before.isEmpty)
                    #expect(replayed)
                case .afterAlerts:
                    // The alerts of the killed batch were written, cut back, and written again identically.
                    #expect(before == after)
                    #expect(replayed)
                case .afterRename:
                    #expect(before == after)
                    #expect(!replayed)
                }
                let batchIds = try String(contentsOfFile: killed.instance.batchLog, encoding: .utf8).split(separator: "\n")
                    .map { try BatchLogEntry(jsonLine: $0).batch }
                #expect(batchIds == Array(0..<Int64(batchIds.count)), "\(point.rawValue): every batch logged once, in order")
            }
        }
    }
}
