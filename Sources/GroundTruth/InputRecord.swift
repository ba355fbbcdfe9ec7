/// What the generator's manifest says about one record, when a manifest is at hand.
public struct RecordFacts: Sendable, Equatable {
    /// When the broker acknowledged the record, epoch milliseconds: the record's readability time.
    public var ackedAtMs: Int64?
    /// The generator's lateness class for the event (for example `on-time`, `within-delay`, `beyond-delay`).
    public var latenessClass: String?
    /// The generator sent the event on time (its event time is its send time): a detector that drops it as
    /// late lost it to its own delays, not to the stream's lateness.
    public var onTime: Bool?
    /// The generator meant this record to be malformed.
    public var intendedMalformed: Bool?
    /// The generator meant this record to match the rule (term and severity).
    public var intendedMatching: Bool?

    public init(
        ackedAtMs: Int64? = nil, latenessClass: String? = nil, onTime: Bool? = nil, intendedMalformed: Bool? = nil,
        intendedMatching: Bool? = nil
    ) {
        self.ackedAtMs = ackedAtMs
        self.latenessClass = latenessClass
        self.onTime = onTime
        self.intendedMalformed = intendedMalformed
        self.intendedMatching = intendedMatching
    }
}

/// One record of the replayed topic, owning its value. The streaming entry point
/// `ReplayTally.record(partition:offset:kafkaTimestampMs:value:facts:)` takes borrowed bytes instead, so
/// that a Kafka replay need not copy each value.
public struct InputRecord: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
    /// The record's Kafka timestamp (the send time), epoch milliseconds.
    public var kafkaTimestampMs: Int64
    /// The record value.
    public var value: [UInt8]
    public var facts: RecordFacts?

    public init(partition: Int32, offset: Int64, kafkaTimestampMs: Int64, value: [UInt8], facts: RecordFacts? = nil) {
        self.partition = partition
        self.offset = offset
        self.kafkaTimestampMs = kafkaTimestampMs
        self.value = value
        self.facts = facts
    }
}
