import Foundation
import Kafka

/// A consumer reading every partition of a topic from its earliest offset by manual assignment: no group
/// join (which takes seconds on Tansu), no commits, nothing changed on the cluster.
struct TopicOpening {
    let consumer: KafkaConsumer
    /// The topic's partitions, ascending.
    let partitions: [Int32]

    let topic: String
    let brokers: String

    /// Opens `topic` without reading yet; an error when the brokers cannot be reached or the topic does not exist.
    init(topic: String, client: ClientSettings) throws(ValidatorError) {
        self.topic = topic
        brokers = client.brokers
        do {
            guard let partitions = try KafkaAdmin(client: client).partitions(of: topic), !partitions.isEmpty else {
                throw ValidatorError("topic '\(topic)' does not exist on \(client.brokers)")
            }
            self.partitions = partitions.sorted()
            // librdkafka's consumer needs a group id even to assign partitions by hand; this one never joins
            // or commits, so a fresh name leaves no trace on the cluster.
            let group = "windtunnel-validate-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64(Date().timeIntervalSince1970 * 1_000))"
            consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: group))
        } catch let error as KafkaError {
            throw ValidatorError("reading topic '\(topic)' from \(client.brokers): \(error.message)")
        } catch let error as ValidatorError {
            throw error
        } catch {
            throw ValidatorError("reading topic '\(topic)' from \(client.brokers): \(error)")
        }
    }

    /// Reads `partitions` (all when nil) from their earliest offsets, instead of whatever was read before;
    /// returns those offsets, where a `ContiguousReading` of them starts.
    @discardableResult
    func read(_ partitions: [Int32]? = nil) throws(ValidatorError) -> [Int32: Int64] {
        do {
            let starts = try consumer.earliestOffsets(topic: topic, partitions: partitions ?? self.partitions)
            try consumer.assign(starts.keys.sorted().map { TopicPartition(topic: topic, partition: $0, offset: starts[$0] ?? 0) })
            return starts
        } catch {
            throw ValidatorError("reading topic '\(topic)' from \(brokers): \(error.message)")
        }
    }
}
