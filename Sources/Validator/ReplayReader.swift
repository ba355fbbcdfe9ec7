import Foundation
import Kafka

/// The reading half of a topic replay, run on its own thread: fills spare batches from the consumer until
/// every partition has reached its target, or no record has come for `idleMs`, or the tallying side cancels.
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
        var reached: [Int32: Int64] = [:]
        var lastRecordAt = Date()
        while let batch = handoff.takeSpare() {
            do {
                try consumer.consumer.consumeBatch(maxRecords: TopicReplay.batchRecords, timeoutMs: 100) { record in
                    batch.append(record, withHeaders: withHeaders)
                    reached[record.partition] = record.offset + 1
                }
            } catch {
                handoff.deliver(batch)
                handoff.finish(.failed(ValidatorError("replaying topic '\(topic)' from \(brokers): \(error)")))
                return
            }
            let now = Date()
            if batch.count > 0 { lastRecordAt = now }
            handoff.deliver(batch)
            if !targets.isEmpty, targets.allSatisfy({ reached[$0.key, default: 0] >= $0.value }) {
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
