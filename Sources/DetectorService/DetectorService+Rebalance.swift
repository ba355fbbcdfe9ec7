import Detector
import Foundation
import Kafka

/// Scale-out: partitions move between instances with their state.
///
/// On a revoke the instance ends its current batch (so the revoked partitions' records read so far are
/// counted and checkpointed), then writes each revoked partition's state and next offset to the shared
/// checkpoint folder and forgets it. On an assignment it takes, per partition, the fresher of that handed-on
/// state and the state its own checkpoint holds, and starts reading where that state ends.
///
/// Both run inside librdkafka's rebalance callback, on the reading thread, between two polls: the engine is
/// not in use then, and file I/O is safe there. What is not safe inside is polling, seeking or closing
/// the consumer; the start offsets are returned to librdkafka instead of sought, and a failure is kept for
/// the reading loop to raise, since nothing may throw through C.
extension DetectorService {
    func rebalanceHandler() -> KafkaConsumer.RebalanceHandler {
        KafkaConsumer.RebalanceHandler(
            assigned: { [unowned self] partitions in assign(partitions) },
            revoked: { [unowned self] partitions in revoke(partitions) })
    }

    private func assign(_ partitions: [TopicPartition]) -> [TopicPartition] {
        hasAssignment = true
        lastRecordAtMs = WallClock.monotonicMs
        var starts: [TopicPartition] = []
        do throws(DetectorError) {
            for given in partitions where given.topic == settings.topic {
                let partition = given.partition
                let own = dormant.removeValue(forKey: partition)
                let handoff = try checkpoints?.readHandoff(partition: partition).flatMap { $0.topic == settings.topic ? $0 : nil }
                let next: Int64
                // On equal offsets the own state wins: a replayed batch must start from exactly the state it
                // started from before.
                if let handoff, handoff.nextOffset > own ?? -1 {
                    do throws(SnapshotError) {
                        try engine.loadPartition(Array(handoff.state))
                    } catch {
                        throw DetectorError("handed-on state of partition \(partition): \(error.description)")
                    }
                    next = handoff.nextOffset
                } else if let own {
                    next = own
                } else {
                    engine.dropPartition(partition)
                    next = 0
                }
                positions.own(partition, from: next)
                starts.append(TopicPartition(topic: settings.topic, partition: partition, offset: next))
            }
        } catch {
            pendingFailure = pendingFailure ?? error
        }
        // Restored state of partitions that went to other instances while this one was down is theirs now.
        for partition in dormant.keys { engine.dropPartition(partition) }
        dormant = [:]
        note("\(settings.instance): assigned partitions \(starts.map { "\($0.partition)@\($0.offset)" }.joined(separator: ", "))")
        return starts
    }

    private func revoke(_ partitions: [TopicPartition]) {
        guard pendingFailure == nil else { return }
        do throws(DetectorError) {
            if replay != nil || engine.isBatchOpen { try completeBatch(insideRebalance: true) }
            for given in partitions where given.topic == settings.topic {
                guard let next = positions.next(given.partition) else { continue }
                try checkpoints?.write(
                    PartitionHandoff(
                        topic: settings.topic, partition: given.partition, nextOffset: next,
                        state: Data(engine.partitionSnapshot(given.partition)), instance: settings.instance))
                engine.dropPartition(given.partition)
                positions.disown(given.partition)
                overshot.remove(given.partition)
            }
            try writeCheckpoint()
        } catch {
            pendingFailure = error
        }
        note("\(settings.instance): revoked partitions \(partitions.map { String($0.partition) }.joined(separator: ", "))")
    }
}
