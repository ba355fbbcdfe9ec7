import CRdkafka

/// A metadata request on a client handle, with its failure as a `KafkaError` that names the brokers.
enum MetadataRequest {
    /// Asks for `topic`'s metadata (every topic's when nil) and lends it to `body`; throws
    /// `.brokersUnreachable` when no broker answers within `timeoutMs`.
    static func run<R>(
        handle: OpaquePointer, brokers: String, topic: OpaquePointer?, timeoutMs: Int32, _ body: (rd_kafka_metadata) -> R
    ) throws(KafkaError) -> R {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle, topic == nil ? 1 : 0, topic, &metadata, timeoutMs)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            let kind: KafkaError.Kind =
                error == RD_KAFKA_RESP_ERR__TIMED_OUT || error == RD_KAFKA_RESP_ERR__TRANSPORT ? .brokersUnreachable : .topic
            throw KafkaError(
                kind: kind, code: error.rawValue,
                message: "brokers \(brokers) did not answer a metadata request within \(timeoutMs) ms: " + String(cString: rd_kafka_err2str(error)))
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return body(metadata.pointee)
    }
}
