import Contracts

/// The crash detector's rule as a pure state machine: record values in, alerts and watermarks out. No I/O:
/// the Kafka consumer loop, sinks and checkpoint files live in `DetectorService`, on top of this.
///
/// One engine serves one detector instance: it keeps the state of each partition it reads apart (so that a
/// partition's state can move to another instance on a rebalance, see `partitionSnapshot(_:)`), and one
/// watermark over all of them. Counts are kept per partition, which equals Spark's global grouping when the
/// topic is keyed by user id, as the generator keys it: a user's events then all land in one partition.
///
/// A micro-batch is `beginBatch()`, any number of `ingest(partition:value:)`, then `endBatch(now:)`.
/// `beginBatch()` may be left out (the first ingest opens the batch; `endBatch` alone runs a batch with no
/// data), but calling it gives the batch id and watermarks before reading.
public struct WindowEngine: Sendable {
    /// The rule this engine counts by.
    public let rule: RuleSettings
    /// The id the current batch has, or the next batch will have.
    public internal(set) var nextBatch: Int64 = 0
    /// Whether a batch has begun and not ended.
    public internal(set) var isBatchOpen = false

    var watermarks = Watermarks()
    var counters = DetectorStats()
    var users = UserTable()
    /// The partitions with state, and their tables at the same positions.
    var partitionIDs: [Int32] = []
    var tables: [CellTable] = []

    private var scanner: EventScanner
    /// The last partition looked up and its position (-1: none), since consecutive records mostly share one.
    private var cachedPartition: Int32 = 0
    private var cachedPosition = -1
    /// Cells emitted by the batch being ended, reused from batch to batch.
    private var emitted: [Cell] = []

    /// An engine with no state, at batch 0.
    public init(rule: RuleSettings) throws(RuleError) {
        try rule.check()
        self.rule = rule
        scanner = EventScanner(rule: rule)
    }

    /// The eviction watermark of the last batch begun (0 before the first).
    public var evictionWatermarkMs: Int64 { watermarks.evictionMs }

    /// Totals so far.
    public var stats: DetectorStats {
        var stats = counters
        stats.openWindows = tables.reduce(0) { $0 + $1.count }
        return stats
    }

    // MARK: Batches

    /// Begins the next batch, fixing its watermarks from the data of the batches before it, and returns them.
    /// While a batch is open this returns that batch's watermarks and changes nothing.
    @discardableResult
    public mutating func beginBatch() -> BatchWatermarks {
        if !isBatchOpen {
            watermarks.startBatch(delayMs: rule.watermarkDelayMs)
            isBatchOpen = true
        }
        return BatchWatermarks(
            batch: nextBatch, lateWatermarkMs: watermarks.lateMs, evictionWatermarkMs: watermarks.evictionMs)
    }

    /// Reads one record value of `partition` into the open batch (opening one if needed).
    public mutating func ingest(partition: Int32, value: UnsafeRawBufferPointer) -> IngestOutcome {
        if !isBatchOpen { beginBatch() }
        counters.records += 1
        let event: ScannedEvent
        switch scanner.scan(value) {
        case .malformed(let kind):
            counters.malformed[kind] += 1
            return .malformed(kind)
        case .event(let scanned):
            event = scanned
        }
        guard event.matches else { return .notMatching }
        counters.matched += 1
        watermarks.observe(event.timestamp)
        let windowStart = TumblingWindow.start(of: event.timestamp, length: rule.windowMs)
        guard windowStart + rule.windowMs > watermarks.lateMs else {
            counters.lateDropped += 1
            return .lateDropped
        }
        let user = scanner.user(of: event, in: value, users: &users)
        let position = position(of: partition)
        tables[position].increment(windowStart: windowStart, user: user)
        return .counted
    }

    /// Ends the open batch (running one with no data if none is open): emits, in update mode, every
    /// (window, user) counted in this batch whose count now exceeds the threshold; then evicts every window
    /// ending at or before the batch's eviction watermark, emitting in append mode those above the threshold.
    /// `now` (epoch ms) becomes the alerts' `emitted_at`.
    public mutating func endBatch(now: Int64) -> BatchOutcome {
        let batch = beginBatch()
        emitted.removeAll(keepingCapacity: true)
        var evictedAny = false
        for position in tables.indices {
            let evicted = tables[position].closeBatch(
                evictionMs: watermarks.evictionMs, windowMs: rule.windowMs, threshold: Int64(rule.threshold),
                mode: rule.mode, emitted: &emitted)
            evictedAny = evictedAny || evicted
        }
        if evictedAny { releaseUnreferencedUsers() }
        var alerts = emitted.map { cell in
            AlertRecord(
                windowStart: cell.windowStart, windowEnd: cell.windowStart + rule.windowMs,
                userId: users.userId(of: cell.user), crashCount: Int(cell.count), emittedAt: now, batch: batch.batch)
        }
        alerts.sort { ($0.windowStart, $0.userId, $0.crashCount) < ($1.windowStart, $1.userId, $1.crashCount) }
        counters.batches += 1
        counters.alertsEmitted += alerts.count
        nextBatch += 1
        isBatchOpen = false
        return BatchOutcome(watermarks: batch, alerts: alerts)
    }

    /// Moves the batch ids on to `batch` without running the batches before it, as batches that read nothing
    /// (DESIGN.md: ids missing from a batch log are such batches): the watermarks advance once, as one of
    /// them would advance them, and the windows they would have evicted are evicted (in append mode,
    /// emitted) by the next batch that runs. An instance that takes a partition over continues after the
    /// batch that handed it on, so that a window's emissions by two instances stay ordered by batch id.
    /// Does nothing while a batch is open or when `batch` is not beyond the next id.
    public mutating func skipBatches(to batch: Int64) {
        guard !isBatchOpen, batch > nextBatch else { return }
        watermarks.startBatch(delayMs: rule.watermarkDelayMs)
        nextBatch = batch
    }

    /// Whether a batch with no data would now move the eviction watermark, which is when Spark runs one
    /// (`spark.sql.streaming.noDataMicroBatches.enabled`): it evicts windows and, in append mode, emits them.
    /// False while a batch is open and before the first batch.
    public var noDataBatchIsDue: Bool {
        !isBatchOpen && nextBatch > 0
            && watermarks.nextEvictionMs(delayMs: rule.watermarkDelayMs) > watermarks.evictionMs
    }

    // MARK: State

    /// The position of `partition`'s table, creating an empty one for a partition not seen before.
    @inline(__always)
    private mutating func position(of partition: Int32) -> Int {
        if cachedPosition >= 0, cachedPartition == partition { return cachedPosition }
        // A counted loop: `firstIndex(of:)` allocates in unoptimized builds.
        var position = 0
        while position < partitionIDs.count, partitionIDs[position] != partition { position += 1 }
        if position == partitionIDs.count {
            partitionIDs.append(partition)
            tables.append(CellTable())
        }
        cachedPartition = partition
        cachedPosition = position
        return position
    }

    /// Forgets the cached partition position; needed whenever `partitionIDs` changes other than by appending.
    mutating func forgetCachedPartition() {
        cachedPosition = -1
    }

    /// Frees interned user ids that no open window refers to any more.
    mutating func releaseUnreferencedUsers() {
        guard users.namedCount > 0 else { return }
        var referenced = [Bool](repeating: false, count: users.slotCount)
        for table in tables {
            table.forEachCell { cell in
                if let slot = cell.user.namedSlot { referenced[slot] = true }
            }
        }
        users.keepOnly(referenced)
    }
}
