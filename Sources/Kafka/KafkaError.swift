import CRdkafka

/// An error from Kafka or from librdkafka, carrying librdkafka's error code and text.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in kinds a caller may want to tell apart.
    public enum Kind: Sendable, Equatable {
        /// A configuration property was unknown or had an invalid value.
        case configuration
        /// The brokers did not answer in time, or could not be reached.
        case brokersUnreachable
        /// A topic operation (create, delete, metadata) failed.
        case topic
        /// Producing a message failed.
        case produce
        /// Consuming, committing or changing the assignment failed.
        case consume
        /// Creating a client handle failed.
        case client
    }

    /// The kind of failure.
    public let kind: Kind
    /// librdkafka's error code (`rd_kafka_resp_err_t`), or 0 where librdkafka gave none.
    public let code: Int32
    /// librdkafka's message, or ours where librdkafka gave none.
    public let message: String

    public init(kind: Kind, code: Int32 = 0, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    init(kind: Kind, code: rd_kafka_resp_err_t, context: String) {
        let text = String(cString: rd_kafka_err2str(code))
        self.init(kind: kind, code: code.rawValue, message: "\(context): \(text)")
    }

    /// librdkafka's symbolic name of `code`, such as `_TRANSPORT` or `TOPIC_ALREADY_EXISTS`.
    public var codeName: String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)))
    }

    public var description: String { message }
}
