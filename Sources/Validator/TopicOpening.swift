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

    /// Reads `partitions` (all when nil) from offset 0, instead of whatever was read before. Not from the
    /// earliest offset the broker names: Tansu's ListOffsets(EARLIEST) now and then names a later offset
    /// when two producers began writing a partition at once (seen: 308 instead of 0), and a reader
    /// starting there would lack the records before it for good. On a broker whose log no longer starts at
    /// 0, the consumer resets to its start and `ContiguousReading` accepts the gap after fetching it again.
    func read(_ partitions: [Int32]? = nil) throws(ValidatorError) {
        do {
            try consumer.assign((partitions ?? self.partitions).map { TopicPartition(topic: topic, partition: $0, offset: 0) })
        } catch {
            throw ValidatorError("reading topic '\(topic)' from \(brokers): \(error.message)")
        }
    }
}
