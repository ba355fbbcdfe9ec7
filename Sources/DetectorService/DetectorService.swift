import Contracts
import Detector
import Foundation
#if canImport(Glibc)
import CMalloc
#endif
import Kafka

/// The Kafka service around the rule engine: one `windtunnel detect` instance.
///
/// It reads its share of the topic's partitions as a consumer-group member and runs Spark-style micro-batches:
/// every trigger interval the records read since the last batch end one batch. Ending a batch goes, in
/// this order: (1) the batch's end offsets go durably into the offset log, (2) alerts are written and
/// synced, (3) the batch-log line is appended, (4) the checkpoint (engine state, next offsets, output file
/// lengths) replaces the previous one atomically, (5) the offsets are committed to the group, for
/// monitoring only. A restart loads the checkpoint, cuts the output files back to its lengths, and, when the
/// offset log planned a batch beyond it, runs exactly that batch again before anything else, so the
/// outputs come out as if the process had never died.
///
/// Partitions move between instances at rebalances with their state: see `DetectorService+Rebalance`.
public final class DetectorService {
    public let settings: DetectorSettings
    var engine: WindowEngine
    var positions = PartitionPositions()
    /// Partitions whose state the restored checkpoint holds, with their next offsets, until the first
    /// assignment says which of them are still this instance's.
    var dormant: [Int32: Int64] = [:]
    /// After a restart: the partitions whose state the checkpoint holds, until the group has given all of
    /// them back (or `restartAwaitMs` passed). Until then nothing is read and no batch ends, so the
    /// watermark cannot run ahead on the partitions that came back first (see docs/watermarks.md).
    var awaitedPartitions: Set<Int32> = []
    /// When the wait for `awaitedPartitions` gives up (monotonic ms): the partitions still missing then are
    /// taken to be another live instance's.
    var awaitDeadlineMs: Int64 = 0
    /// A batch planned before a crash and not checkpointed: it is run again over exactly these offsets.
    var replay: PlannedBatch?
    /// Partitions read past their end during a replay: they are moved back once it is done.
    var overshot: Set<Int32> = []
    /// Gaps in the offsets read, fetched again before they are accepted.
    var gapRefetch = GapRefetch()
    var hasAssignment = false
    /// The least id the next batch may have: a taken-over partition's batches go on after its giver's.
    var batchFloor: Int64 = 0
    /// Per owned partition, the end it had when the current batch began (the brokers' high watermark as the
    /// last fetch reported it): the batch does not end before it has read every partition that far.
    var batchTargets: [Int32: Int64] = [:]
    /// The longest a batch is held open for a partition to reach its target: a target that is never reached
    /// (a broker that reported an end it does not serve) must not stop the detector.
    static let longestCatchUpMs: Int64 = 30_000
    /// How long a restarted instance waits for the partitions it held: two session timeouts and a rebalance,
    /// after which the group has expired any member of this instance's previous life. Set at the start from
    /// the consumer's session timeout.
    var restartAwaitMs: Int64 = 0
    /// How long the brokers get to answer a metadata request at the start.
    static let brokerCheckMs: Int32 = 10_000
    /// Called after every batch with the detector's figures, for live metrics.
    public var observe: ((BatchFigures) -> Void)?
    /// A failure inside a rebalance callback, which cannot throw through librdkafka: raised after the poll.
    var pendingFailure: DetectorError?

    let checkpoints: CheckpointFolder?
    private let sinks: [AlertSink]
    private let alertFiles: [JSONLinesAlertSink]
    private let batchLog: AppendOnlyLog?
    private let signals = StopSignals()
    private var consumer: KafkaConsumer?

    private var batchStartedAt: Int64?
    /// When the open batch took its first record (monotonic ms).
    private var batchOpenedAtMs: Int64?
    private var recordsInBatch = 0
    /// When a record last arrived, or the last assignment came: idleness counts from there.
    var lastRecordAtMs = WallClock.monotonicMs
    /// When the first records arrived (monotonic ms), for the reading rate.
    private var firstRecordAtMs: Int64?
    private var lastReadAtMs: Int64?
    private var lastProgressAtMs = WallClock.monotonicMs
    private var lastTrimAtMs = WallClock.monotonicMs
    /// Records of the last completed batch, which sets how often freed memory is handed back.
    private var lastBatchRecords = 0
    /// A batch this large means the detector is busy enough to reuse freed memory at once.
    static let busyBatchRecords = 200_000
    private var recordsAtLastProgress = 0

    /// Loads the checkpoint (if any), cuts the output files back to it, and joins the group.
    public init(settings: DetectorSettings) throws(DetectorError) {
        self.settings = settings
        do {
            engine = try WindowEngine(rule: settings.rule)
        } catch {
            throw DetectorError(error.description)
        }
        checkpoints = try settings.checkpointFolder.map { (folder) throws(DetectorError) in
            try CheckpointFolder(folder: folder, instance: settings.instance)
        }
        let checkpoint = try checkpoints?.readCheckpoint()
        if let checkpoint {
            guard checkpoint.topic == settings.topic else {
                throw DetectorError(
                    "the checkpoint in \(settings.checkpointFolder ?? "") is of topic '\(checkpoint.topic)', not '\(settings.topic)'")
            }
            do {
                try engine.restore(Array(checkpoint.engine))
            } catch {
                throw DetectorError("the checkpoint in \(settings.checkpointFolder ?? ""): \(error.description)")
            }
            dormant = checkpoint.offsets
            awaitedPartitions = Set(checkpoint.offsets.keys)
        }
        if let planned = try checkpoints?.readPlannedBatch(), planned.batch == engine.nextBatch {
            replay = planned
        }

        var sinks: [AlertSink] = []
        var alertFiles: [JSONLinesAlertSink] = []
        for destination in settings.alerts {
            switch destination {
            case .jsonLines(let path):
                let sink = try JSONLinesAlertSink(path: path, cutTo: Self.recordedLength(checkpoint?.alertFileLengths[path], fresh: checkpoint == nil))
                sinks.append(sink)
                alertFiles.append(sink)
            case .kafka(let topic):
                sinks.append(try KafkaAlertSink(topic: topic, client: settings.client))
            case .console:
                sinks.append(ConsoleAlertSink())
            }
        }
        self.sinks = sinks
        self.alertFiles = alertFiles
        do {
            batchLog = try settings.batchLogPath.map { (path) throws(DurableFile.Failure) in
                try AppendOnlyLog(path: path, truncatingTo: Self.recordedLength(checkpoint?.batchLogLength, fresh: checkpoint == nil))
            }
        } catch {
            throw DetectorError("batch log: \(error.description)")
        }

        var configuration = ConsumerConfiguration(client: settings.client, groupID: settings.group)
        configuration.autoCommit = false
        // A short session: a killed instance's member is expired (and a restarted one given all its partitions
        // back) within 3 s instead of 6, and Tansu's first join, which takes half a session, within 1.5 s.
        // Heartbeats go every second from librdkafka's own thread, so a busy batch does not miss them.
        configuration.sessionTimeoutMs = 3_000
        restartAwaitMs = 2 * Int64(settings.client.properties["session.timeout.ms"].flatMap(Int.init) ?? configuration.sessionTimeoutMs) + 2_000
        do {
            consumer = try KafkaConsumer(configuration: configuration, rebalance: rebalanceHandler())
        } catch {
            throw DetectorError(error.message)
        }
        if let replay {
            note("resuming from the checkpoint: batch \(replay.batch) was planned and not checkpointed; running it again")
        } else if checkpoint != nil {
            note("resuming from the checkpoint at batch \(engine.nextBatch)")
        }
    }

    /// The length to cut an output file back to: the checkpoint's, or 0 for a detector that starts without
    /// one (its outputs are re-derived from the topic's start); nil leaves a file new to the checkpoint as it is.
    private static func recordedLength(_ recorded: Int64?, fresh: Bool) -> Int64? {
        recorded ?? (fresh ? 0 : nil)
    }

    /// Reads and detects until a stop signal (or `untilIdleMs` without records), then finishes the current
    /// batch, hands its partitions on, and returns the totals.
    public func run() throws(DetectorError) -> DetectorStats {
        guard let consumer else { throw DetectorError("the consumer is closed") }
        do {
            // A consumer waits for its brokers forever; brokers that do not answer at the start are more likely
            // a wrong address than a broker on its way, so they end the run with an error instead. Later outages
            // are waited out, as librdkafka does.
            _ = try KafkaAdmin(client: settings.client).brokers(timeoutMs: Self.brokerCheckMs)
            try consumer.subscribe(topics: [settings.topic])
        } catch {
            throw DetectorError(error.message)
        }
        note("\(settings.instance): reading \(settings.topic) in group \(settings.group), a batch every \(DurationText.render(milliseconds: settings.triggerMs))")
        var nextTickMs = WallClock.monotonicMs + settings.triggerMs
        while !signals.stopRequested {
            if signals.takeStatsRequest() { note(statsText) }
            if try awaitRestartPartitions() { continue }
            try seekBack(overshotToo: replay == nil)
            if replay != nil {
                try read(timeoutMs: 100, limit: 10_000)
                try finishReplayIfRead()
                continue
            }
            let now = WallClock.monotonicMs
            if now >= nextTickMs, engine.isBatchOpen, !hasReadBatchTargets(now: now) {
                // Read on: the batch ends only once every partition is read as far as it stood when it began.
                try read(timeoutMs: 100, limit: min(10_000, settings.maxRecordsPerBatch.map { max(0, $0 - recordsInBatch) } ?? 10_000))
                continue
            }
            if now >= nextTickMs {
                if engine.isBatchOpen || (hasAssignment && engine.noDataBatchIsDue) { try completeBatch() }
                nextTickMs = max(nextTickMs + settings.triggerMs, now)
                releaseFreedMemory(now: now)
                if let idle = settings.untilIdleMs, hasAssignment, now - lastRecordAtMs >= idle, !engine.noDataBatchIsDue {
                    note("\(settings.instance): no records for \(DurationText.render(milliseconds: idle)); stopping")
                    break
                }
                continue
            }
            let wait = Int32(min(100, nextTickMs - now))
            let room = settings.maxRecordsPerBatch.map { $0 - recordsInBatch } ?? 10_000
            if room > 0 {
                try read(timeoutMs: wait, limit: min(10_000, room))
            } else {
                usleep(UInt32(wait) * 1_000)
            }
        }
        if replay == nil, awaitedPartitions.isEmpty, engine.isBatchOpen { try completeBatch() }
        note(statsText)
        // Leaving the group revokes every partition, which hands their state on (see the rebalance handler).
        consumer.close()
        self.consumer = nil
        if let pendingFailure { throw pendingFailure }
        return engine.stats
    }

    // MARK: Reading

    private func read(timeoutMs: Int32, limit: Int) throws(DetectorError) {
        guard let consumer else { return }
        let outcome: KafkaConsumer.BatchOutcome
        do {
            outcome = try consumer.consumeBatch(maxRecords: limit, timeoutMs: timeoutMs) { record in self.take(record) }
        } catch let error as KafkaError {
            throw DetectorError("reading \(settings.topic): \(error.message)")
        } catch {
            throw DetectorError("reading \(settings.topic): \(error)")
        }
        if let pendingFailure { throw pendingFailure }
        for error in outcome.errors { note("\(settings.instance): the consumer reported (librdkafka retries): \(error.message)") }
        if outcome.records > 0 {
            lastRecordAtMs = WallClock.monotonicMs
            firstRecordAtMs = firstRecordAtMs ?? lastRecordAtMs
            lastReadAtMs = lastRecordAtMs
        }
    }

    /// Whether the open batch has read every owned partition up to the end it had when the batch began, as
    /// a Spark micro-batch reads each partition up to the offsets planned at its start. librdkafka hands out
    /// what its fetches bring, and in a catch-up that can be one partition's backlog long before another's:
    /// a batch cut then would move the watermark on the first partition's data past the other's backlog,
    /// and the next batch would drop on-time records as late (see docs/watermarks.md). A full batch
    /// (`maxRecordsPerBatch`) and a batch open for `longestCatchUpMs` end all the same.
    private func hasReadBatchTargets(now: Int64) -> Bool {
        if let limit = settings.maxRecordsPerBatch, recordsInBatch >= limit { return true }
        if let opened = batchOpenedAtMs, now - opened >= Self.longestCatchUpMs { return true }
        for (partition, target) in batchTargets {
            if let next = positions.next(partition), next < target { return false }
        }
        return true
    }

    /// Notes where every owned partition ends now, as the target of the batch that begins; a partition whose
    /// end no fetch has reported yet gets none.
    func setBatchTargets() {
        batchTargets = [:]
        guard let consumer else { return }
        for (partition, next) in positions.owned {
            if let end = consumer.cachedEndOffset(topic: settings.topic, partition: partition), end > next { batchTargets[partition] = end }
        }
    }

    /// The per-record path: no allocation, one array lookup for the partition, then the engine.
    @inline(__always)
    private func take(_ record: ConsumedRecord) {
        let partition = record.partition
        // Records of partitions no longer owned, or before the position (prefetched before a seek), are not ours.
        guard let next = positions.next(partition) else { return }
        // Read again once the partitions held before a restart are all back (see `awaitRestartPartitions`).
        guard awaitedPartitions.isEmpty else {
            overshot.insert(partition)
            return
        }
        let offset = record.offset
        guard offset >= next else { return }
        if offset > next, overshot.contains(partition) || gapRefetch.check(partition: partition, offset: offset, expected: next, accepted: noteSkipped) == .fetchAgain {
            return
        }
        if let replay {
            guard offset < replay.endOffsets[partition] ?? next else {
                overshot.insert(partition)
                return
            }
        }
        positions.advance(partition, to: offset + 1)
        if batchStartedAt == nil {
            // Once per batch, not per record.
            batchStartedAt = WallClock.nowMs
            batchOpenedAtMs = WallClock.monotonicMs
            setBatchTargets()
        }
        _ = engine.ingest(partition: partition, value: record.value)
        recordsInBatch += 1
    }

    /// Hands memory that is free inside the allocator back to the system. librdkafka's fetch threads allocate
    /// the records that this thread frees, so glibc's arenas keep the high-water mark of every burst of
    /// prefetched records: without this, resident memory follows the size of the bursts, which grows as the
    /// embedded broker fills, while the detector's live memory stays flat (measured in the soak scenario:
    /// with a trim every 10 s the median grew 26 % from minute 2 to minute 9, with one every second it did not grow).
    /// Memory handed back costs page faults when it is needed again, which at high rates it is at once, so
    /// after a batch of `busyBatchRecords` or more the trim waits 10 s instead of 1 s.
    private func releaseFreedMemory(now: Int64) {
        let interval: Int64 = lastBatchRecords >= Self.busyBatchRecords ? 10_000 : 1_000
        guard now - lastTrimAtMs >= interval else { return }
        lastTrimAtMs = now
        #if canImport(Glibc)
        malloc_trim(0)
        #endif
    }

    private func noteSkipped(_ partition: Int32, _ offsets: Range<Int64>) {
        note(
            "\(settings.instance): offsets \(offsets.lowerBound)..<\(offsets.upperBound) of partition \(partition) are still missing after \(gapRefetch.attempts) fetches; reading on")
    }

    /// While partitions held before a restart are still to come back, only polls (which serves the group's
    /// rebalances) and returns true; records polled meanwhile are not taken, and the partitions are moved
    /// back to their positions once the wait is over. A Spark query resumes all its partitions together;
    /// reading some of them alone would let the watermark run ahead of the others' backlog and drop on-time
    /// records as late.
    private func awaitRestartPartitions() throws(DetectorError) -> Bool {
        guard !awaitedPartitions.isEmpty else { return false }
        let owned = Set(positions.partitions)
        let now = WallClock.monotonicMs
        if hasAssignment, awaitedPartitions.isSubset(of: owned) {
            awaitedPartitions = []
            note("\(settings.instance): every partition held before the restart is back; reading")
        } else if hasAssignment, now >= awaitDeadlineMs {
            let missing = awaitedPartitions.subtracting(owned).sorted()
            awaitedPartitions = []
            note(
                "\(settings.instance): partitions \(missing.map(String.init).joined(separator: ", ")) did not come back within "
                    + "\(DurationText.render(milliseconds: restartAwaitMs)) of the restart; another instance holds them: reading on")
            releaseDormant()
        } else {
            try read(timeoutMs: 100, limit: 10_000)
            return true
        }
        try seekBack(overshotToo: true)
        lastRecordAtMs = now
        return false
    }

    /// Ends the replayed batch once every owned partition of its plan has been read to its planned end.
    private func finishReplayIfRead() throws(DetectorError) {
        guard let replay, hasAssignment else { return }
        for (partition, end) in replay.endOffsets {
            if let next = positions.next(partition), next < end { return }
        }
        try completeBatch()
    }

    /// Moves partitions with a gap back to its start, so that it is fetched again, and (`overshotToo`, once a
    /// replayed batch is done) partitions read past that batch's end back to it, so their next batch starts there.
    private func seekBack(overshotToo: Bool) throws(DetectorError) {
        guard let consumer, gapRefetch.hasMoves || (overshotToo && !overshot.isEmpty) else { return }
        var partitions = Set(gapRefetch.takeMoves(topic: settings.topic).map(\.partition))
        if overshotToo {
            partitions.formUnion(overshot)
            overshot = []
        }
        let moves = partitions.sorted().compactMap { partition in
            positions.next(partition).map { TopicPartition(topic: settings.topic, partition: partition, offset: $0) }
        }
        do {
            try consumer.seek(moves)
        } catch {
            throw DetectorError("moving back to \(moves): \(error.message)")
        }
    }

    // MARK: Ending a batch

    /// Ends the current batch (a no-data batch when nothing was read) and makes it durable, in the order
    /// the type's documentation gives.
    func completeBatch(insideRebalance: Bool = false) throws(DetectorError) {
        let startedAt = replay?.startedAt ?? batchStartedAt ?? WallClock.nowMs
        let batch = engine.beginBatch().batch
        let ends = positions.owned
        try checkpoints?.write(PlannedBatch(batch: batch, endOffsets: ends, startedAt: startedAt))
        settings.crashPoint?.trigger(at: .afterConsume, batch: batch)

        let outcome = engine.endBatch(now: WallClock.nowMs)
        for sink in sinks { try sink.write(outcome.alerts, batch: batch) }
        if let batchLog {
            let entry = BatchLogEntry(
                batch: batch, lateWatermarkMs: outcome.watermarks.lateWatermarkMs,
                evictionWatermarkMs: outcome.watermarks.evictionWatermarkMs, endOffsets: ends, startedAt: startedAt,
                endedAt: WallClock.nowMs, instance: settings.instance, partitions: ends.keys.sorted())
            do {
                try batchLog.append(entry.jsonLine + "\n")
                try batchLog.sync()
            } catch {
                throw DetectorError("batch log: \(error.description)")
            }
        }
        settings.crashPoint?.trigger(at: .afterAlerts, batch: batch, alerts: outcome.alerts.count)

        try writeCheckpoint()
        settings.crashPoint?.trigger(at: .afterRename, batch: batch, alerts: outcome.alerts.count)

        commit(ends, synchronously: !insideRebalance)
        replay = nil
        batchStartedAt = nil
        batchOpenedAtMs = nil
        lastBatchRecords = recordsInBatch
        recordsInBatch = 0
        applyBatchFloor()
        reportProgress()
        observe?(
            BatchFigures(
                batch: batch, stats: engine.stats, lag: lag, lateWatermarkMs: outcome.watermarks.lateWatermarkMs,
                evictionWatermarkMs: outcome.watermarks.evictionWatermarkMs, durationMs: WallClock.nowMs - startedAt))
    }

    /// Replaces the checkpoint with the engine's state and the positions of the owned partitions and of the
    /// restored ones still awaited (whose state the engine keeps until they come back or are handed on).
    func writeCheckpoint() throws(DetectorError) {
        guard let checkpoints else { return }
        var lengths: [String: Int64] = [:]
        for file in alertFiles { lengths[file.log.path] = file.log.length }
        try checkpoints.write(
            Checkpoint(
                topic: settings.topic, engine: Data(engine.snapshot()), offsets: positions.owned.merging(dormant) { owned, _ in owned },
                alertFileLengths: lengths,
                batchLogLength: batchLog?.length))
    }

    /// Commits for monitoring only (the checkpoint is what a restart trusts), so a failure is a note.
    private func commit(_ ends: [Int32: Int64], synchronously: Bool) {
        guard let consumer, !ends.isEmpty else { return }
        do {
            try consumer.commit(
                ends.map { TopicPartition(topic: settings.topic, partition: $0.key, offset: $0.value) }, synchronously: synchronously)
        } catch {
            note("\(settings.instance): committing offsets failed (monitoring only): \(error.message)")
        }
    }

    // MARK: Reporting

    /// Milliseconds from the first poll that returned records to the end of the last one: the reading time
    /// that benchmarks divide the record count by. Nil before any record.
    public var readingSpanMs: Int64? {
        guard let firstRecordAtMs, let lastReadAtMs else { return nil }
        return lastReadAtMs - firstRecordAtMs
    }

    /// Records read and not yet behind the partitions' last known end, as the brokers report it.
    private var lag: Int64? {
        guard let consumer else { return nil }
        var total: Int64 = 0
        for (partition, next) in positions.owned {
            guard let end = consumer.cachedEndOffset(topic: settings.topic, partition: partition) else { return nil }
            total += max(0, end - next)
        }
        return total
    }

    /// The totals as one line: records, matches, late drops, malformed by kind, batches, alerts, lag.
    public var statsText: String {
        let stats = engine.stats
        let malformed = MalformedKind.allCases.map { "\($0.rawValue) \(stats.malformed[$0])" }.joined(separator: ", ")
        return "\(settings.instance): records \(stats.records), matched \(stats.matched), late dropped \(stats.lateDropped), "
            + "malformed \(stats.malformed.total) (\(malformed)), batches \(stats.batches), alerts \(stats.alertsEmitted), "
            + "open windows \(stats.openWindows), consumer lag \(lag.map(String.init) ?? "unknown")"
            + (gapRefetch.gapsFetchedAgain > 0 ? ", gaps fetched again \(gapRefetch.gapsFetchedAgain)" : "")
            + (gapRefetch.skippedOffsets > 0 ? ", missing offsets skipped \(gapRefetch.skippedOffsets)" : "")
    }

    /// A progress line on standard error every 10 s.
    private func reportProgress() {
        let now = WallClock.monotonicMs
        guard now - lastProgressAtMs >= 10_000 else { return }
        let records = engine.stats.records
        let rate = Double(records - recordsAtLastProgress) * 1_000 / Double(now - lastProgressAtMs)
        note(
            "\(settings.instance): batch \(engine.nextBatch - 1), \(records) records (\(Int(rate))/s), "
                + "watermark \(engine.evictionWatermarkMs), partitions \(positions.partitions.map(String.init).joined(separator: ","))")
        lastProgressAtMs = now
        recordsAtLastProgress = records
    }
}

/// Progress and notes go to standard error, so that standard output stays the console sink's.
func note(_ message: String) {
    FileHandle.standardError.write(Data("windtunnel detect: \(message)\n".utf8))
}
