import Contracts
import Detector
import Foundation
import Kafka

/// Scale-out: partitions move between instances with their state.
///
/// On a revoke the instance ends its current batch (so the revoked partitions' records read so far are
/// counted and checkpointed) and runs a batch without data if one is due, then writes each revoked partition's state and next offset to the shared
/// checkpoint folder and forgets it. On an assignment it takes, per partition, the freshest of that handed-on
/// state, the state its own checkpoint holds, and the checkpoint of an instance killed while holding the
/// partition, and starts reading where that state ends.
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
            let others = try checkpoints?.otherCheckpoints().filter { $0.topic == settings.topic } ?? []
            for given in partitions where given.topic == settings.topic {
                let partition = given.partition
                let (next, batchFloor) = try takeOver(partition, others: others)
                positions.own(partition, from: next)
                gapRefetch.forget(partition)
                starts.append(TopicPartition(topic: settings.topic, partition: partition, offset: next))
                self.batchFloor = max(self.batchFloor, batchFloor)
            }
            applyBatchFloor()
        } catch {
            pendingFailure = pendingFailure ?? error
        }
        // Restored state of partitions that this assignment does not give back stays while the instance waits
        // for them (a member of its previous life that the group has not yet expired holds them); when the
        // wait is over, or there is none, it is handed on.
        if awaitedPartitions.isEmpty {
            releaseDormant()
        } else if awaitDeadlineMs == 0 {
            awaitDeadlineMs = WallClock.monotonicMs + restartAwaitMs
            let missing = awaitedPartitions.subtracting(starts.map(\.partition)).sorted()
            if !missing.isEmpty {
                note(
                    "\(settings.instance): waiting for partitions \(missing.map(String.init).joined(separator: ", ")), held before the restart, "
                        + "before reading (at most \(DurationText.render(milliseconds: restartAwaitMs)))")
            }
        }
        note("\(settings.instance): assigned partitions \(starts.map { "\($0.partition)@\($0.offset)" }.joined(separator: ", "))")
        return starts
    }

    /// Hands on the restored state of partitions that no assignment gave back (another instance holds them
    /// now), unless a fresher hand-over exists, and forgets it: whoever gets such a partition next starts from it.
    func releaseDormant() {
        do throws(DetectorError) {
            for (partition, next) in dormant {
                if let existing = try checkpoints?.readHandoff(partition: partition), existing.topic == settings.topic,
                    existing.nextOffset >= next
                {
                    continue
                }
                try checkpoints?.write(
                    PartitionHandoff(
                        topic: settings.topic, partition: partition, nextOffset: next, state: Data(engine.partitionSnapshot(partition)),
                        instance: settings.instance, nextBatch: engine.nextBatch))
            }
        } catch {
            pendingFailure = pendingFailure ?? error
        }
        for partition in dormant.keys { engine.dropPartition(partition) }
        dormant = [:]
    }

    /// Loads the freshest state of `partition` (the one furthest into it) and returns where to read on:
    /// this instance's own restored state, the state handed on at the last revoke, or the checkpoint of an
    /// instance that was killed while holding it; with none, the partition starts at its beginning. Also
    /// returns the batch id the giver would have run next (0 for own state), below which this instance's
    /// batches must not go on.
    private func takeOver(_ partition: Int32, others: [Checkpoint]) throws(DetectorError) -> (offset: Int64, batchFloor: Int64) {
        // On equal offsets the own state wins: a replayed batch must start from exactly the state it
        // started from before.
        let own = dormant.removeValue(forKey: partition)
        var best: (offset: Int64, state: () throws(SnapshotError) -> (state: [UInt8], nextBatch: Int64))?
        if let handoff = try checkpoints?.readHandoff(partition: partition), handoff.topic == settings.topic,
            handoff.nextOffset > own ?? -1
        {
            best = (handoff.nextOffset, { (Array(handoff.state), handoff.nextBatch) })
        }
        // A copy of this engine to restore another instance's state into (restoring replaces all of it).
        let template = engine
        for other in others {
            guard let offset = other.offsets[partition], offset > best?.offset ?? own ?? -1 else { continue }
            best = (offset, { () throws(SnapshotError) in
                var donor = template
                try donor.restore(Array(other.engine))
                return (donor.partitionSnapshot(partition), donor.nextBatch)
            })
        }
        guard let best else {
            if let own { return (own, 0) }
            engine.dropPartition(partition)
            return (0, 0)
        }
        do throws(SnapshotError) {
            let taken = try best.state()
            try engine.loadPartition(taken.state)
            return (best.offset, taken.nextBatch)
        } catch {
            throw DetectorError("the state of partition \(partition) to take over: \(error.description)")
        }
    }

    /// Moves this instance's batch ids on past those of the instances it took partitions from, once no
    /// batch is open or being replayed (a replayed batch keeps its id).
    func applyBatchFloor() {
        guard replay == nil, !engine.isBatchOpen, batchFloor > engine.nextBatch else { return }
        engine.skipBatches(to: batchFloor)
    }

    private func revoke(_ partitions: [TopicPartition]) {
        guard pendingFailure == nil else { return }
        do throws(DetectorError) {
            // While the instance waits for its partitions after a restart it has read nothing and ends no batch.
            let waiting = !awaitedPartitions.isEmpty
            if !waiting, replay != nil || engine.isBatchOpen { try completeBatch(insideRebalance: true) }
            // Windows this instance's watermark has passed are closed here, by the batch without data that
            // is due, rather than handed on to an instance whose watermark may never pass them.
            if !waiting, hasAssignment, engine.noDataBatchIsDue { try completeBatch(insideRebalance: true) }
            for given in partitions where given.topic == settings.topic {
                guard let next = positions.next(given.partition) else { continue }
                if waiting {
                    // Nothing of it was read since the restart: its state stays this instance's, awaited like the
                    // partitions not given back yet, and in the checkpoint should the instance die again.
                    dormant[given.partition] = next
                    positions.disown(given.partition)
                    overshot.remove(given.partition)
                    gapRefetch.forget(given.partition)
                    continue
                }
                try checkpoints?.write(
                    PartitionHandoff(
                        topic: settings.topic, partition: given.partition, nextOffset: next,
                        state: Data(engine.partitionSnapshot(given.partition)), instance: settings.instance,
                        nextBatch: engine.nextBatch))
                engine.dropPartition(given.partition)
                positions.disown(given.partition)
                overshot.remove(given.partition)
                gapRefetch.forget(given.partition)
            }
            try writeCheckpoint()
        } catch {
            pendingFailure = error
        }
        // Until the next assignment there is nothing to read, so idleness does not count.
        hasAssignment = positions.partitions.isEmpty ? false : hasAssignment
        note("\(settings.instance): revoked partitions \(partitions.map { String($0.partition) }.joined(separator: ", "))")
    }
}
