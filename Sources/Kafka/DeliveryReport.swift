/// The broker's answer for one produced message, delivered in bulk by `KafkaProducer.pollDeliveryReports`.
public struct DeliveryReport: Sendable, Equatable {
    /// The value the caller passed as `opaque` when sending (windtunnel passes the record's sequence number).
    public var opaque: UInt64
    /// The partition the message went to, or -1 when it was never assigned one.
    public var partition: Int32
    /// The offset the broker gave it, or a negative value when it failed.
    public var offset: Int64
    /// librdkafka's error code: 0 when acknowledged.
    public var errorCode: Int32
    /// The message's timestamp as stored, epoch milliseconds, or -1 when unknown.
    public var timestamp: Int64

    /// Whether the broker acknowledged the message.
    public var isAcknowledged: Bool { errorCode == 0 }

    public init(opaque: UInt64, partition: Int32, offset: Int64, errorCode: Int32, timestamp: Int64) {
        self.opaque = opaque
        self.partition = partition
        self.offset = offset
        self.errorCode = errorCode
        self.timestamp = timestamp
    }
}

/// A message header for `KafkaProducer.send`: the name is a C string and the value raw bytes, both owned by
/// the caller and only read during the call, so a hot loop can reuse them without allocating.
public struct MessageHeader {
    /// NUL-terminated header name.
    public var name: UnsafePointer<CChar>
    /// Header value bytes.
    public var value: UnsafeRawBufferPointer

    public init(name: UnsafePointer<CChar>, value: UnsafeRawBufferPointer) {
        self.name = name
        self.value = value
    }
}
