import EventModel
import Foundation
import Kafka
import Manifest

/// One worker: paces its events on an open-loop timetable, produces them with librdkafka, and journals each
/// record in its manifest when its delivery report arrives.
///
/// Per event, nothing is allocated: the synthesizer writes into reused buffers, the `wt-seq` header is
/// rendered into a reused buffer, and the facts wait for their report in a fixed ring. When librdkafka's
/// queue is full the worker serves delivery reports and retries; the wait shows as schedule lag.
/// A class because it owns the producer, the manifest and the buffers; one thread runs it.
public final class GeneratorWorker {
    /// The plan it follows.
    public let plan: WorkerPlan

    private let stop: StopRequest
    private let synthesizer: EventSynthesizer
    // The per-event state skips dynamic exclusivity checks: one thread runs the worker and no access
    // outlives a call.
    @exclusivity(unchecked) private var placement: CrashPlacement
    private let producer: KafkaProducer
    private let pending: PendingRing
    private let clock = MonotonicClock()
    private var manifest: ManifestWriter?
    @exclusivity(unchecked) private var tally = SendTally()
    /// The first manifest error; it stops the worker, since records it cannot journal would be lost.
    private var manifestFailure: ManifestError?
    /// Acknowledgement time of the reports being served, read once per poll.
    @exclusivity(unchecked) private var ackTimeUs: Int64 = 0
    private var timeBase: Timetable?

    private let value = RecordBuffer()
    private let key = RecordBuffer()
    private let sequenceText = RecordBuffer(capacity: 32)
    /// The `wt-worker` header's value, rendered once.
    private let workerText: UnsafeMutableRawBufferPointer
    private let headerNames: (worker: UnsafeMutablePointer<CChar>, sequence: UnsafeMutablePointer<CChar>)
    private let headers: UnsafeMutablePointer<MessageHeader>

    /// Records that may await their delivery report at once: the producer's queue limit and the ring's size.
    /// At a million records per second this is a quarter of a second of sending.
    static let pendingLimit = 1 << 18
    /// Events handed out per pacing step at most, so that a step's lag readings stay fresh.
    static let batchLimit: UInt64 = 1_024

    /// Checks the plan, builds the synthesizer, connects, and fetches the topic's metadata: everything
    /// before the start barrier.
    public init(plan: WorkerPlan, stop: StopRequest) throws {
        self.plan = plan
        self.stop = stop
        // The manifest needs the start time for its header, so it is created after the barrier; a folder it
        // could not be written into is refused now, before any worker starts sending.
        if let folder = plan.manifestFolder, !FileManager.default.isWritableFile(atPath: folder) {
            throw ManifestError.io(path: folder, operation: "write manifests into it", reason: "the folder is missing or not writable")
        }
        synthesizer = try EventSynthesizer(settings: plan.settings, worker: plan.workerIndex)
        placement = try CrashPlacement(settings: plan.settings, worker: plan.workerIndex)
        pending = PendingRing(minimumCapacity: Self.pendingLimit)
        producer = try KafkaProducer(configuration: try plan.producerConfiguration(queueMessages: pending.capacity))
        // Fetching metadata proves the brokers answer before the barrier, and connects the producer, so that
        // the first due events do not wait for either.
        try producer.prepare(topic: plan.run.topic)

        let digits = Array(String(plan.workerIndex).utf8)
        workerText = .allocate(byteCount: digits.count, alignment: 1)
        workerText.copyBytes(from: digits)
        headerNames = (strdup("wt-worker"), strdup("wt-seq"))
        headers = .allocate(capacity: 2)
        headers.initialize(to: MessageHeader(name: headerNames.worker, value: UnsafeRawBufferPointer(workerText)))
        (headers + 1).initialize(to: MessageHeader(name: headerNames.sequence, value: UnsafeRawBufferPointer(start: nil, count: 0)))
    }

    deinit {
        headers.deinitialize(count: 2)
        headers.deallocate()
        free(headerNames.worker)
        free(headerNames.sequence)
        workerText.deallocate()
    }

    /// Sends the measured records and the tail from `start`, then flushes, finishes the manifest and returns
    /// the figures. `stats` is called once a second. A stop request ends sending early, but the records
    /// already sent are still flushed and journaled.
    public func run(start: StartSignal, stats: (WorkerStats) -> Void) throws -> WorkerReport {
        let timetable = try Timetable(recordsPerSecond: plan.settings.recordsPerSecond, startNs: start.startNs, startEpochMs: start.startEpochMs)
        timeBase = timetable
        if let folder = plan.manifestFolder {
            let header = ManifestHeader(
                settings: plan.settings, run: plan.run, workerIndex: plan.workerIndex, workerCount: plan.workerCount,
                hostName: ProcessInfo.processInfo.hostName, startTimeMs: start.startEpochMs)
            manifest = try ManifestWriter(path: "\(folder)/\(ManifestFormat.fileName(worker: plan.workerIndex))", header: header)
        }
        let total = plan.run.eventCount ?? .max
        var pacer = Pacer(timetable: timetable, clock: clock)
        var nextStatsNs = start.startNs &+ 1_000_000_000
        var failure: String?

        func tick(inTail: Bool) throws {
            serveReports(timeoutMs: 0)
            if let manifestFailure { throw manifestFailure }
            let now = clock.nowNs()
            guard now >= nextStatsNs else { return }
            nextStatsNs = now + 1_000_000_000
            try manifest?.flush()
            stats(
                WorkerStats(
                    elapsedMs: Int64((now &- start.startNs) / 1_000_000), sent: tally.sent, acknowledged: tally.acknowledged,
                    failed: tally.failed, inFlight: producer.inFlight, lagP99Ms: Double(pacer.lag.p99Ns) / 1e6, inTail: inTail,
                    partitionEnds: tally.partitionEnds))
        }

        var measuredEndNs = start.startNs
        do {
            while pacer.nextIndex < total, !stop.isRequested {
                let batch = pacer.awaitDue(limit: min(Self.batchLimit, total - pacer.nextIndex))
                try send(batch, pacer: &pacer) { index in
                    synthesizer.synthesize(
                        sequence: index, scheduledMs: timetable.scheduledEpochMs(of: index), carriesTerm: placement.carriesTerm(index),
                        value: value, key: key)
                }
                measuredEndNs = clock.nowNs()
                try tick(inTail: false)
            }
            if let tail = plan.run.tail, plan.run.eventCount != nil, !stop.isRequested {
                try sendTail(tail, after: timetable, measuredCount: total) { try tick(inTail: true) }
            }
        } catch let error as KafkaError {
            failure = error.message
        } catch {
            failure = "\(error)"
        }

        // Whatever stopped the loop, the records already handed over are flushed and journaled.
        do {
            try producer.flush(timeoutMs: stop.isRequested ? 10_000 : plan.deliveryTimeoutMs) { acknowledge($0) }
        } catch {
            failure = failure ?? error.message
        }
        try pending.removeAll { entry in
            tally.unacknowledged += 1
            try manifest?.append(ManifestRecord(event: entry.facts, sendTimeUs: entry.sendTimeUs, acknowledgement: .unknown))
        }
        if let manifestFailure { throw manifestFailure }
        let endedAtMs = timetable.epochUs(atNs: clock.nowNs()) / 1_000
        try manifest?.finish(endTimeMs: endedAtMs)
        // Counted from what was handed over: a failure mid-batch leaves the pacer ahead of the sends.
        let measuredSent = tally.sent - tally.tail
        let planned = plan.run.eventCount.map { $0 + UInt64(plan.run.tail?.count ?? 0) } ?? .max
        return WorkerReport(
            worker: plan.workerIndex, targetRate: plan.settings.recordsPerSecond, tally: tally, measuredSent: measuredSent,
            lag: pacer.lag, startedAtMs: start.startEpochMs, measuredEndedAtMs: timetable.epochUs(atNs: measuredEndNs) / 1_000,
            endedAtMs: endedAtMs,
            achievedRate: Double(measuredSent) / (Double(measuredEndNs &- start.startNs) / 1e9 + 1 / Double(plan.settings.recordsPerSecond)),
            stoppedEarly: stop.isRequested && tally.sent < planned, failure: failure)
    }

    /// Sends the tail: its own timetable, `speedup` times faster than its event times advance, starting
    /// where the measured timetable ends.
    private func sendTail(_ tail: TailPlan, after measured: Timetable, measuredCount: UInt64, tick: () throws -> Void) throws {
        let events = try TailEvents(settings: plan.settings, worker: plan.workerIndex, count: tail.count)
        let tailTable = try Timetable(recordsPerSecond: tail.sendingRate, startNs: measured.dueNs(of: measuredCount), startEpochMs: 0)
        let measuredEndMs = measured.scheduledEpochMs(of: measuredCount)
        var pacer = Pacer(timetable: tailTable, clock: clock)
        let count = UInt64(events.count)
        while pacer.nextIndex < count, !stop.isRequested {
            let batch = pacer.awaitDue(limit: min(Self.batchLimit, count - pacer.nextIndex))
            try send(batch, pacer: &pacer) { index in
                events.synthesize(
                    index: Int(index), sequence: measuredCount + index, eventTimeMs: tail.eventTimeMs(of: Int(index), measuredEndMs: measuredEndMs),
                    value: value, key: key)
            }
            try tick()
        }
    }

    /// Synthesizes and produces the events of `batch`. Their lag is recorded per stretch between stalls, at
    /// the end of each stretch, so that a wait for queue space shows in the lag of the events behind it.
    private func send(_ batch: Range<UInt64>, pacer: inout Pacer<MonotonicClock>, synthesize: (UInt64) -> EventFacts) throws {
        guard let timeBase else { return }
        var stretchStart = batch.lowerBound
        var sendTimeUs = timeBase.epochUs(atNs: clock.nowNs())
        var index = batch.lowerBound
        while index < batch.upperBound {
            let facts = synthesize(index)
            let sequence = facts.sequence
            if !pending.isFree(sequence) {
                pacer.markSent(stretchStart..<index)
                stretchStart = index
                while !pending.isFree(sequence) { serveReports(timeoutMs: 1) }
                sendTimeUs = timeBase.epochUs(atNs: clock.nowNs())
            }
            sequenceText.removeAll()
            sequenceText.append(decimal: Int64(sequence))
            headers[1].value = sequenceText.bytes
            pending.insert(facts, sendTimeUs: sendTimeUs)
            do {
                while try producer.send(
                    topic: plan.run.topic, key: key.bytes, value: value.bytes, headers: UnsafeBufferPointer(start: headers, count: 2),
                    opaque: sequence) == .queueFull
                {
                    pacer.markSent(stretchStart..<index)
                    stretchStart = index
                    serveReports(timeoutMs: 1)
                    sendTimeUs = timeBase.epochUs(atNs: clock.nowNs())
                    pending.update(sequence, sendTimeUs: sendTimeUs)
                }
            } catch {
                // Never handed over, so it is not in the manifest: the manifest lists what was sent.
                _ = pending.remove(sequence)
                throw error
            }
            tally.count(facts)
            index += 1
        }
        pacer.markSent(stretchStart..<batch.upperBound)
    }

    private func serveReports(timeoutMs: Int32) {
        ackTimeUs = timeBase?.epochUs(atNs: clock.nowNs()) ?? 0
        producer.pollDeliveryReports(timeoutMs: timeoutMs) { acknowledge($0) }
    }

    /// Journals one record from its delivery report.
    private func acknowledge(_ report: DeliveryReport) {
        guard let entry = pending.remove(report.opaque) else { return }
        let acknowledgement: Acknowledgement
        if report.isAcknowledged {
            tally.acknowledge(partition: report.partition, offset: report.offset)
            acknowledgement = .acked(partition: report.partition, offset: report.offset, atUs: ackTimeUs)
        } else {
            tally.failed += 1
            acknowledgement = .failed(errorCode: report.errorCode, atUs: ackTimeUs)
        }
        do {
            try manifest?.append(ManifestRecord(event: entry.facts, sendTimeUs: entry.sendTimeUs, acknowledgement: acknowledgement))
        } catch {
            manifestFailure = manifestFailure ?? error
        }
    }
}

extension WorkerPlan {
    /// How long the final flush may wait: librdkafka fails a record after `message.timeout.ms` (30 s unless
    /// overridden), so every record has its report well within this.
    var deliveryTimeoutMs: Int {
        (properties["message.timeout.ms"].flatMap(Int.init) ?? properties["delivery.timeout.ms"].flatMap(Int.init) ?? 30_000) + 30_000
    }
}
