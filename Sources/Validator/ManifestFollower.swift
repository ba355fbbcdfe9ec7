import Contracts
import EventModel
import GroundTruth
import Manifest

/// Walks the generator's manifests in step with the topic replay: for each topic record it finds the
/// manifest record the broker acknowledged at that partition and offset, hands its facts (ack time,
/// lateness class, intended flags) to ground truth, and audits the topic against the manifests.
///
/// Each worker's manifest is in acknowledgement order, and a worker's acknowledgements of one partition come
/// in offset order (librdkafka reports deliveries of a partition in produce order). So per (worker,
/// partition) the acknowledged offsets form an ascending queue that meets the topic's ascending offsets
/// like a merge: a queue head below the topic's offset was acknowledged but is missing from the topic. A
/// worker's file is read only as far as the replay needs, so memory holds only the records read ahead; when
/// the replay goes one partition at a time (`replayOnePartitionAtATime`), each pass reads the files again and
/// keeps only its partition's records, so almost nothing is held. A class because it owns the manifest readers.
/// One thread uses it and no access outlives a call, so the per-record state skips dynamic exclusivity checks.
public final class ManifestFollower {
    private let rule: RuleSettings
    /// By slot (workers in file order); a reader is dropped when its file ends.
    @exclusivity(unchecked) private var readers: [ManifestReader?]
    @exclusivity(unchecked) private var endings: [ManifestEnding?]
    private let paths: [String]
    private let workers: [Int]
    /// For each worker index, its slot, or -1: looked up for every topic record, so an array.
    private let slotOfWorker: [Int]
    /// Per slot, per partition, the acknowledged records read ahead of the replay.
    @exclusivity(unchecked) private var queues: [[AckQueue]]
    @exclusivity(unchecked) private var seen = SequenceSet()
    /// Topic records counted as never acknowledged, in case an acknowledged copy turns up later (then they
    /// are duplicates). Holds only anomalies, so it stays small.
    private var unacknowledgedCopies: Set<SequenceKey> = []
    @exclusivity(unchecked) private var audit = ManifestAudit()
    /// Records read ahead and not yet met by the replay, now and at most.
    @exclusivity(unchecked) public private(set) var lookahead = 0
    @exclusivity(unchecked) public private(set) var largestLookahead = 0
    private let exampleLimit: Int
    /// One partition at a time: the partitions to be replayed, the one being replayed, and the pass number.
    private var passPartitions: Set<Int32>?
    @exclusivity(unchecked) private var focus: Int32?
    private var passes = 0

    /// Worker indices and partitions above these are refused as corrupt rather than sized for.
    private static let mostWorkers = 100_000
    private static let mostPartitions: Int32 = 1_000_000

    private struct SequenceKey: Hashable {
        let worker: Int
        let sequence: UInt64
    }

    /// Opens every manifest of `directory`; `rule` decides which records the generator meant to match.
    public init(directory: ManifestDirectory, rule: RuleSettings, exampleLimit: Int = 10) throws(ValidatorError) {
        self.rule = rule
        self.exampleLimit = exampleLimit
        var readers: [ManifestReader?] = []
        var paths: [String] = []
        var workers: [Int] = []
        for entry in directory.entries {
            let reader: ManifestReader
            do {
                reader = try ManifestReader(path: entry.path)
            } catch {
                throw ValidatorError(error.description)
            }
            let worker = reader.header.workerIndex
            guard worker >= 0, worker < Self.mostWorkers else {
                throw ValidatorError("manifest \(entry.path) names worker \(worker), outside 0..<\(Self.mostWorkers)")
            }
            guard !workers.contains(worker) else { throw ValidatorError("manifest \(entry.path) is a second file of worker \(worker)") }
            readers.append(reader)
            paths.append(entry.path)
            workers.append(worker)
        }
        var slots = [Int](repeating: -1, count: (workers.max() ?? 0) + 1)
        for (slot, worker) in workers.enumerated() { slots[worker] = slot }
        self.readers = readers
        self.paths = paths
        self.workers = workers
        slotOfWorker = slots
        endings = Array(repeating: nil, count: readers.count)
        queues = Array(repeating: [], count: readers.count)
    }

    /// Prepares for a replay of `partitions` one at a time, each announced with `focus(on:)`: every pass
    /// reads the manifests from the start and keeps only that partition's records, so nothing waits in memory
    /// for its partition's turn. Records acknowledged in other partitions are missing from the replay.
    public func replayOnePartitionAtATime(_ partitions: [Int32]) {
        passPartitions = Set(partitions)
    }

    /// Starts the pass over `partition`: the previous pass's records not met are missing from the topic.
    public func focus(on partition: Int32) throws(ValidatorError) {
        if focus != nil {
            try drain()
            for slot in readers.indices {
                do {
                    readers[slot] = try ManifestReader(path: paths[slot])
                } catch {
                    throw ValidatorError(error.description)
                }
                endings[slot] = nil
            }
        }
        focus = partition
        passes += 1
    }

    /// The facts of the topic record at `partition`/`offset` whose headers name `worker` and `sequence`
    /// (nil when it has none), auditing it on the way; nil when no manifest acknowledged it there.
    public func facts(partition: Int32, offset: Int64, worker: Int?, sequence: UInt64?) throws(ValidatorError) -> RecordFacts? {
        guard let worker, let sequence, worker < slotOfWorker.count, case let slot = slotOfWorker[worker], slot >= 0 else {
            audit.neverAcknowledged += 1
            example("\(Self.place(partition, offset)) carries no wt-worker/wt-seq headers of a worker in the manifest")
            return nil
        }
        var match: PendingAck?
        while let head = try head(slot: slot, partition: partition) {
            if head.offset < offset {
                pop(slot: slot, partition: partition)
                missing(worker: worker, sequence: head.sequence, partition: partition, offset: head.offset)
                continue
            }
            if head.offset == offset {
                pop(slot: slot, partition: partition)
                match = head
            }
            break
        }
        let seenBefore = seen.insert(worker: worker, sequence: sequence)
        guard let match else {
            if seenBefore {
                audit.duplicated += 1
                example("worker \(worker) record \(sequence) appears again at \(Self.place(partition, offset))")
            } else {
                audit.neverAcknowledged += 1
                unacknowledgedCopies.insert(SequenceKey(worker: worker, sequence: sequence))
                example("worker \(worker) record \(sequence) at \(Self.place(partition, offset)) was never acknowledged there")
            }
            return nil
        }
        audit.matched += 1
        if match.sequence != sequence {
            audit.wrongRecord += 1
            example("\(Self.place(partition, offset)) holds worker \(worker) record \(sequence), the manifest acknowledged record \(match.sequence) there")
        } else if seenBefore {
            audit.duplicated += 1
            if unacknowledgedCopies.remove(SequenceKey(worker: worker, sequence: sequence)) != nil { audit.neverAcknowledged -= 1 }
            example("worker \(worker) record \(sequence) appears at \(Self.place(partition, offset)) and earlier at another offset")
        }
        return RecordFacts(
            ackedAtMs: match.ackedAtMs, latenessClass: match.lateness.rawValue, onTime: match.lateness == .onTime,
            intendedMalformed: match.intendedMalformed,
            intendedMatching: match.intendedMatching)
    }

    /// Ends the audit: every acknowledged record the replay did not reach is missing from the topic.
    public func finish() throws(ValidatorError) -> ManifestAudit {
        try drain()
        audit.cutShortManifests = endings.indices.compactMap { slot in
            guard case .cutShort(let records, let reason) = endings[slot] else { return nil }
            return "\(paths[slot]): \(records) records, \(reason)"
        }
        return audit
    }

    /// Counts what the replay did not meet, queued or still in the files, as missing.
    private func drain() throws(ValidatorError) {
        for slot in queues.indices {
            for partition in queues[slot].indices {
                while let head = queues[slot][partition].first {
                    pop(slot: slot, partition: Int32(partition))
                    missing(worker: workers[slot], sequence: head.sequence, partition: Int32(partition), offset: head.offset)
                }
            }
        }
        for slot in readers.indices {
            while let record = try readNext(slot: slot) {
                if case .acked(let partition, let offset, _) = record.acknowledgement, counts(partition) {
                    audit.acknowledged += 1
                    missing(worker: workers[slot], sequence: record.event.sequence, partition: partition, offset: offset)
                }
            }
        }
    }

    /// Whether an acknowledged record of `partition` belongs to this pass: all do without passes; with
    /// passes, those of the focused partition, and in the first pass those of partitions no pass replays.
    private func counts(_ partition: Int32) -> Bool {
        guard let focus, let passPartitions else { return true }
        return partition == focus || (passes == 1 && !passPartitions.contains(partition))
    }

    private func missing(worker: Int, sequence: UInt64, partition: Int32, offset: Int64) {
        audit.ackedButMissing += 1
        example("worker \(worker) record \(sequence), acknowledged at \(Self.place(partition, offset)), is not on the topic")
    }

    // MARK: Reading ahead

    /// The first acknowledged record of the worker in `slot` in `partition` not yet met, reading the
    /// worker's file on until one turns up or the file ends.
    private func head(slot: Int, partition: Int32) throws(ValidatorError) -> PendingAck? {
        let index = Int(partition)
        while index >= queues[slot].count || queues[slot][index].isEmpty {
            guard let record = try readNext(slot: slot) else { return nil }
            let event = record.event
            guard case .acked(let ackPartition, let ackOffset, let atUs) = record.acknowledgement else { continue }
            guard ackPartition >= 0, ackPartition < Self.mostPartitions else {
                throw ValidatorError("manifest \(paths[slot]): record \(record.event.sequence) was acknowledged in partition \(ackPartition)")
            }
            guard counts(ackPartition) else { continue }
            audit.acknowledged += 1
            if let focus, ackPartition != focus {
                // A partition no pass replays: its records cannot be on the replayed topic.
                missing(worker: workers[slot], sequence: event.sequence, partition: ackPartition, offset: ackOffset)
                continue
            }
            // An oversize record is schema-valid: an event by DESIGN.md's definition, however large.
            let malformed = event.malformed != nil && event.malformed != .oversize
            let term: EventFlags = rule.matching == .caseInsensitive ? .termCaseInsensitive : .termCaseSensitive
            let pending = PendingAck(
                offset: ackOffset, sequence: event.sequence, ackedAtMs: atUs.flooredDivision(by: 1_000), lateness: event.lateness,
                intendedMalformed: malformed,
                intendedMatching: !malformed && event.flags.contains(term) && rule.severities.contains(event.severity))
            if Int(ackPartition) >= queues[slot].count {
                queues[slot].append(contentsOf: repeatElement(AckQueue(), count: Int(ackPartition) + 1 - queues[slot].count))
            }
            queues[slot][Int(ackPartition)].append(pending)
            lookahead += 1
            largestLookahead = max(largestLookahead, lookahead)
        }
        return queues[slot][index].first
    }

    private func pop(slot: Int, partition: Int32) {
        queues[slot][Int(partition)].removeFirst()
        lookahead -= 1
    }

    /// The worker's next manifest record; nil at the end of its file.
    private func readNext(slot: Int) throws(ValidatorError) -> ManifestRecord? {
        guard let reader = readers[slot] else { return nil }
        do {
            if let record = try reader.next() { return record }
        } catch {
            throw ValidatorError(error.description)
        }
        endings[slot] = reader.ending
        readers[slot] = nil
        return nil
    }

    private func example(_ text: String) {
        if audit.examples.count < exampleLimit { audit.examples.append(text) }
    }

    private static func place(_ partition: Int32, _ offset: Int64) -> String { "partition \(partition) offset \(offset)" }
}

extension Int64 {
    fileprivate func flooredDivision(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
