/// How a `KafkaConsumer` reads: typed settings for what windtunnel sets on purpose (including the
/// defaults the embedded Tansu broker needs), and the client's pass-through properties for the rest.
public struct ConsumerConfiguration: Sendable, Equatable {
    /// Where a group member starts when its group has no committed offset.
    public enum OffsetReset: String, Sendable {
        case earliest, latest
    }

    // MARK: Connection
    /// Brokers and pass-through properties. Default: `127.0.0.1:9092`, no properties.
    public var client: ClientSettings

    // MARK: Group
    /// The consumer group (`group.id`); required for `subscribe`, optional for manual `assign`. Default: nil.
    public var groupID: String?
    /// Where to start without a committed offset (`auto.offset.reset`). Default: earliest. (Tansu answers
    /// "latest" with the start of the last record batch, so earliest is the only safe choice there.)
    public var offsetReset: OffsetReset = .earliest
    /// Session timeout (`session.timeout.ms`). Default: 6 000 ms: Tansu's first group join takes about half of
    /// it, so librdkafka's 45 s default would stall every start for over 20 s.
    public var sessionTimeoutMs: Int = 6_000
    /// Heartbeat interval (`heartbeat.interval.ms`). Default: 1 000 ms.
    public var heartbeatIntervalMs: Int = 1_000
    /// Partition assignment strategy (`partition.assignment.strategy`): `range`, `roundrobin` (eager) or
    /// `cooperative-sticky`. Default: `range,roundrobin`, librdkafka's.
    public var assignmentStrategy: String = "range,roundrobin"
    /// Commit offsets in the background (`enable.auto.commit`). Default: false: windtunnel commits what it
    /// has checkpointed.
    public var autoCommit: Bool = false

    // MARK: Fetching
    /// Report reaching the end of a partition as an event (`enable.partition.eof`). Default: false.
    public var reportPartitionEnd: Bool = false
    /// Messages librdkafka keeps prefetched per partition (`queued.min.messages`). Default: 1 000 000: large
    /// prefetch keeps batch consumption from waiting on fetches.
    public var queuedMinMessages: Int = 1_000_000
    /// Back-off after the prefetch queue filled (`fetch.queue.backoff.ms`, librdkafka >= 2.2 only, ignored
    /// before). Default: 10 ms: the 1 s default starves zstd-compressed consumption.
    public var fetchQueueBackoffMs: Int = 10

    public init(client: ClientSettings = ClientSettings(), groupID: String? = nil) {
        self.client = client
        self.groupID = groupID
    }
}

extension ConsumerConfiguration {
    /// The settings as librdkafka properties, before the pass-through ones.
    var librdkafkaProperties: [(String, String)] {
        var pairs: [(String, String)] = [
            ("bootstrap.servers", client.brokers),
            ("auto.offset.reset", offsetReset.rawValue),
            ("session.timeout.ms", String(sessionTimeoutMs)),
            ("heartbeat.interval.ms", String(heartbeatIntervalMs)),
            ("partition.assignment.strategy", assignmentStrategy),
            ("enable.auto.commit", autoCommit ? "true" : "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", reportPartitionEnd ? "true" : "false"),
            ("queued.min.messages", String(queuedMinMessages)),
        ]
        if let groupID { pairs.append(("group.id", groupID)) }
        if Librdkafka.isAtLeast(major: 2, minor: 2) { pairs.append(("fetch.queue.backoff.ms", String(fetchQueueBackoffMs))) }
        return pairs
    }
}
