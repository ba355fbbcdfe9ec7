import Foundation
import Kafka

/// The reading half of a topic replay, run on its own thread: fills spare batches from the consumer until
/// every partition has reached its target, or no record has come for `idleMs`, or the tallying side cancels.
/// A gap in a partition's offsets is fetched again before it is read past (`GapRefetch`), so that records a
/// broker skipped in one fetch are not reported missing.
struct ReplayReader: Sendable {
    /// The consumer, handed to the reading thread for good when the replay starts: only that thread uses it
    /// from then on, hence `@unchecked Sendable`.
    final class ConsumerHandle: @unchecked Sendable {
        let consumer: KafkaConsumer

        init(consumer: KafkaConsumer) {
            self.consumer = consumer
        }
    }

    let consumer: ConsumerHandle
    let handoff: ReplayHandoff
    let targets: [Int32: Int64]
    let idleMs: Int
    let withHeaders: Bool
    let topic: String
    let brokers: String

    func run() {
        var reading = ContiguousReading()
        var lastRecordAt = Date()
        while let batch = handoff.takeSpare() {
            do {
                try consumer.consumer.consumeBatch(maxRecords: TopicReplay.batchRecords, timeoutMs: 100) { record in
                    guard reading.admit(partition: record.partition, offset: record.offset) else { return }
                    batch.append(record, withHeaders: withHeaders)
                }
                try consumer.consumer.seek(reading.takeMoves(topic: topic))
            } catch {
                handoff.deliver(batch)
                handoff.finish(.failed(ValidatorError("replaying topic '\(topic)' from \(brokers): \(error)")))
                return
            }
            let now = Date()
            if batch.count > 0 { lastRecordAt = now }
            handoff.deliver(batch)
            if !targets.isEmpty, targets.allSatisfy({ $0.value <= 0 || reading.nextOffset(of: $0.key) >= $0.value }) {
                handoff.finish(.reachedTargets)
                return
            }
            if now.timeIntervalSince(lastRecordAt) * 1_000 >= Double(idleMs) {
                handoff.finish(.idle)
                return
            }
        }
        handoff.finish(.idle)
    }
}
