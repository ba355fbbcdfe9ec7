import EmbeddedBroker
import Foundation
import Kafka
import Testing

@Suite("Producing and consuming through a real broker")
struct RoundTripTests {
    @Test("100k keyed messages with headers come back exactly once, with keys, headers, timestamps and offsets")
    func roundTrip() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            let topic = "round-trip"
            try KafkaAdmin(client: client).createTopic(topic, partitions: 4)
            #expect(try KafkaAdmin(client: client).partitions(of: topic) == [0, 1, 2, 3])

            let count = 100_000
            let baseTimestamp: Int64 = 1_769_000_000_000
            var configuration = ProducerConfiguration(client: client)
            configuration.lingerMs = 20
            let producer = try KafkaProducer(configuration: configuration)
            var acknowledged = [Int64: DeliveryReport]()
            acknowledged.reserveCapacity(count)
            var repeatedReports = 0
            let collect: (DeliveryReport) -> Void = { report in
                if acknowledged.updateValue(report, forKey: Int64(report.opaque)) != nil { repeatedReports += 1 }
            }
            for sequence in 0..<count {
                let key = Array("user_\(1000 + sequence % 997)".utf8)
                let value = Array("{\"n\":\(sequence)}".utf8)
                let headers = [("wt-worker", Array("3".utf8)), ("wt-seq", Array(String(sequence).utf8))]
                while try producer.send(
                    topic: topic, key: key, value: value, headers: headers, timestamp: baseTimestamp + Int64(sequence),
                    opaque: UInt64(sequence)) == .queueFull
                {
                    producer.pollDeliveryReports(timeoutMs: 10, collect)
                }
                if sequence % 1_000 == 0 { producer.pollDeliveryReports(timeoutMs: 0, collect) }
            }
            try producer.flush(timeoutMs: 60_000, collect)
            #expect(acknowledged.count == count)
            #expect(repeatedReports == 0)
            #expect(acknowledged.values.filter { !$0.isAcknowledged }.isEmpty)

            var consumerConfiguration = ConsumerConfiguration(client: client, groupID: "round-trip-group")
            consumerConfiguration.reportPartitionEnd = true
            let consumer = try KafkaConsumer(configuration: consumerConfiguration)
            try consumer.subscribe(topics: [topic])
            var seen = Set<Int64>()
            var mismatches: [String] = []
            var duplicates = 0
            let deadline = Date().addingTimeInterval(60)
            // Reads on after the count is reached until nothing has come for 3 s, so that a record too many
            // (a late duplicate, a stray message) is seen too.
            var lastRecord = Date()
            while seen.count + duplicates < count || Date().timeIntervalSince(lastRecord) < 3, Date() < deadline {
                let outcome = try consumer.consumeBatch(timeoutMs: 500) { record in
                    let value = String(decoding: record.value, as: UTF8.self)
                    guard let sequence = Int64(value.dropFirst(5).dropLast()) else {
                        mismatches.append("unreadable value \(value)")
                        return
                    }
                    if !seen.insert(sequence).inserted { duplicates += 1 }
                    let expectedKey = "user_\(1000 + sequence % 997)"
                    if String(decoding: record.key, as: UTF8.self) != expectedKey { mismatches.append("key of \(sequence)") }
                    if record.header("wt-seq").map({ String(decoding: $0, as: UTF8.self) }) != String(sequence) {
                        mismatches.append("wt-seq header of \(sequence)")
                    }
                    if record.header("wt-worker").map({ String(decoding: $0, as: UTF8.self) }) != "3" {
                        mismatches.append("wt-worker header of \(sequence)")
                    }
                    if record.timestamp != baseTimestamp + sequence { mismatches.append("timestamp of \(sequence)") }
                    let report = acknowledged[sequence]
                    if report?.partition != record.partition || report?.offset != record.offset {
                        mismatches.append("offset of \(sequence): report \(String(describing: report)), read \(record.partition)@\(record.offset)")
                    }
                }
                if outcome.records > 0 { lastRecord = Date() }
            }
            consumer.close()
            #expect(seen.count == count)
            #expect(duplicates == 0)
            #expect(mismatches.prefix(5) == [])
        }
    }

    @Test("a manual assignment from the beginning reads what was produced, and commits are read back")
    func assignAndCommit() async throws {
        try await withEmbeddedBroker { broker in
            let client = ClientSettings(brokers: broker.bootstrap)
            try KafkaAdmin(client: client).createTopic("assigned", partitions: 2)
            let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
            for index in 0..<10 {
                _ = try producer.send(topic: "assigned", key: Array("k\(index)".utf8), value: Array("v\(index)".utf8))
            }
            try producer.flush(timeoutMs: 10_000) { _ in }

            let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "assigned-group"))
            try consumer.assign([0, 1].map { TopicPartition(topic: "assigned", partition: $0, offset: TopicPartition.beginning) })
            var next: [Int32: Int64] = [:]
            var read = 0
            let deadline = Date().addingTimeInterval(20)
            while read < 10 && Date() < deadline {
                try consumer.consumeBatch(timeoutMs: 200) { record in
                    read += 1
                    next[record.partition] = record.offset + 1
                }
            }
            #expect(read == 10)
            let offsets = next.map { TopicPartition(topic: "assigned", partition: $0.key, offset: $0.value) }
            try consumer.commit(offsets)
            let committed = try consumer.committed(offsets.map { TopicPartition(topic: "assigned", partition: $0.partition) })
            #expect(Set(committed) == Set(offsets))
            try KafkaAdmin(client: client).deleteTopic("assigned")
        }
    }
}
