import Contracts
import EmbeddedBroker
import Foundation
import Kafka
import Testing
@testable import Monitor

@Suite("Monitor session on a broker")
struct MonitorSessionTests {
    /// Hands one record to `producer`.
    private func send(_ producer: KafkaProducer, topic: String, partition: Int32, key: String, value: String) throws {
        _ = try Array(value.utf8).withUnsafeBytes { value in
            try Array(key.utf8).withUnsafeBytes { key in try producer.send(topic: topic, partition: partition, key: key, value: value) }
        }
    }

    /// Produces `count` records to each of `partitions`, one flush per partition, so that the last record
    /// batch of each holds a single record (Tansu reports a partition's end as the start of its last batch).
    private func produce(_ client: ClientSettings, topic: String, partitions: Int32, count: Int) throws {
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        for partition in 0..<partitions {
            for index in 0..<count {
                try send(producer, topic: topic, partition: partition, key: "k", value: "{\"n\":\(index)}")
                if index == count - 2 { try producer.flush(timeoutMs: 30_000) { _ in } }
            }
            try producer.flush(timeoutMs: 30_000) { _ in }
        }
    }

    @Test func lagIsTheTopicsEndsMinusTheGroupsCommits() throws {
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("watched", partitions: 2)
        try produce(client, topic: "watched", partitions: 2, count: 500)

        let group = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "slow-detector"))
        try group.assign([TopicPartition(topic: "watched", partition: 0), TopicPartition(topic: "watched", partition: 1)])
        try group.commit([TopicPartition(topic: "watched", partition: 0, offset: 300), TopicPartition(topic: "watched", partition: 1, offset: 100)])

        let batchLog = NSTemporaryDirectory() + "monitor-batch-log-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: batchLog) }
        try """
            {"batch":0,"late_watermark_ms":0,"eviction_watermark_ms":0,"end_offsets":{"0":200,"1":200},"started_at":1000,"ended_at":1100,"instance":"spark-0"}
            {"batch":1,"late_watermark_ms":0,"eviction_watermark_ms":1769000000000,"end_offsets":{"0":450,"1":400},"started_at":2000,"ended_at":2250,"instance":"spark-0"}

            """.write(toFile: batchLog, atomically: true, encoding: .utf8)

        var settings = MonitorSession.Settings(client: client, topic: "watched")
        settings.groups = ["slow-detector"]
        settings.batchLogs = [batchLog]
        let session = try MonitorSession(settings: settings)
        let snapshot = try session.refresh(nowMs: 1_000)
        #expect(snapshot.arrived == 1_000 || snapshot.arrived == 999 || snapshot.arrived == 998, "\(snapshot.arrived)")
        let groupStatus = try #require(snapshot.consumers.first { $0.name == "slow-detector" })
        #expect(groupStatus.processed == 400)
        #expect(groupStatus.lag == snapshot.arrived - 400)
        #expect(groupStatus.lagByPartition[1] == (groupStatus.lagByPartition[0] ?? 0) + 200)
        let sparkStatus = try #require(snapshot.consumers.first { $0.name == "spark-0" })
        #expect(sparkStatus.source == "batch log")
        #expect(sparkStatus.processed == 850)
        #expect(sparkStatus.watermarkMs == 1_769_000_000_000)
        #expect(sparkStatus.lastBatchMs == 250)
        #expect(sparkStatus.batches == 2)
        #expect(sparkStatus.verdict == .measuring)
    }

    /// A file of `lines` in the temporary folder; the caller removes it.
    private func temporaryFile(_ name: String, _ lines: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "monitor-\(name)-\(UUID().uuidString).jsonl"
        try lines.map { $0 + "\n" }.joined().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The Swift detector commits its offsets and writes a batch log per instance: one row for its group,
    /// lag from the commits, watermark and batch duration from the logs of the instances still logging.
    @Test func aGroupsBatchLogsJoinItsRow() throws {
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("watched", partitions: 2)
        try produce(client, topic: "watched", partitions: 2, count: 100)
        let group = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "swift-detector"))
        try group.assign([TopicPartition(topic: "watched", partition: 0), TopicPartition(topic: "watched", partition: 1)])
        try group.commit([TopicPartition(topic: "watched", partition: 0, offset: 60), TopicPartition(topic: "watched", partition: 1, offset: 40)])

        let current = try temporaryFile("detector-0", [
            #"{"batch":0,"late_watermark_ms":0,"eviction_watermark_ms":0,"end_offsets":{"0":30},"started_at":100000,"ended_at":100100,"instance":"detector-0"}"#,
            #"{"batch":1,"late_watermark_ms":0,"eviction_watermark_ms":1769000030000,"end_offsets":{"0":60},"started_at":200000,"ended_at":200180,"instance":"detector-0"}"#,
        ])
        let slower = try temporaryFile("detector-1", [
            #"{"batch":0,"late_watermark_ms":0,"eviction_watermark_ms":1769000020000,"end_offsets":{"1":40},"started_at":199000,"ended_at":199400,"instance":"detector-1"}"#,
        ])
        let removed = try temporaryFile("detector-2", [
            #"{"batch":0,"late_watermark_ms":0,"eviction_watermark_ms":1769000000000,"end_offsets":{"1":20},"started_at":50000,"ended_at":59000,"instance":"detector-2"}"#,
        ])
        let notYetStarted = NSTemporaryDirectory() + "monitor-absent-\(UUID().uuidString).jsonl"
        defer { [current, slower, removed].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        var settings = MonitorSession.Settings(client: client, topic: "watched")
        settings.groups = ["swift-detector"]
        settings.groupBatchLogs = ["swift-detector": [current, slower, removed, notYetStarted]]
        let snapshot = try MonitorSession(settings: settings).refresh(nowMs: 201_000)
        #expect(snapshot.consumers.count == 1, "no row of its own for a member's batch log")
        let row = try #require(snapshot.consumers.first)
        #expect(row.name == "swift-detector")
        #expect(row.processed == 100)
        #expect(row.lag == snapshot.arrived - 100)
        #expect(row.watermarkMs == 1_769_000_020_000, "the slower instance's; the removed one's is stale")
        #expect(row.lastBatchMs == 400)
        #expect(row.batches == 4)
    }

    /// During a run the generator's acknowledged ends are the input: exact where Tansu's ListOffsets answer
    /// is short by the last record batch, with the rate on the generator's clock, falling to 0 once it stops.
    @Test func theGeneratorsStatsAreTheInput() throws {
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("generated", partitions: 2)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        for index in 0..<1_000 {
            try send(producer, topic: "generated", partition: Int32(index % 2), key: "k", value: "{\"n\":\(index)}")
        }
        try producer.flush(timeoutMs: 30_000) { _ in }
        let topicOnly = try MonitorSession(settings: MonitorSession.Settings(client: client, topic: "generated")).refresh()
        #expect(topicOnly.inputSource == "topic")

        let log = try temporaryFile("generator-stats", [
            #"{"acknowledged":500,"at_ms":1000,"partition_ends":{"0":250,"1":250},"sent":600}"#,
            #"{"acknowledged":1000,"at_ms":2000,"partition_ends":{"0":500,"1":500},"sent":1000}"#,
        ])
        defer { try? FileManager.default.removeItem(atPath: log) }
        var settings = MonitorSession.Settings(client: client, topic: "generated")
        settings.generatorStatsLog = log
        let session = try MonitorSession(settings: settings)
        let running = try session.refresh(nowMs: 2_400)
        #expect(running.inputSource == "generator")
        #expect(running.arrived == 1_000, "ListOffsets alone said \(topicOnly.arrived)")
        #expect(running.inputRate == 500)
        _ = try session.refresh(nowMs: 6_000)
        _ = try session.refresh(nowMs: 9_000)
        let stopped = try session.refresh(nowMs: 12_000)
        #expect(stopped.inputRate == 0)
        #expect(stopped.arrived == 1_000)
    }

    /// Alerts from a Kafka topic (read from its start) and from a file are counted together; per window,
    /// an alerted (window, user) pair counts once however often update mode emits it.
    @Test func alertsAreCountedFromTopicsAndFilesAndPerWindow() throws {
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("watched", partitions: 1)
        try KafkaAdmin(client: client).createTopic("alerts", partitions: 2)
        func alert(_ window: Int64, _ user: String, _ count: Int) -> AlertRecord {
            AlertRecord(windowStart: window, windowEnd: window + 10_000, userId: user, crashCount: count, emittedAt: window + 11_000, batch: 1)
        }
        let onTopic = [alert(10_000, "user_1000", 3), alert(10_000, "user_1000", 4), alert(10_000, "user_1001", 3), alert(20_000, "user_1000", 3)]
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        for (index, record) in onTopic.enumerated() {
            try send(producer, topic: "alerts", partition: Int32(index % 2), key: record.userId, value: record.jsonLine)
        }
        try producer.flush(timeoutMs: 30_000) { _ in }
        let file = try temporaryFile("alerts", [alert(10_000, "user_1002", 3).jsonLine, alert(20_000, "user_1000", 5).jsonLine])
        defer { try? FileManager.default.removeItem(atPath: file) }

        var settings = MonitorSession.Settings(client: client, topic: "watched")
        settings.alerts = [.kafka(topic: "alerts"), .jsonLines(path: file)]
        let session = try MonitorSession(settings: settings)
        var windows: [Int64: Int] = [:]
        var snapshot = try session.refresh()
        let deadline = Date().addingTimeInterval(15)
        while true {
            for window in snapshot.alertsPerWindow ?? [] { windows[window.windowStart] = window.alerts }
            if snapshot.alerts == 6 || Date() > deadline { break }
            usleep(200_000)
            snapshot = try session.refresh()
        }
        #expect(snapshot.alerts == 6)
        #expect(windows == [10_000: 3, 20_000: 1])
        #expect(try session.refresh().alertsPerWindow == [], "no window gained an alert since")
    }

    @Test func anAbsentTopicShowsNothingWithoutHanging() throws {
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let session = try MonitorSession(settings: MonitorSession.Settings(client: ClientSettings(brokers: broker.bootstrap), topic: "absent"))
        let snapshot = try session.refresh()
        #expect(snapshot.arrived == 0)
        #expect(snapshot.consumers.isEmpty)
    }
}
