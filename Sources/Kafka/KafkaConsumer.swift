import CRdkafka

/// A librdkafka consumer that reads in batches: as a consumer-group member (`subscribe`) or on partitions
/// it assigns itself (`assign`). Records are lent to a closure, batch by batch, without copying.
///
/// Not thread-safe by design: one consumer belongs to one reading loop. Rebalance callbacks run inside
/// `consumeBatch`, on that loop.
public final class KafkaConsumer {
    /// What to do when the group gives or takes partitions.
    public struct RebalanceHandler {
        /// Called with newly assigned partitions before reading from them; returns them with the offsets to
        /// start from (return them unchanged to start at the group's committed offsets).
        public var assigned: ([TopicPartition]) -> [TopicPartition]
        /// Called with partitions about to be taken away, while their last records are still yours to finish.
        public var revoked: ([TopicPartition]) -> Void

        public init(
            assigned: @escaping ([TopicPartition]) -> [TopicPartition] = { $0 },
            revoked: @escaping ([TopicPartition]) -> Void = { _ in }
        ) {
            self.assigned = assigned
            self.revoked = revoked
        }
    }

    /// What one `consumeBatch` call saw besides records.
    public struct BatchOutcome: Sendable {
        /// Records lent to the closure.
        public var records = 0
        /// Partitions whose end was reached (only with `reportPartitionEnd`).
        public var reachedEnd: [Int32] = []
        /// Errors librdkafka reported in the batch (retried by librdkafka; fatal ones are thrown).
        public var errors: [KafkaError] = []
    }

    /// The configuration the consumer was made with.
    public let configuration: ConsumerConfiguration
    private let handle: OpaquePointer
    private let queue: OpaquePointer
    private let listener: RebalanceListener
    private let batch: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private let batchCapacity = 10_000
    private var closed = false

    public init(configuration: ConsumerConfiguration, rebalance: RebalanceHandler = RebalanceHandler()) throws(KafkaError) {
        self.configuration = configuration
        listener = RebalanceListener(handler: rebalance)
        let conf = try ConfigurationBuilder.make(configuration.librdkafkaProperties, then: configuration.client.properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(listener).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        handle = try ClientHandle.make(type: RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle)
        queue = rd_kafka_queue_get_consumer(handle) ?? rd_kafka_queue_get_main(handle)
        batch = .allocate(capacity: batchCapacity)
    }

    deinit {
        close()
        rd_kafka_queue_destroy(queue)
        rd_kafka_destroy(handle)
        batch.deallocate()
    }

    /// Joins the consumer group and reads `topics` from the partitions the group assigns.
    public func subscribe(topics: [String]) throws(KafkaError) {
        guard configuration.groupID != nil else {
            throw KafkaError(kind: .configuration, message: "subscribing needs a consumer group id")
        }
        let list = TopicPartition.makeList(topics.map { TopicPartition(topic: $0, partition: -1) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_subscribe(handle, list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "subscribing to \(topics.joined(separator: ","))")
        }
    }

    /// Reads exactly these partitions from the given offsets (`TopicPartition.beginning` for the earliest),
    /// outside any group rebalancing.
    public func assign(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = TopicPartition.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_assign(handle, list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "assigning \(partitions)")
        }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let error = rd_kafka_assignment(handle, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "reading the assignment")
        }
        return TopicPartition.list(from: list)
    }

    /// Waits up to `timeoutMs` for records and lends each of up to `maxRecords` to `body`; the record's
    /// memory is valid only during the call. Rebalance callbacks may run inside.
    @discardableResult
    public func consumeBatch(
        maxRecords: Int = 10_000, timeoutMs: Int32, _ body: (ConsumedRecord) throws -> Void
    ) throws -> BatchOutcome {
        var outcome = BatchOutcome()
        let taken = rd_kafka_consume_batch_queue(queue, Int32(timeoutMs), batch, min(maxRecords, batchCapacity))
        if let failure = listener.failure {
            listener.failure = nil
            throw failure
        }
        guard taken > 0 else { return outcome }
        var index = 0
        defer { while index < taken { rd_kafka_message_destroy(batch[index]); index += 1 } }
        while index < taken {
            guard let message = batch[index] else { index += 1; continue }
            let error = message.pointee.err
            if error == RD_KAFKA_RESP_ERR_NO_ERROR {
                outcome.records += 1
                try body(ConsumedRecord(message: message))
            } else if error == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                outcome.reachedEnd.append(message.pointee.partition)
            } else {
                let detail = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? ""
                let failure = KafkaError(kind: .consume, code: error.rawValue, message: "consuming failed: \(detail)")
                if error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || error == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC
                    || error == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED || error == RD_KAFKA_RESP_ERR__FATAL
                {
                    throw failure
                }
                outcome.errors.append(failure)
            }
            rd_kafka_message_destroy(message)
            index += 1
        }
        return outcome
    }

    /// Moves reading of assigned partitions to the given offsets; the next records lent are from there.
    public func seek(_ positions: [TopicPartition], timeoutMs: Int32 = 10_000) throws(KafkaError) {
        guard !positions.isEmpty else { return }
        let list = TopicPartition.makeList(positions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let failure = rd_kafka_seek_partitions(handle, list, timeoutMs) {
            defer { rd_kafka_error_destroy(failure) }
            throw KafkaError(
                kind: .consume, code: rd_kafka_error_code(failure).rawValue,
                message: "seeking to \(positions) failed: \(String(cString: rd_kafka_error_string(failure)))")
        }
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(kind: .consume, code: element.err, context: "seeking \(String(cString: element.topic))[\(element.partition)]")
            }
        }
    }

    /// Commits these offsets (the next offset to read, per partition) to the consumer group.
    public func commit(_ offsets: [TopicPartition], synchronously: Bool = true) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = TopicPartition.makeList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_commit(handle, list, synchronously ? 0 : 1)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "committing offsets")
        }
    }

    /// The group's committed offsets for these partitions (`TopicPartition.stored`'s -1001 where none).
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int32 = 10_000) throws(KafkaError) -> [TopicPartition] {
        let list = TopicPartition.makeList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_committed(handle, list, timeoutMs)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "reading committed offsets")
        }
        return TopicPartition.list(from: list)
    }

    /// A partition's low and high watermark offsets, asked of the broker. On Tansu the high one is the start of
    /// the last record batch rather than the log end (FACTS.md): good for rates, short by up to a batch for lag.
    public func watermarkOffsets(topic: String, partition: Int32, timeoutMs: Int32 = 5_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeoutMs)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(kind: .consume, code: error, context: "asking for the offsets of \(topic) [\(partition)]")
        }
        return (low, high)
    }

    /// The partition's end (high watermark) as the last fetch response reported it, without asking the
    /// broker; nil before the first fetch.
    public func cachedEndOffset(topic: String, partition: Int32) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        guard rd_kafka_get_watermark_offsets(handle, topic, partition, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else {
            return nil
        }
        return high
    }

    /// Leaves the group (revoking partitions through the rebalance handler) and stops fetching. Called by
    /// `deinit` when not called before.
    public func close() {
        guard !closed else { return }
        closed = true
        rd_kafka_consumer_close(handle)
    }
}

/// One consumed record, lent for the duration of a `consumeBatch` callback.
public struct ConsumedRecord {
    let message: UnsafeMutablePointer<rd_kafka_message_t>

    /// The record's partition.
    public var partition: Int32 { message.pointee.partition }
    /// The record's offset.
    public var offset: Int64 { message.pointee.offset }
    /// The record's key bytes (empty when it has none).
    public var key: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: message.pointee.key, count: message.pointee.key_len) }
    /// The record's value bytes (empty when it has none).
    public var value: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: message.pointee.payload, count: message.pointee.len)
    }
    /// The record's timestamp, epoch milliseconds, or -1 when it has none.
    public var timestamp: Int64 {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        return rd_kafka_message_timestamp(message, &type)
    }
    /// The topic the record came from.
    public var topic: String { String(cString: rd_kafka_topic_name(message.pointee.rkt)) }

    /// The value of the last header with this name, or nil.
    public func header(_ name: String) -> UnsafeRawBufferPointer? {
        var headers: OpaquePointer?
        guard rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR, let headers else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(headers, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return UnsafeRawBufferPointer(start: value, count: size)
    }
}

/// Holds the rebalance handler where librdkafka's C callback can find it.
private final class RebalanceListener {
    let handler: KafkaConsumer.RebalanceHandler
    var failure: KafkaError?

    init(handler: KafkaConsumer.RebalanceHandler) {
        self.handler = handler
    }
}

/// librdkafka's rebalance callback: tells the handler, then applies the change with the eager or
/// cooperative calls that the group's protocol requires.
private let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { handle, error, partitions, opaque in
    guard let handle, let opaque else { return }
    let listener = Unmanaged<RebalanceListener>.fromOpaque(opaque).takeUnretainedValue()
    let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
    let given = TopicPartition.list(from: partitions)
    if error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
        let starts = listener.handler.assigned(given)
        let list = TopicPartition.makeList(starts)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if cooperative {
            if let failure = rd_kafka_incremental_assign(handle, list) {
                listener.failure = KafkaError(
                    kind: .consume, code: rd_kafka_error_code(failure).rawValue,
                    message: "assigning partitions failed: \(String(cString: rd_kafka_error_string(failure)))")
                rd_kafka_error_destroy(failure)
            }
        } else {
            let result = rd_kafka_assign(handle, list)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                listener.failure = KafkaError(kind: .consume, code: result, context: "assigning partitions")
            }
        }
    } else {
        listener.handler.revoked(given)
        if cooperative {
            if let failure = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(failure) }
        } else {
            rd_kafka_assign(handle, nil)
        }
    }
}
