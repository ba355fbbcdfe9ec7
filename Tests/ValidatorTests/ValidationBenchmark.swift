import Contracts
import EventModel
import Foundation
import Kafka
import Manifest
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The validator's benchmark (off unless `WINDTUNNEL_BENCH_EVENTS` is set; documented in
/// `results/baselines/validator.md`): produces that many events with a manifest to an embedded broker,
/// builds a correct append-mode alert file and batch log from the events' facts, then measures in the same
/// run how fast the same client merely consumes the topic and how fast `windtunnel validate` (the binary
/// of this build configuration) replays it with the manifest and judges the alerts. It prints the numbers;
/// only correctness is asserted, never timing.
@Suite("Validation benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["WINDTUNNEL_BENCH_EVENTS"] != nil))
struct ValidationBenchmark {
    let rule: RuleSettings = {
        var rule = RuleSettings()
        rule.mode = .append
        return rule
    }()

    @Test func validateALargeRun() async throws {
        let count = Int(ProcessInfo.processInfo.environment["WINDTUNNEL_BENCH_EVENTS"] ?? "") ?? 1_000_000
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try KafkaAdmin(client: client).createTopic("logs", partitions: 4)
            var load = LargeRun(count: count, rule: rule)
            let produceStart = Date()
            try load.produce(topic: "logs", client: client, manifestFolder: scratch.file("manifest"))
            let produceSeconds = Date().timeIntervalSince(produceStart)
            let output = load.detectorOutput()
            let alerts = try scratch.write("alerts.jsonl", output.alerts.map(\.jsonLine).joined(separator: "\n") + "\n")
            let log = try scratch.write("batch-log.jsonl", output.log.map(\.jsonLine).joined(separator: "\n") + "\n")

            let consumeOnly = try Self.consumeOnly(topic: "logs", client: client, expected: count)
            let finished = try WindtunnelProcess.run(
                [
                    "validate", "--brokers", broker.bootstrap, "--topic", "logs", "--manifest", scratch.file("manifest"), "--report",
                    scratch.file("report"), "--alerts", "jsonl:\(alerts)", "--batch-log", log, "--mode", "append",
                ])
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            let consumeAgain = try Self.consumeOnly(topic: "logs", client: client, expected: count)

            #expect(finished.exitCode == 0, "\(finished.standardError)\n\(finished.standardOutput)")
            let data = try #require(FileManager.default.contents(atPath: scratch.file("report/validation.json")))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let replay = try #require(json["replay"] as? [String: Any])
            #expect(replay["records"] as? Int == count)
            #expect((json["manifest_audit"] as? [String: Any])?["matched"] as? Int == count)
            let judged = json["judged_alerts"] as? Int ?? 0
            #expect(judged > 0)
            let validateRate = replay["records_per_second"] as? Double ?? 0
            let baseline = max(consumeOnly, consumeAgain)
            print(
                """
                validation benchmark: \(count) events, 4 partitions, \(output.alerts.count) alerts, \(judged) judged
                  produce (with manifest): \(Int(Double(count) / produceSeconds)) events/s
                  consume only: \(Int(consumeOnly)) and \(Int(consumeAgain)) records/s
                  validate replay (decode + manifest + ground truth): \(Int(validateRate)) records/s = \(String(format: "%.2f", validateRate / baseline)) of consume only
                  validate total: \(String(format: "%.1f", replay["total_seconds"] as? Double ?? 0)) s, largest manifest lookahead \(replay["largest_manifest_lookahead"] as? Int ?? 0) records, peak RSS \(usage.ru_maxrss / 1024) MB
                """)
        }
    }

    /// Reads the whole topic by manual assignment, counting records: the client's own limit.
    static func consumeOnly(topic: String, client: ClientSettings, expected: Int) throws -> Double {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "benchmark-\(UUID().uuidString)"))
        try consumer.assign((0..<4).map { TopicPartition(topic: topic, partition: $0, offset: TopicPartition.beginning) })
        var records = 0
        var bytes = 0
        var first: Date?
        let deadline = Date().addingTimeInterval(300)
        while records < expected, Date() < deadline {
            try consumer.consumeBatch(timeoutMs: 100) { record in
                records += 1
                bytes += record.value.count
            }
            if first == nil, records > 0 { first = Date() }
        }
        consumer.close()
        #expect(records == expected)
        return Double(records) / Date().timeIntervalSince(first ?? Date())
    }
}

/// A large, unpaced run: events from `EventSynthesizer` produced as fast as the broker takes them, a
/// manifest, and a correct single-instance detector output worked out from the events' facts. Batches are
/// fixed offset ranges, so each record's batch is known from its acknowledgement alone and nothing per
/// record has to be kept.
struct LargeRun {
    let count: Int
    let rule: RuleSettings
    /// Records per partition per batch.
    let batchRecords: Int64 = 50_000
    /// The run spans this much event time, whatever its size, so that windows close.
    let spanMs: Int64 = 120_000
    /// Every n-th event carries the term: about five per user (of 1,000) and window, half of them of a
    /// counted severity, so that counts straddle the threshold.
    var termEvery: Int { max(1, count / 60_000) }
    private(set) var partitionEnds: [Int32: Int64] = [:]
    /// Per batch, the largest matching event time read in it.
    private var batchMaxima: [Int: Int64] = [:]
    /// Matching events per (window start, user, batch).
    private var counts: [WindowBatch: Int] = [:]

    struct WindowBatch: Hashable {
        let start: Int64
        let user: UInt32
        let batch: Int
    }

    init(count: Int, rule: RuleSettings) {
        self.count = count
        self.rule = rule
    }

    mutating func produce(topic: String, client: ClientSettings, manifestFolder: String) throws {
        let settings = GeneratorSettings()
        let synthesizer = try EventSynthesizer(settings: settings, worker: 0)
        try FileManager.default.createDirectory(atPath: manifestFolder, withIntermediateDirectories: true)
        let start: Int64 = 1_769_000_000_000
        let writer = try ManifestWriter(
            path: "\(manifestFolder)/\(ManifestFormat.fileName(worker: 0))",
            header: ManifestHeader(settings: settings, workerIndex: 0, workerCount: 1, hostName: "benchmark", startTimeMs: start))
        var configuration = ProducerConfiguration(client: client)
        configuration.lingerMs = 20
        let producer = try KafkaProducer(configuration: configuration)
        // Facts of the records in flight, by sequence; librdkafka holds at most `queueMaxMessages` of them.
        let ringSize = 1 << 21
        var inFlight = [EventFacts?](repeating: nil, count: ringSize)
        var sentAt = [Int64](repeating: 0, count: ringSize)
        var failure: (any Error)?
        var acknowledged = 0
        let matchingSeverities = rule.severities
        let window = rule.windowMs
        let batchRecords = self.batchRecords
        var ends = partitionEnds
        var maxima = batchMaxima
        var counts = self.counts
        let report: (DeliveryReport) -> Void = { report in
            let slot = Int(report.opaque) & (ringSize - 1)
            guard let facts = inFlight[slot] else { return }
            inFlight[slot] = nil
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            guard report.isAcknowledged else {
                failure = KafkaError(kind: .produce, code: report.errorCode, message: "record \(report.opaque) failed")
                return
            }
            acknowledged += 1
            do {
                try writer.append(
                    ManifestRecord(event: facts, sendTimeUs: sentAt[slot], acknowledgement: .acked(partition: report.partition, offset: report.offset, atUs: now)))
            } catch {
                failure = error
            }
            ends[report.partition] = max(ends[report.partition] ?? 0, report.offset + 1)
            guard facts.malformed == nil, facts.flags.contains(.termCaseInsensitive), matchingSeverities.contains(facts.severity) else { return }
            let batch = Int(report.offset / batchRecords)
            maxima[batch] = max(maxima[batch] ?? .min, facts.eventTimeMs)
            let windowStart = facts.eventTimeMs / window * window
            counts[WindowBatch(start: windowStart, user: facts.userIndex, batch: batch), default: 0] += 1
        }
        let value = RecordBuffer()
        let key = RecordBuffer()
        let workerName = strdup("wt-worker")!
        let sequenceName = strdup("wt-seq")!
        defer {
            free(workerName)
            free(sequenceName)
        }
        let workerValue: [UInt8] = Array("0".utf8)
        let sequenceText = RecordBuffer(capacity: 32)
        for index in 0..<count {
            let facts = synthesizer.synthesize(
                sequence: UInt64(index), scheduledMs: start + Int64(index) * spanMs / Int64(count), carriesTerm: index % termEvery == 0, value: value, key: key)
            inFlight[index & (ringSize - 1)] = facts
            sentAt[index & (ringSize - 1)] = Int64(Date().timeIntervalSince1970 * 1_000_000)
            sequenceText.removeAll()
            sequenceText.append(decimal: Int64(index))
            let sent: KafkaProducer.SendResult = try workerValue.withUnsafeBytes { worker in
                let headers = [
                    MessageHeader(name: workerName, value: worker), MessageHeader(name: sequenceName, value: sequenceText.bytes),
                ]
                return try headers.withUnsafeBufferPointer { list in
                    var result = try producer.send(topic: topic, key: key.bytes, value: value.bytes, headers: list, opaque: UInt64(index))
                    while result == .queueFull {
                        producer.pollDeliveryReports(timeoutMs: 10, report)
                        result = try producer.send(topic: topic, key: key.bytes, value: value.bytes, headers: list, opaque: UInt64(index))
                    }
                    return result
                }
            }
            #expect(sent == .queued)
            if index & 1_023 == 0 { producer.pollDeliveryReports(timeoutMs: 0, report) }
        }
        try producer.flush(timeoutMs: 120_000, report)
        if let failure { throw failure }
        try writer.finish(endTimeMs: Int64(Date().timeIntervalSince1970 * 1_000))
        partitionEnds = ends
        batchMaxima = maxima
        self.counts = counts
        let summary: [String: Any] = [
            "acknowledged": acknowledged, "partition_end_offsets": Dictionary(uniqueKeysWithValues: ends.map { (String($0.key), $0.value) }),
        ]
        try JSONSerialization.data(withJSONObject: summary).write(to: URL(fileURLWithPath: "\(manifestFolder)/summary.json"))
    }

    /// The batch log and append-mode alerts of a correct detector reading batch n as offsets
    /// [n * batchRecords, (n + 1) * batchRecords) of every partition, with two no-data batches at the end.
    func detectorOutput() -> (alerts: [AlertRecord], log: [BatchLogEntry]) {
        let dataBatches = Int(((partitionEnds.values.max() ?? 0) + batchRecords - 1) / batchRecords)
        let batches = dataBatches + 2
        var watermarks = [Int64](repeating: 0, count: batches)
        var seen = Int64.min
        for batch in 0..<batches {
            if batch > 0, seen != .min { watermarks[batch] = max(watermarks[batch - 1], seen - rule.watermarkDelayMs) }
            seen = max(seen, batchMaxima[batch] ?? .min)
        }
        var totals: [Int64: [UInt32: Int]] = [:]
        for (key, events) in counts where key.start + rule.windowMs > (key.batch > 0 ? watermarks[key.batch - 1] : 0) {
            totals[key.start, default: [:]][key.user, default: 0] += events
        }
        let startedAt = { (batch: Int) in Int64(1_800_000_000_000) + Int64(batch) * 1_000 }
        var alerts: [AlertRecord] = []
        for start in totals.keys.sorted() {
            guard let closing = watermarks.firstIndex(where: { $0 >= start + rule.windowMs }) else { continue }
            for (user, total) in totals[start, default: [:]].sorted(by: { $0.key < $1.key }) where total > rule.threshold {
                alerts.append(
                    AlertRecord(
                        windowStart: start, windowEnd: start + rule.windowMs, userId: UserIDs.name(index: Int(user)), crashCount: total,
                        emittedAt: startedAt(closing) + 500, batch: Int64(closing)))
            }
        }
        let log = (0..<batches).map { batch in
            BatchLogEntry(
                batch: Int64(batch), lateWatermarkMs: batch > 0 ? watermarks[batch - 1] : 0, evictionWatermarkMs: watermarks[batch],
                endOffsets: partitionEnds.mapValues { min($0, Int64(min(batch + 1, dataBatches)) * batchRecords) },
                startedAt: startedAt(batch), endedAt: startedAt(batch) + 500, instance: "detector-0")
        }
        return (alerts, log)
    }
}
