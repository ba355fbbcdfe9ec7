import Contracts

/// The streaming half of the validator's ground truth: the replayed topic goes in one record at a time,
/// in any interleaving of partitions (each partition's offsets ascending), and `finish()` gives the
/// expected outcome of every (window, user).
///
/// Memory grows with (window, user) keys and with the run's length at the readability resolution, never
/// with the number of events: per key only per-slot counts are kept (see `KeyTally`).
///
/// With a batch log the tally is exact: every record is assigned to the batch that read it. Without one it
/// works in interval mode under `ReadabilityModel`.
public struct ReplayTally: Sendable {
    public let rule: RuleSettings
    let plan: BatchPlan?
    let model: ReadabilityModel
    let grid: WindowGrid
    private var decoder: EventDecoder
    var summary = EventSummary()
    var keys: [WindowKey: KeyTally] = [:]
    /// Per slot, the largest event time of each row class read in it.
    var slotMaxima: [Int64: ClassMaxima] = [:]
    /// Rule-matching events counted by the window of the time they were processed, not their event time.
    var processingTimeCounts: [WindowKey: Int] = [:]
    /// The smallest and largest event time of rule-matching events.
    var matchingTimes: ClosedRange<Int64>?
    /// The longest time from send (Kafka timestamp) to ack among the records with an ack time.
    private var sendToAckMs: Int64 = 0
    /// Per partition, the effective readability time of the last record (see `ReadabilityModel`).
    private var partitionReadability: [Int32: Int64] = [:]
    /// A handful of classes, searched in order: comparing short names is cheaper than hashing them for
    /// every record.
    private var latenessClasses: [LatenessClassSummary] = []

    /// The slot of records beyond the batch log: no logged batch read them.
    static let unreadSlot = Int64.max

    /// A tally for `rule`; exact when `batchLog` is given, interval mode under `model` otherwise.
    public init(rule: RuleSettings, batchLog: [BatchLogEntry]? = nil, model: ReadabilityModel = ReadabilityModel()) throws(SetupError) {
        guard rule.windowMs > 0 else { throw SetupError("the window must be longer than 0 ms (got \(rule.windowMs) ms)") }
        guard rule.watermarkDelayMs >= 0 else { throw SetupError("the watermark delay must not be negative (got \(rule.watermarkDelayMs) ms)") }
        guard rule.threshold >= 0 else { throw SetupError("the threshold must not be negative (got \(rule.threshold))") }
        guard !rule.term.isEmpty else { throw SetupError("the crash term is empty") }
        guard !rule.severities.isEmpty else { throw SetupError("no severity is selected, so no event could match") }
        guard model.slackMs >= 0 else { throw SetupError("the readability slack must not be negative (got \(model.slackMs) ms)") }
        guard model.resolutionMs > 0 else { throw SetupError("the readability resolution must be longer than 0 ms (got \(model.resolutionMs) ms)") }
        self.rule = rule
        self.model = model
        grid = WindowGrid(size: rule.windowMs)
        plan = try batchLog.map { (log) throws(SetupError) in try BatchPlan(log) }
        decoder = EventDecoder(term: rule.term, matching: rule.matching)
    }

    /// Adds one record of the replay. `value` is only read during the call.
    public mutating func record(
        partition: Int32, offset: Int64, kafkaTimestampMs: Int64, value: UnsafeRawBufferPointer, facts: RecordFacts? = nil
    ) {
        summary.records += 1
        if let ackedAt = facts?.ackedAtMs { sendToAckMs = Swift.max(sendToAckMs, ackedAt.clampedSubtracting(kafkaTimestampMs)) }
        let readable = Swift.max(facts?.ackedAtMs ?? kafkaTimestampMs, partitionReadability[partition] ?? .min)
        partitionReadability[partition] = readable
        // When the detector processed the record: its batch's start, or in interval mode the time it became
        // readable. Records no logged batch read were never processed.
        let slot: Int64
        let processedAt: Int64?
        if let plan {
            if let batch = plan.batch(partition: partition, offset: offset) {
                slot = Int64(batch)
                processedAt = plan.batches[batch].entry.startedAt
            } else {
                slot = Self.unreadSlot
                processedAt = nil
                summary.unreadByDetector += 1
            }
        } else {
            slot = readable.flooredDivision(by: model.resolutionMs)
            processedAt = readable
        }
        // Every record, malformed or not, marks its slot: interval mode needs to know when records existed.
        if slotMaxima[slot] == nil { slotMaxima[slot] = ClassMaxima() }

        let decoded = decoder.decode(value)
        guard case .event(let event) = decoded, let start = grid.start(of: event.timestamp) else {
            let kind: MalformedKind = if case .malformed(let kind) = decoded { kind } else { .timestampOutOfRange }
            summary.malformed[kind] += 1
            note(facts, malformed: true, matching: false)
            return
        }
        summary.events += 1
        var membership: RowMembership = []
        let severityCounts = event.severity.map { rule.severities.contains($0) } ?? false
        if event.hasTerm {
            membership.insert(.anySeverity)
            if severityCounts { membership.insert(.rule) }
        }
        if event.hasTermOtherCase, severityCounts { membership.insert(.otherCase) }
        let matching = membership.contains(.rule)
        note(facts, malformed: false, matching: matching)
        guard !membership.isEmpty else { return }
        keys[WindowKey(start: start, user: event.user), default: KeyTally()].add(slot: slot, membership: membership, onTime: facts?.onTime == true)
        slotMaxima[slot, default: ClassMaxima()].include(event.timestamp, in: membership)
        guard matching else { return }
        summary.matching += 1
        matchingTimes = matchingTimes.map { Swift.min($0.lowerBound, event.timestamp)...Swift.max($0.upperBound, event.timestamp) }
            ?? event.timestamp...event.timestamp
        if let processedAt, let processingStart = grid.start(of: processedAt) {
            processingTimeCounts[WindowKey(start: processingStart, user: event.user), default: 0] += 1
        }
    }

    /// Adds one record that owns its value.
    public mutating func record(_ input: InputRecord) {
        input.value.withUnsafeBytes { bytes in
            record(
                partition: input.partition, offset: input.offset, kafkaTimestampMs: input.kafkaTimestampMs, value: bytes,
                facts: input.facts)
        }
    }

    private mutating func note(_ facts: RecordFacts?, malformed: Bool, matching: Bool) {
        guard let facts else { return }
        summary.generatorChecked += 1
        if let intended = facts.intendedMalformed, intended != malformed { summary.generatorDisagreements.malformed += 1 }
        if let intended = facts.intendedMatching, intended != matching { summary.generatorDisagreements.matching += 1 }
        if let name = facts.latenessClass {
            if let index = latenessClasses.firstIndex(where: { $0.name == name }) {
                latenessClasses[index].add(event: !malformed, matching: matching)
            } else {
                var summary = LatenessClassSummary(name: name)
                summary.add(event: !malformed, matching: matching)
                latenessClasses.append(summary)
            }
        }
    }

    /// The readability model with the run's send-to-ack spread.
    var effectiveModel: ReadabilityModel {
        var model = self.model
        model.sendToAckMs = sendToAckMs
        return model
    }

    /// The lateness classes seen in the manifest facts, by name.
    var latenessClassSummaries: [LatenessClassSummary] {
        latenessClasses.sorted { $0.name < $1.name }
    }
}
