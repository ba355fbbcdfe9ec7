import Contracts
import EmbeddedBroker
import EventModel
import Foundation
import Kafka

/// A log-event stream written to a topic before a detector reads it: synthesized events (some late, some
/// malformed) over `seconds` of event time, then a tail of single matching events from users who never
/// reach the threshold, so that every window of the stream closes.
struct TestStream {
    static let startMs: Int64 = 1_769_000_000_000

    var seconds = 60
    var eventsPerSecond = 100
    /// Share of events that carry the crash term.
    var termShare = 0.3
    var users = 40
    var lateFraction = 0.0
    var lateClass: LateClass = .within
    var malformedFraction = 0.0
    var seed: UInt64 = 1
    /// Tail length in seconds of event time: window + delay + 10 s.
    var tailSeconds = 50

    /// Creates `topic` with `partitions`.
    static func createTopic(_ topic: String, partitions: Int, client: ClientSettings) throws {
        try KafkaAdmin(client: client).createTopic(topic, partitions: partitions)
    }

    /// Produces the stream to `topic`, `perSecond` records a second as a live source would (all at once when
    /// nil), calling `midway` once the `midwayShare` of it is sent; returns how many records were acknowledged.
    @discardableResult
    func produce(
        to topic: String, client: ClientSettings, perSecond: Int? = 2_000, midwayShare: Double = 0.5,
        midway: () throws -> Void = {}
    ) throws -> Int {
        var settings = GeneratorSettings()
        settings.users = users
        settings.lateFraction = lateFraction
        settings.lateClass = lateClass
        settings.malformedFraction = malformedFraction
        settings.seed = seed
        settings.recordsPerSecond = eventsPerSecond
        settings.crashRate = Int(termShare * Double(eventsPerSecond))
        let synthesizer = try EventSynthesizer(settings: settings, worker: 0)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        var acknowledged = 0
        let tally: (DeliveryReport) -> Void = { if $0.isAcknowledged { acknowledged += 1 } }
        let value = RecordBuffer()
        let key = RecordBuffer()
        var random = SplitMix64Random(state: seed)
        var sent = 0
        let began = Date()
        func send(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
            while try producer.send(topic: topic, key: key, value: value) == .queueFull {
                producer.pollDeliveryReports(timeoutMs: 5, tally)
            }
            sent += 1
            if sent == Int(Double(seconds * eventsPerSecond + tailSeconds * 2) * midwayShare) { try midway() }
            guard let perSecond, sent % 100 == 0 else { return }
            producer.pollDeliveryReports(timeoutMs: 0, tally)
            let due = began.addingTimeInterval(Double(sent) / Double(perSecond))
            let wait = due.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
        }
        let total = seconds * eventsPerSecond
        for index in 0..<total {
            let scheduled = Self.startMs + Int64(index) * 1_000 / Int64(eventsPerSecond)
            let carriesTerm = Double(random.next() % 1_000) / 1_000 < termShare
            _ = synthesizer.synthesize(sequence: UInt64(index), scheduledMs: scheduled, carriesTerm: carriesTerm, value: value, key: key)
            try send(key: key.bytes, value: value.bytes)
        }
        // The tail: two matching events a second, each from a user of its own.
        let tailStart = Self.startMs + Int64(seconds) * 1_000
        for index in 0..<(tailSeconds * 2) {
            let user = "user_\(5_000 + index)"
            let json = #"{"timestamp": \#(tailStart + Int64(index) * 500), "status": "OK", "severity": "Critical", "source_ip": "10.0.0.1", "user_id": "\#(user)", "content": "tail crash"}"#
            try Array(user.utf8).withUnsafeBytes { key in try Array(json.utf8).withUnsafeBytes { try send(key: key, value: $0) } }
        }
        try producer.flush(timeoutMs: 60_000, tally)
        return acknowledged
    }
}

/// SplitMix64, so that the stream's term placement follows the seed.
struct SplitMix64Random {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
