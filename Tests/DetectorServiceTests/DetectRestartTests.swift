import Contracts
import DetectorService
import EventModel
import Foundation
import GroundTruth
import Kafka
import Testing

/// SIGKILL at the three points of a batch that matter, and a restart from the checkpoint, in update and in
/// append mode: the outputs pass exact validation and end with the same alerts as an uninterrupted run over
/// the same stream. A crash after the alerts are written strikes the first batch that wrote any, so that
/// there is always output to cut back and write again.
@Suite("detect: restart after SIGKILL", .serialized)
struct DetectRestartTests {
    static let partitions = 4

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
    /// Where the hook kills: batch 3 right after consuming (nothing is written yet), else the first batch
    /// that wrote alerts.
    static func hook(_ point: CrashPoint.Point) -> String {
        point == .afterConsume ? "\(point.rawValue):3" : "\(point.rawValue):alerts"
    }

    /// The batch the hook killed in, from the detector's last words.
    static func killedBatch(in log: String) -> Int64? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("test hook: killing myself") }) else { return nil }
        return line.split(separator: " ").last.flatMap { Int64($0) }
    }

    func run(
        broker: String, topic: String, mode: OutputMode, dieAt: CrashPoint.Point?,
        killed: inout (batch: Int64, lines: [String])?
    ) throws -> (instance: DetectorInstance, result: ValidationResult, logs: String) {
        let client = ClientSettings(brokers: broker)
        try TestStream.createTopic(topic, partitions: Self.partitions, client: client)
        let folder = try makeTestFolder(topic)
        var instance = DetectorInstance(folder: folder, name: "detector-0", group: "g-\(topic)", topic: topic, brokers: broker)
        instance.mode = mode
        let first = try instance.start(dieAt: dieAt.map(Self.hook))
        instance.waitUntilAssigned(first)
        var second: DetectProcess?
        var firstEnd: (status: Int32, signalled: Bool)?
        // Three quarters in, so that in append mode, too, windows have closed and alerts been written before.
        let records = try Self.stream.produce(to: topic, client: client, midwayShare: 0.75) {
            guard dieAt != nil else { return }
            firstEnd = first.wait(timeoutSeconds: 30)
            if let batch = Self.killedBatch(in: first.log) {
                killed = (batch, try Self.lines(of: batch, in: instance.alertsFile))
            }
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

    @Test(arguments: [OutputMode.update, .append])
    func aKilledDetectorRestartsWithoutLossOrDoubleCounting(mode: OutputMode) async throws {
        try await withEmbeddedBroker { broker in
            var unused: (batch: Int64, lines: [String])?
            let baseline = try run(broker: broker.bootstrap, topic: "baseline", mode: mode, dieAt: nil, killed: &unused)
            #expect(baseline.result.verdict == .pass, "\(baseline.result.failures)")
            #expect(baseline.result.alerts.outcomes.matched >= 50)
            #expect(baseline.logs.contains("late dropped 0,"), "no event is beyond the delay: \(baseline.logs)")
            let expected = try finalAlerts([baseline.instance.alertsFile])

            for point in CrashPoint.Point.allCases {
                let name = "\(mode.rawValue) \(point.rawValue)"
                var killedBatch: (batch: Int64, lines: [String])?
                let killed = try run(broker: broker.bootstrap, topic: point.rawValue, mode: mode, dieAt: point, killed: &killedBatch)
                #expect(killed.result.verdict == .pass, "\(name): \(killed.result.failures)")
                #expect(killed.result.alerts.duplicates == 0, "\(name)")
                #expect(killed.result.alerts.outcomes.matched >= 50, "\(name)")
                #expect(try finalAlerts([killed.instance.alertsFile]) == expected, "\(name)")
                guard let (batch, before) = killedBatch else {
                    Issue.record("\(name): the hook should have killed the detector: \(killed.logs)")
                    continue
                }
                let after = try Self.lines(of: batch, in: killed.instance.alertsFile)
                let replayed = killed.logs.contains("running it again")
                switch point {
                case .afterConsume:
                    #expect(before.isEmpty, "\(name)")
                    #expect(replayed, "\(name)")
                case .afterAlerts:
                    // The alerts of the killed batch were written, cut back, and written again identically.
                    #expect(!before.isEmpty, "\(name)")
                    #expect(before == after, "\(name)")
                    #expect(replayed, "\(name)")
                case .afterRename:
                    #expect(!before.isEmpty, "\(name)")
                    #expect(before == after, "\(name)")
                    #expect(!replayed, "\(name)")
                }
                let batchIds = try String(contentsOfFile: killed.instance.batchLog, encoding: .utf8).split(separator: "\n")
                    .map { try BatchLogEntry(jsonLine: $0).batch }
                #expect(batchIds == Array(0..<Int64(batchIds.count)), "\(name): every batch logged once, in order")
            }
        }
    }
}
