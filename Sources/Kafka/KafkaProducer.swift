import CRdkafka

/// A librdkafka producer. Sends never block: a full local queue is reported as `.queueFull`, so an open-loop
/// sender can record the stall instead of hiding it. Delivery reports arrive in bulk through
/// `pollDeliveryReports`, each with the `opaque` value given at send time.
///
/// Not thread-safe by design: one producer belongs to one sending loop.
public final class KafkaProducer {
    /// What happened to a message handed to `send`.
    public enum SendResult: Sendable, Equatable {
        /// It is in librdkafka's queue; its delivery report will follow.
        case queued
        /// The local queue is full: poll delivery reports and send it again.
        case queueFull
    }

    /// The configuration the producer was made with.
    public let configuration: ProducerConfiguration
    private let handle: OpaquePointer
    private let mainQueue: OpaquePointer
    private var topics: [String: OpaquePointer] = [:]
    /// The topic of the last send, with its handle.
    private var lastTopic: (name: String, handle: OpaquePointer)?
    private var arguments: UnsafeMutablePointer<rd_kafka_vu_t>
    private let argumentCapacity = 16
    private var reportBatch: UnsafeMutablePointer<UnsafePointer<rd_kafka_message_t>?>
    private let reportBatchCapacity = 10_000
    /// The last error librdkafka reported about the client as a whole (all brokers down, fatal idempotence
    /// errors), or nil.
    public private(set) var lastClientError: KafkaError?

    public init(configuration: ProducerConfiguration) throws(KafkaError) {
        self.configuration = configuration
        let conf = try ConfigurationBuilder.make(configuration.librdkafkaProperties, then: configuration.client.properties)
        rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        handle = try ClientHandle.make(type: RD_KAFKA_PRODUCER, conf: conf)
        mainQueue = rd_kafka_queue_get_main(handle)
        arguments = .allocate(capacity: argumentCapacity)
        reportBatch = .allocate(capacity: reportBatchCapacity)
    }

    deinit {
        for topic in topics.values { rd_kafka_topic_destroy(topic) }
        rd_kafka_queue_destroy(mainQueue)
        rd_kafka_destroy(handle)
        arguments.deallocate()
        reportBatch.deallocate()
    }

    /// Fetches `topic`'s metadata over this producer's own connections, so that its first send waits for
    /// neither a connection nor the topic's metadata; proves that the brokers answer (`.brokersUnreachable`
    /// after `timeoutMs`). A broker that creates topics on first use, as Tansu does, creates `topic` now
    /// instead of at the first send.
    public func prepare(topic: String, timeoutMs: Int32 = 10_000) throws(KafkaError) {
        let topicHandle = try self.topicHandle(topic)
        try MetadataRequest.run(handle: handle, brokers: configuration.client.brokers, topic: topicHandle, timeoutMs: timeoutMs) { _ in }
    }

    /// Messages handed to librdkafka and not yet reported on.
    public var inFlight: Int { Int(rd_kafka_outq_len(handle)) }

    /// Queues one message. `key`, `value` and `headers` are copied by librdkafka before this returns.
    /// - Parameters:
    ///   - partition: an explicit partition, or nil to let the partitioner choose by key.
    ///   - timestamp: the record's timestamp in epoch ms, or nil for the send time.
    ///   - opaque: returned in the message's delivery report.
    public func send(
        topic: String,
        partition: Int32? = nil,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        headers: UnsafeBufferPointer<MessageHeader> = UnsafeBufferPointer(start: nil, count: 0),
        timestamp: Int64? = nil,
        opaque: UInt64 = 0
    ) throws(KafkaError) -> SendResult {
        guard headers.count <= argumentCapacity - 7 else {
            throw KafkaError(kind: .produce, message: "at most \(argumentCapacity - 7) headers per message")
        }
        let topicHandle = try self.topicHandle(topic)
        var count = 0
        func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
            arguments[count] = rd_kafka_vu_t()
            arguments[count].vtype = type
            fill(&arguments[count])
            count += 1
        }
        append(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = topicHandle }
        if let partition { append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
        append(RD_KAFKA_VTYPE_KEY) {
            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
            $0.u.mem.size = key.count
        }
        append(RD_KAFKA_VTYPE_VALUE) {
            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
            $0.u.mem.size = value.count
        }
        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
        append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(opaque)) }
        if let timestamp { append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestamp } }
        for header in headers {
            append(RD_KAFKA_VTYPE_HEADER) {
                $0.u.header.name = header.name
                $0.u.header.val = header.value.baseAddress
                $0.u.header.size = header.value.count
            }
        }
        guard let error = rd_kafka_produceva(handle, arguments, count) else { return .queued }
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        throw KafkaError(
            kind: .produce, code: code.rawValue,
            message: "producing to '\(topic)' failed: \(String(cString: rd_kafka_error_string(error)))")
    }

    /// Sends one message from Swift values: a convenience for tests and tools, not for hot loops.
    public func send(
        topic: String, key: [UInt8], value: [UInt8], headers: [(String, [UInt8])] = [], timestamp: Int64? = nil,
        opaque: UInt64 = 0
    ) throws(KafkaError) -> SendResult {
        let result: Result<SendResult, KafkaError> = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                withHeaderList(headers) { list in
                    Result { () throws(KafkaError) in
                        try send(topic: topic, key: keyBytes, value: valueBytes, headers: list, timestamp: timestamp, opaque: opaque)
                    }
                }
            }
        }
        return try result.get()
    }

    /// Serves delivery reports: waits up to `timeoutMs` for the first batch, then takes every batch already
    /// waiting, calling `report` once per message. Returns how many reports were served.
    @discardableResult
    public func pollDeliveryReports(timeoutMs: Int32, _ report: (DeliveryReport) -> Void) -> Int {
        var served = 0
        var wait = timeoutMs
        while let event = rd_kafka_queue_poll(mainQueue, wait) {
            defer { rd_kafka_event_destroy(event) }
            wait = 0
            switch Int32(rd_kafka_event_type(event)) {
            case Int32(RD_KAFKA_EVENT_DR):
                while true {
                    let taken = rd_kafka_event_message_array(event, reportBatch, reportBatchCapacity)
                    if taken == 0 { break }
                    for index in 0..<taken {
                        guard let message = reportBatch[index] else { continue }
                        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
                        report(
                            DeliveryReport(
                                opaque: UInt64(UInt(bitPattern: message.pointee._private)),
                                partition: message.pointee.partition,
                                offset: message.pointee.offset,
                                errorCode: message.pointee.err.rawValue,
                                timestamp: rd_kafka_message_timestamp(message, &timestampType)))
                    }
                    served += taken
                }
            case Int32(RD_KAFKA_EVENT_ERROR):
                lastClientError = KafkaError(
                    kind: .brokersUnreachable, code: rd_kafka_event_error(event).rawValue,
                    message: String(cString: rd_kafka_event_error_string(event)))
            default:
                break
            }
        }
        return served
    }

    /// Waits until every queued message has a delivery report, serving them to `report`, or throws when
    /// `timeoutMs` passes first.
    public func flush(timeoutMs: Int, _ report: (DeliveryReport) -> Void) throws(KafkaError) {
        let deadline = MonotonicMilliseconds.now + Int64(timeoutMs)
        while inFlight > 0 {
            let left = deadline - MonotonicMilliseconds.now
            if left <= 0 {
                throw KafkaError(
                    kind: .produce, code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue,
                    message: "\(inFlight) messages still undelivered after \(timeoutMs) ms"
                        + (lastClientError.map { " (last client error: \($0.message))" } ?? ""))
            }
            pollDeliveryReports(timeoutMs: Int32(min(left, 100)), report)
        }
        pollDeliveryReports(timeoutMs: 0, report)
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        // A sending loop names the same topic every time: comparing with the last one (the same string
        // storage, so one pointer comparison) spares hashing the name per message.
        if let lastTopic, lastTopic.name == name { return lastTopic.handle }
        let handle = try openTopic(name)
        lastTopic = (name, handle)
        return handle
    }

    private func openTopic(_ name: String) throws(KafkaError) -> OpaquePointer {
        if let existing = topics[name] { return existing }
        guard let created = rd_kafka_topic_new(handle, name, nil) else {
            throw KafkaError(kind: .topic, code: rd_kafka_last_error(), context: "opening topic '\(name)'")
        }
        topics[name] = created
        return created
    }
}

/// Lends `headers` as a list of `MessageHeader`s for the duration of `body`.
private func withHeaderList<R>(_ headers: [(String, [UInt8])], _ body: (UnsafeBufferPointer<MessageHeader>) -> R) -> R {
    var list: [MessageHeader] = []
    list.reserveCapacity(headers.count)
    func lend(_ index: Int) -> R {
        guard index < headers.count else { return list.withUnsafeBufferPointer(body) }
        return headers[index].0.withCString { name in
            headers[index].1.withUnsafeBytes { value in
                list.append(MessageHeader(name: name, value: value))
                return lend(index + 1)
            }
        }
    }
    return lend(0)
}
