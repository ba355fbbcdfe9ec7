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
/// worker's file is read only as far as the replay needs, so memory holds the records read ahead (the skew
/// between the consumer's partition interleaving and the acknowledgement order), not the whole manifest.
/// A class because it owns the manifest readers.
public final class ManifestFollower {
    private let rule: RuleSettings
    private var readers: [Int: ManifestReader] = [:]
    private var finishedReaders: [Int: ManifestEnding] = [:]
    private let paths: [Int: String]
    /// Per worker, per partition, the acknowledged records read ahead of the replay.
    private var queues: [Int: [Int32: AckQueue]] = [:]
    private var seen = SequenceSet()
    /// Topic records counted as never acknowledged, in case an acknowledged copy turns up later (then they
    /// are duplicates). Holds only anomalies, so it stays small.
    private var unacknowledgedCopies: Set<SequenceKey> = []
    private var audit = ManifestAudit()
    /// Records read ahead and not yet met by the replay, now and at most.
    public private(set) var lookahead = 0
    public private(set) var largestLookahead = 0
    private let exampleLimit: Int

    private struct SequenceKey: Hashable {
        let worker: Int
        let sequence: UInt64
    }

    /// Opens every manifest of `directory`; `rule` decides which records the generator meant to match.
    public init(directory: ManifestDirectory, rule: RuleSettings, exampleLimit: Int = 10) throws(ValidatorError) {
        self.rule = rule
        self.exampleLimit = exampleLimit
        var paths: [Int: String] = [:]
        for entry in directory.entries {
            do {
                let reader = try ManifestReader(path: entry.path)
                readers[reader.header.workerIndex] = reader
                paths[reader.header.workerIndex] = entry.path
            } catch {
                throw ValidatorError(error.description)
            }
        }
        self.paths = paths
    }

    /// The facts of the topic record at `partition`/`offset` whose headers name `worker` and `sequence`
    /// (nil when it has none), auditing it on the way; nil when no manifest acknowledged it there.
    public func facts(partition: Int32, offset: Int64, worker: Int?, sequence: UInt64?) throws(ValidatorError) -> RecordFacts? {
        guard let worker, let sequence, readers[worker] != nil || finishedReaders[worker] != nil else {
            audit.neverAcknowledged += 1
            example("\(Self.place(partition, offset)) carries no wt-worker/wt-seq headers of a worker in the manifest")
            return nil
        }
        var match: PendingAck?
        while true {
            guard let head = try head(worker: worker, partition: partition) else { break }
            if head.offset < offset {
                pop(worker: worker, partition: partition)
                audit.ackedButMissing += 1
                example("worker \(worker) record \(head.sequence), acknowledged at \(Self.place(partition, head.offset)), is not on the topic")
                continue
            }
            if head.offset == offset {
                pop(worker: worker, partition: partition)
                match = head
            }
            break
        }
        let key = SequenceKey(worker: worker, sequence: sequence)
        let seenBefore = seen.insert(worker: worker, sequence: sequence)
        guard let match else {
            if seenBefore {
                audit.duplicated += 1
                example("worker \(worker) record \(sequence) appears again at \(Self.place(partition, offset))")
            } else {
                audit.neverAcknowledged += 1
                unacknowledgedCopies.insert(key)
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
            if unacknowledgedCopies.remove(key) != nil { audit.neverAcknowledged -= 1 }
            example("worker \(worker) record \(sequence) appears at \(Self.place(partition, offset)) and earlier at another offset")
        }
        return RecordFacts(
            ackedAtMs: match.ackedAtMs, latenessClass: match.lateness.rawValue, intendedMalformed: match.intendedMalformed,
            intendedMatching: match.intendedMatching)
    }

    /// Ends the audit: every acknowledged record the replay did not reach is missing from the topic.
    public func finish() throws(ValidatorError) -> ManifestAudit {
        for worker in queues.keys.sorted() {
            for partition in (queues[worker] ?? [:]).keys.sorted() {
                while let head = queues[worker]?[partition]?.first {
                    pop(worker: worker, partition: partition)
                    audit.ackedButMissing += 1
                    example("worker \(worker) record \(head.sequence), acknowledged at \(Self.place(partition, head.offset)), is not on the topic")
                }
            }
        }
        for worker in readers.keys.sorted() {
            while let record = try readNext(worker: worker) {
                if case .acked(let partition, let offset, _) = record.acknowledgement {
                    audit.ackedButMissing += 1
                    example("worker \(worker) record \(record.event.sequence), acknowledged at \(Self.place(partition, offset)), is not on the topic")
                }
            }
        }
        audit.cutShortManifests = finishedReaders.keys.sorted().compactMap { worker in
            guard case .cutShort(let records, let reason) = finishedReaders[worker] else { return nil }
            return "\(paths[worker] ?? "worker \(worker)"): \(records) records, \(reason)"
        }
        return audit
    }

    // MARK: Reading ahead

    /// The first acknowledged record of `worker` in `partition` not yet met, reading the worker's file on
    /// until one turns up or the file ends.
    private func head(worker: Int, partition: Int32) throws(ValidatorError) -> PendingAck? {
        while queues[worker]?[partition]?.isEmpty ?? true {
            guard let record = try readNext(worker: worker) else { return nil }
            guard case .acked(let ackPartition, let ackOffset, let atUs) = record.acknowledgement else { continue }
            let event = record.event
            // An oversize record is schema-valid: an event by DESIGN.md's definition, however large.
            let malformed = event.malformed != nil && event.malformed != .oversize
            let term: EventFlags = rule.matching == .caseInsensitive ? .termCaseInsensitive : .termCaseSensitive
            let pending = PendingAck(
                offset: ackOffset, sequence: event.sequence, ackedAtMs: atUs.flooredDivision(by: 1_000), lateness: event.lateness,
                intendedMalformed: malformed,
                intendedMatching: !malformed && event.flags.contains(term) && rule.severities.contains(event.severity))
            queues[worker, default: [:]][ackPartition, default: AckQueue()].append(pending)
            lookahead += 1
            largestLookahead = max(largestLookahead, lookahead)
        }
        return queues[worker]?[partition]?.first
    }

    private func pop(worker: Int, partition: Int32) {
        queues[worker]?[partition]?.removeFirst()
        lookahead -= 1
    }

    /// The worker's next manifest record, counting acknowledged ones; nil at the end of its file.
    private func readNext(worker: Int) throws(ValidatorError) -> ManifestRecord? {
        guard let reader = readers[worker] else { return nil }
        do {
            if let record = try reader.next() {
                if case .acked = record.acknowledgement { audit.acknowledged += 1 }
                return record
            }
        } catch {
            throw ValidatorError(error.description)
        }
        finishedReaders[worker] = reader.ending
        readers[worker] = nil
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
