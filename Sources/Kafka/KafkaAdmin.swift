import CRdkafka

/// Topic administration and broker checks: create and delete topics, read a topic's partitions.
public final class KafkaAdmin {
    /// The connection settings.
    public let client: ClientSettings
    private let handle: OpaquePointer

    /// Opens a client; no request is sent until a method is called. `requestTimeoutMs` also bounds how long a
    /// wrong broker address can make a call wait.
    public init(client: ClientSettings) throws(KafkaError) {
        self.client = client
        let conf = try ConfigurationBuilder.make([("bootstrap.servers", client.brokers)], then: client.properties)
        handle = try ClientHandle.make(type: RD_KAFKA_PRODUCER, conf: conf)
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The broker ids and addresses in the cluster's metadata; throws `.brokersUnreachable` when no broker
    /// answers within `timeoutMs`.
    public func brokers(timeoutMs: Int32 = 5_000) throws(KafkaError) -> [String] {
        try withMetadata(timeoutMs: timeoutMs) { metadata in
            (0..<Int(metadata.broker_cnt)).map { index in
                let broker = metadata.brokers[index]
                return "\(broker.id)@\(String(cString: broker.host)):\(broker.port)"
            }
        }
    }

    /// The partition ids of `topic`, or nil when the broker does not know it. Asks for every topic's metadata,
    /// because asking for one topic by name from this (producer) handle lets a broker that auto-creates
    /// topics, as Tansu does, create it: a mistyped name would then look like an empty topic.
    public func partitions(of topic: String, timeoutMs: Int32 = 5_000) throws(KafkaError) -> [Int32]? {
        try withMetadata(timeoutMs: timeoutMs) { metadata in
            guard let entry = (0..<Int(metadata.topic_cnt)).lazy.map({ metadata.topics[$0] }).first(where: { String(cString: $0.topic) == topic })
            else { return nil }
            if entry.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || entry.partition_cnt == 0 { return nil }
            return (0..<Int(entry.partition_cnt)).map { entry.partitions[$0].id }.sorted()
        }
    }

    /// Creates `topic` with `partitions` partitions; an existing topic is an error unless `ifMissing`.
    public func createTopic(
        _ topic: String, partitions: Int, replicationFactor: Int = 1, ifMissing: Bool = false, timeoutMs: Int32 = 10_000
    ) throws(KafkaError) {
        if let problem = TopicName.problem(topic) {
            throw KafkaError(kind: .topic, message: "topic '\(topic.prefix(TopicName.longest + 1))': \(problem)")
        }
        guard partitions > 0 else {
            throw KafkaError(kind: .topic, message: "topic '\(topic)' needs at least one partition, not \(partitions)")
        }
        var errorText = [CChar](repeating: 0, count: 512)
        guard let request = rd_kafka_NewTopic_new(topic, Int32(partitions), Int32(replicationFactor), &errorText, errorText.count)
        else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw KafkaError(kind: .topic, message: "topic '\(topic)': \(detail)")
        }
        defer { rd_kafka_NewTopic_destroy(request) }
        var requests: [OpaquePointer?] = [request]
        let (code, message) = try runAdmin(RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeoutMs: timeoutMs, what: "creating topic '\(topic)'") {
            queue, options in rd_kafka_CreateTopics(handle, &requests, 1, options, queue)
        } topicResults: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            return (results, count)
        }
        if code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue && ifMissing { return }
        if code != 0 { throw KafkaError(kind: .topic, code: code, message: "creating topic '\(topic)' failed: \(message)") }
    }

    /// Deletes `topic`; a missing topic is an error unless `ifExists`.
    public func deleteTopic(_ topic: String, ifExists: Bool = false, timeoutMs: Int32 = 10_000) throws(KafkaError) {
        guard let request = rd_kafka_DeleteTopic_new(topic) else {
            throw KafkaError(kind: .topic, message: "topic '\(topic)': librdkafka refused the name")
        }
        defer { rd_kafka_DeleteTopic_destroy(request) }
        var requests: [OpaquePointer?] = [request]
        let (code, message) = try runAdmin(RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeoutMs: timeoutMs, what: "deleting topic '\(topic)'") {
            queue, options in rd_kafka_DeleteTopics(handle, &requests, 1, options, queue)
        } topicResults: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            return (results, count)
        }
        if code == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue && ifExists { return }
        if code != 0 { throw KafkaError(kind: .topic, code: code, message: "deleting topic '\(topic)' failed: \(message)") }
    }

    /// Runs one admin request and returns the first topic result's error code and message.
    private func runAdmin(
        _ expected: Int32, timeoutMs: Int32, what: String,
        start: (OpaquePointer, OpaquePointer) -> Void,
        topicResults: (OpaquePointer) -> (UnsafeMutablePointer<OpaquePointer?>?, Int)
    ) throws(KafkaError) -> (Int32, String) {
        guard let queue = rd_kafka_queue_new(handle) else {
            throw KafkaError(kind: .client, message: "\(what): librdkafka could not create a queue")
        }
        defer { rd_kafka_queue_destroy(queue) }
        guard let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_ANY) else {
            throw KafkaError(kind: .client, message: "\(what): librdkafka could not create admin options")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errorText = [CChar](repeating: 0, count: 512)
        rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errorText, errorText.count)
        rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errorText, errorText.count)
        start(queue, options)
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1_000) else {
            throw KafkaError(
                kind: .brokersUnreachable, code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
                message: "\(what): brokers \(client.brokers) did not answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            let kind: KafkaError.Kind = eventError == RD_KAFKA_RESP_ERR__TIMED_OUT || eventError == RD_KAFKA_RESP_ERR__TRANSPORT
                ? .brokersUnreachable : .topic
            throw KafkaError(
                kind: kind, code: eventError.rawValue,
                message: "\(what) at \(client.brokers) failed: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        guard Int32(rd_kafka_event_type(event)) == expected else { return (0, "") }
        let (results, count) = topicResults(event)
        guard count > 0, let results, let first = results[0] else { return (0, "") }
        let code = rd_kafka_topic_result_error(first)
        let text = rd_kafka_topic_result_error_string(first).map { String(cString: $0) } ?? ""
        return (code.rawValue, text.isEmpty ? String(cString: rd_kafka_err2str(code)) : text)
    }

    /// Every topic's metadata: asking for one topic by name would let a broker that auto-creates topics create it.
    private func withMetadata<R>(timeoutMs: Int32, _ body: (rd_kafka_metadata) -> R) throws(KafkaError) -> R {
        try MetadataRequest.run(handle: handle, brokers: client.brokers, topic: nil, timeoutMs: timeoutMs, body)
    }
}
