import Foundation
import GroundTruth
import Kafka

/// Replays a topic from the earliest offset of every partition into ground truth, with manifest facts when
/// a manifest is at hand.
///
/// It stops when every partition has reached its target (the acknowledged ends, and the ends the batch log
/// says the detector read), or, without targets, once no record has arrived for `idleMs`. Waiting for a
/// target is bounded by the same `idleMs` without new records: then the topic lacks records it should
/// hold, and the replay fails with an error naming the partitions.
public struct TopicReplay {
    /// What the replay read and how fast.
    public struct Statistics: Sendable, Codable, Equatable {
        public var records = 0
        public var bytes = 0
        /// From the first batch of records read to the last one tallied, seconds.
        public var seconds = 0.0
        /// Per partition, the next offset after the last record read.
        public var endOffsets: [Int32: Int64] = [:]
        /// The most manifest records read ahead of the replay at once (memory held for the audit).
        public var largestManifestLookahead = 0

        public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }
    }

    public var topic: String
    public var client: ClientSettings
    /// Per partition, the offset the replay must reach; empty to read until idle.
    public var targets: [Int32: Int64]
    /// How long without new records ends the replay (no targets) or gives up on reaching them.
    public var idleMs: Int

    public init(topic: String, client: ClientSettings, targets: [Int32: Int64], idleMs: Int) {
        self.topic = topic
        self.client = client
        self.targets = targets
        self.idleMs = idleMs
    }

    /// Feeds every record to `tally`, asking `follower` for its facts; `progress` gets a line now and then.
    ///
    /// With a manifest the partitions are replayed one after another, each with its own pass over the
    /// manifests, so that no manifest record waits in memory for its partition's turn (a consumer reading
    /// all partitions at once receives them in long runs of one partition). Reading and tallying run on two
    /// threads: a reading thread copies batches of records out of the consumer (with their headers) while
    /// this thread tallies the previous ones, so that JSON decoding and the manifest do not stall fetching.
    public func run(
        into tally: inout ReplayTally, follower: ManifestFollower?, progress: (String) -> Void
    ) throws(ValidatorError) -> Statistics {
        let opening = try TopicOpening(topic: topic, client: client)
        let known = Set(opening.partitions)
        if let stray = targets.keys.sorted().first(where: { !known.contains($0) && targets[$0, default: 0] > 0 }) {
            throw ValidatorError(
                "topic '\(topic)' has partitions \(opening.partitions.map(String.init).joined(separator: ",")), but records were acknowledged or read in partition \(stray)")
        }
        var statistics = Statistics()
        var progressState = ProgressState(goal: Int(targets.values.reduce(0, +)))
        if let follower {
            let order = targets.keys.sorted().filter { targets[$0, default: 0] > 0 }
            follower.replayOnePartitionAtATime(order)
            for partition in order {
                try follower.focus(on: partition)
                try opening.read([partition])
                try pass(
                    opening, targets: [partition: targets[partition, default: 0]], into: &tally, follower: follower, statistics: &statistics,
                    progress: &progressState, report: progress)
            }
        } else {
            try opening.read()
            try pass(opening, targets: targets, into: &tally, follower: nil, statistics: &statistics, progress: &progressState, report: progress)
        }
        statistics.largestManifestLookahead = follower?.largestLookahead ?? 0
        return statistics
    }

    /// When progress was last shown, and what 100% is.
    private struct ProgressState {
        let goal: Int
        var lastShownAt = Date()
    }

    /// Reads what `opening` is assigned, from offset 0, until `targets` (or idle) and tallies it.
    private func pass(
        _ opening: TopicOpening, targets: [Int32: Int64], into tally: inout ReplayTally, follower: ManifestFollower?,
        statistics: inout Statistics, progress: inout ProgressState, report: (String) -> Void
    ) throws(ValidatorError) {
        let handoff = ReplayHandoff(batches: 4, capacity: Self.batchRecords)
        let reader = ReplayReader(
            consumer: ReplayReader.ConsumerHandle(consumer: opening.consumer), handoff: handoff, targets: targets, idleMs: idleMs,
            withHeaders: follower != nil, topic: topic, brokers: client.brokers)
        Thread.detachNewThread { reader.run() }
        let secondsBefore = statistics.seconds
        var firstBatchAt: Date?
        var reached: [Int32: Int64] = [:]
        while let batch = handoff.next() {
            if firstBatchAt == nil { firstBatchAt = Date() }
            for index in 0..<batch.count {
                let partition = batch.partitions[index]
                let offset = batch.offsets[index]
                var facts: RecordFacts?
                if let follower {
                    let worker = batch.workers[index]
                    let sequence = batch.sequences[index]
                    do {
                        facts = try follower.facts(
                            partition: partition, offset: offset, worker: worker >= 0 ? worker : nil, sequence: sequence != .max ? sequence : nil)
                    } catch {
                        handoff.cancel()
                        throw error
                    }
                }
                tally.record(partition: partition, offset: offset, kafkaTimestampMs: batch.timestamps[index], value: batch.value(index), facts: facts)
                reached[partition] = offset + 1
            }
            statistics.records += batch.count
            statistics.bytes += batch.valueBytes
            handoff.recycle(batch)
            let now = Date()
            statistics.seconds = secondsBefore + now.timeIntervalSince(firstBatchAt ?? now)
            if now.timeIntervalSince(progress.lastShownAt) >= 2 {
                progress.lastShownAt = now
                let share = progress.goal > 0 ? String(format: " (%.0f%%)", 100 * Double(statistics.records) / Double(progress.goal)) : ""
                report("replayed \(statistics.records) records\(share), \(Int(statistics.recordsPerSecond)) records/s")
            }
        }
        statistics.endOffsets.merge(reached) { max($0, $1) }
        switch handoff.result {
        case .failed(let error): throw error
        case .idle: if let short = shortfall(statistics.endOffsets, targets: targets) { throw short }
        case .reachedTargets, nil: break
        }
    }

    /// Records per hand-off batch.
    static let batchRecords = 10_000

    /// The error for partitions that stopped short of their targets, or nil when all reached them.
    private func shortfall(_ reached: [Int32: Int64], targets: [Int32: Int64]) -> ValidatorError? {
        let short = targets.keys.sorted().filter { reached[$0, default: 0] < targets[$0, default: 0] }
        guard !short.isEmpty else { return nil }
        let listing = short.map { "partition \($0) ends at offset \(reached[$0, default: 0]), expected \(targets[$0, default: 0])" }
        return ValidatorError(
            "topic '\(topic)' lacks records that were acknowledged or read by the detector (no new record for \(idleMs / 1_000) s): "
                + listing.joined(separator: "; "))
    }

    /// A header's decimal digits as a number below 2^60; nil for anything else.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
