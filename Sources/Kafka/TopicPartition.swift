import CRdkafka

/// A partition of a topic, with an offset where one is meant (the next offset to read or commit).
public struct TopicPartition: Sendable, Hashable, CustomStringConvertible {
    /// Offset meaning "the earliest offset the broker still has".
    public static let beginning: Int64 = -2
    /// Offset meaning "the consumer group's committed offset, else `auto.offset.reset`".
    public static let stored: Int64 = -1000

    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64 = TopicPartition.stored) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "\(topic)[\(partition)]@\(offset)" }
}

extension TopicPartition {
    /// Reads a librdkafka partition list.
    static func list(from pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [TopicPartition] {
        guard let list = pointer?.pointee, let elements = list.elems else { return [] }
        return (0..<Int(list.cnt)).map { index in
            let element = elements[index]
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition, offset: element.offset)
        }
    }

    /// Makes a librdkafka partition list; the caller destroys it.
    static func makeList(_ partitions: [TopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(partitions.count, 1)))!
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)
            element?.pointee.offset = partition.offset
        }
        return list
    }
}
