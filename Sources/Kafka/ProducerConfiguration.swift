/// How a `KafkaProducer` talks to Kafka: typed settings for what windtunnel sets on purpose, and the client's
/// pass-through properties for the long tail.
public struct ProducerConfiguration: Sendable, Equatable {
    /// Compression codec for record batches.
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    // MARK: Connection
    /// Brokers and pass-through properties. Default: `127.0.0.1:9092`, no properties.
    public var client: ClientSettings

    // MARK: Delivery
    /// Idempotent producer: no duplicates and no reordering on retries (`enable.idempotence`). Default: true.
    public var idempotent: Bool = true
    /// How long a message may wait for delivery, retries included, before it fails (`message.timeout.ms`).
    /// Default: 30 000 ms.
    public var messageTimeoutMs: Int = 30_000

    // MARK: Batching
    /// How long to wait for more messages before sending a batch (`linger.ms`). Default: 5 ms.
    public var lingerMs: Int = 5
    /// Largest batch in messages (`batch.num.messages`). Default: 10 000.
    public var batchMessages: Int = 10_000
    /// Largest batch in bytes (`batch.size`). Default: 1 000 000.
    public var batchBytes: Int = 1_000_000
    /// Record batch compression (`compression.codec`). Default: none.
    public var compression: Compression = .none

    // MARK: Local queue
    /// Messages that may wait in the local queue before `send` reports it full
    /// (`queue.buffering.max.messages`). Default: 1 000 000.
    public var queueMaxMessages: Int = 1_000_000
    /// Kilobytes that may wait in the local queue (`queue.buffering.max.kbytes`). Default: 1 048 576 (1 GiB).
    public var queueMaxKilobytes: Int = 1_048_576

    public init(client: ClientSettings = ClientSettings()) {
        self.client = client
    }
}

extension ProducerConfiguration {
    /// The settings as librdkafka properties, before the pass-through ones: what another client needs to
    /// produce the same way.
    public var librdkafkaProperties: [(String, String)] {
        [
            ("bootstrap.servers", client.brokers),
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("message.timeout.ms", String(messageTimeoutMs)),
            ("linger.ms", String(lingerMs)),
            ("batch.num.messages", String(batchMessages)),
            ("batch.size", String(batchBytes)),
            ("compression.codec", compression.rawValue),
            ("queue.buffering.max.messages", String(queueMaxMessages)),
            ("queue.buffering.max.kbytes", String(queueMaxKilobytes)),
        ]
    }
}
