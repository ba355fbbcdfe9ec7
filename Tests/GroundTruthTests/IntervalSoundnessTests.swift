import Contracts
import GroundTruth
import Testing

/// Interval mode must hold for every batching a detector could have chosen under `ReadabilityModel`. These
/// tests simulate many such batchings at random, run the exact rule on each (with the reference detector
/// and with exact mode fed the simulated batch log), and check that every exact count lies in its interval.
/// When every matching event has a user of its own, a (window, user) holds one event, so the check is
/// per event: a certainly counted event really was counted and a certainly dropped one really was dropped.
/// A record becomes readable somewhere between its send and its ack, as on a real broker, where a consumer
/// may fetch a record before its producer has the acknowledgement; the tally sees only both ends.
@Suite("Interval mode soundness")
struct IntervalSoundnessTests {
    private struct SimulatedRecord {
        var event: LogEvent
        var sentAt: Int64
        var ackedAt: Int64
        /// When a consumer could first read it: between the send and the ack.
        var readableAt: Int64
    }

    private struct Totals {
        var certain = 0
        var ambiguous = 0
        var certainlyDropped = 0
        var keys = 0
    }

    @Test func boundsHoldForRandomBatchings() throws {
        var totals = Totals()
        for seed in UInt64(1)...200 {
            try check(seed: seed, totals: &totals)
        }
        // The simulation must reach every branch, or the check above proves little.
        #expect(totals.certain > 100)
        #expect(totals.ambiguous > 20)
        #expect(totals.certainlyDropped > 20)
    }

    /// A record read before its producer had the ack. `onTime` is sent at 99 s and acked at 103 s; `late`
    /// (event time 60 s, window end 70 s) is sent and acked at 100 s. A detector with a 1 s slack may read
    /// `onTime` at 99.5 s (batch n-2) and `late` at 100.5 s (batch n): the late-row watermark is then 100 s
    /// minus the 30 s delay, the window's end, and `late` is dropped. Taking ack times as readability
    /// times, `onTime` could only have been read after `late`, and `late` would be certainly counted.
    @Test func aRecordReadBeforeItsAckLeavesALateNeighbourUncertain() throws {
        var tally = try ReplayTally(rule: RuleSettings(), model: ReadabilityModel(slackMs: 1_000, resolutionMs: 1))
        let onTime = LogEvent(timestamp: base + 100_000, user: "user_1", partition: 0)
        let late = LogEvent(timestamp: base + 60_000, user: "user_2", partition: 1)
        tally.record(
            InputRecord(
                partition: 0, offset: 0, kafkaTimestampMs: base + 99_000, value: Array(onTime.json.utf8),
                facts: RecordFacts(ackedAtMs: base + 103_000)))
        tally.record(
            InputRecord(
                partition: 1, offset: 0, kafkaTimestampMs: base + 100_000, value: Array(late.json.utf8),
                facts: RecordFacts(ackedAtMs: base + 100_000)))
        let outcome = tally.finish()
        #expect(outcome.model?.sendToAckMs == 4_000)
        let window = try #require(outcome.window(start: base + 60_000, user: "user_2"))
        #expect(window.count == CountRange(lower: 0, upper: 1))
    }

    private func check(seed: UInt64, totals: inout Totals) throws {
        var random = SplitMix64(state: seed)
        let model = ReadabilityModel(
            slackMs: Int64.random(in: 1_000...12_000, using: &random), resolutionMs: [1, 100, 250, 1_000].randomElement(using: &random) ?? 250)
        let rule = RuleSettings()
        let partitions = Int32.random(in: 1...3, using: &random)
        let uniqueUsers = seed % 2 == 0
        // Records in offset order per partition, with send times that mostly rise and ack times that jitter.
        var streams: [[SimulatedRecord]] = Array(repeating: [], count: Int(partitions))
        var sendTime = base
        for index in 0..<Int.random(in: 120...260, using: &random) {
            sendTime += Int64.random(in: 0...300, using: &random)
            // On time; or late by about the delay, where a record's fate depends on its batch; or far beyond.
            let nearDelay = (rule.watermarkDelayMs - rule.windowMs - model.slackMs)...(rule.watermarkDelayMs + rule.windowMs)
            let lateness: Int64 = switch Int.random(in: 0..<100, using: &random) {
            case 0..<55: Int64.random(in: 0...2_000, using: &random)
            case 55..<80: Int64.random(in: nearDelay, using: &random)
            default: Int64.random(in: 31_000...150_000, using: &random)
            }
            var event = LogEvent(
                timestamp: sendTime - lateness, user: uniqueUsers ? "user_\(index)" : "user_\(Int.random(in: 1...5, using: &random))",
                partition: Int32.random(in: 0..<partitions, using: &random))
            if Int.random(in: 0..<10, using: &random) == 0 { event.severity = "Low" }
            if Int.random(in: 0..<20, using: &random) == 0 { event.raw = "{\"timestamp\": oops}" }
            // Acks mostly quick, now and then seconds late (a producer under back-pressure).
            let ackedAt = sendTime + Int64.random(in: 0...(Int.random(in: 0..<5, using: &random) == 0 ? 4_000 : 400), using: &random)
            let readableAt = Bool.random(using: &random) ? ackedAt : Int64.random(in: sendTime...ackedAt, using: &random)
            streams[Int(event.partition)].append(SimulatedRecord(event: event, sentAt: sendTime, ackedAt: ackedAt, readableAt: readableAt))
        }
        let batches = simulateBatches(streams, slack: model.slackMs, random: &random)

        // The exact rule, twice: the reference detector emitting every count, and exact mode on its batch log.
        var everyCount = rule
        everyCount.threshold = -1
        let run = runDetector(batches: batches.map { $0.map(\.event) }, rule: everyCount)
        var oracle: [String: Int] = [:]
        for alert in run.alerts { oracle["\(alert.windowStart)|\(alert.userId)"] = alert.crashCount }
        var exact = try ReplayTally(rule: rule, batchLog: run.log)
        var interval = try ReplayTally(rule: rule, model: model)
        let simulated = batches.flatMap { $0 }
        for (record, simulatedRecord) in zip(run.records, simulated) {
            exact.record(record)
            var withFacts = record
            withFacts.kafkaTimestampMs = simulatedRecord.sentAt
            withFacts.facts = RecordFacts(ackedAtMs: simulatedRecord.ackedAt)
            interval.record(withFacts)
        }
        let exactOutcome = exact.finish()
        let intervalOutcome = interval.finish()
        var matching: [String: Int] = [:]
        for record in simulated where record.event.raw == nil && record.event.severity == "High" {
            matching["\(floorDiv(record.event.timestamp, rule.windowMs) * rule.windowMs)|\(record.event.user)", default: 0] += 1
        }

        for (key, events) in matching {
            let parts = key.split(separator: "|")
            let start = try #require(Int64(parts[0]))
            let user = String(parts[1])
            let counted = oracle[key] ?? 0
            let exactWindow = try #require(exactOutcome.window(start: start, user: user))
            #expect(exactWindow.count == CountRange(exactly: counted), "seed \(seed): exact mode disagrees with the reference for \(key)")
            let window = try #require(intervalOutcome.window(start: start, user: user))
            #expect(window.count.contains(counted), "seed \(seed): \(key) counted \(counted), interval \(window.count)")
            #expect(window.dropped.contains(events - counted), "seed \(seed): \(key) dropped \(events - counted), interval \(window.dropped)")
            totals.keys += 1
            totals.certain += window.count.lower
            totals.ambiguous += window.count.upper - window.count.lower
            totals.certainlyDropped += window.dropped.lower
        }
    }

    /// A random batching that obeys the model: strictly increasing snapshots; each batch reads a prefix of
    /// every partition's records readable by its snapshot; no record is read later than `slack` after it
    /// became readable (effectively: after every earlier record of its partition). The batching follows the
    /// records' true readability, which the tally does not know.
    private func simulateBatches(_ streams: [[SimulatedRecord]], slack: Int64, random: inout SplitMix64) -> [[SimulatedRecord]] {
        let readable: [[Int64]] = streams.map { records in
            var running = Int64.min
            return records.map { record in
                running = max(running, record.readableAt)
                return running
            }
        }
        var next = Array(repeating: 0, count: streams.count)
        let earliest = readable.compactMap(\.first).min() ?? base
        var snapshot = earliest + Int64.random(in: 0...slack, using: &random)
        var batches: [[SimulatedRecord]] = []
        while zip(next, streams).contains(where: { $0 < $1.count }) {
            let pending = streams.indices.compactMap { next[$0] < streams[$0].count ? readable[$0][next[$0]] : nil }
            // Short gaps bring batch n-2 close to batch n, where the highest watermark bound is reached.
            let gap = Bool.random(using: &random) ? max(1, slack / 10) : max(1, slack)
            var following = snapshot + Int64.random(in: 1...gap, using: &random)
            // Sometimes idle until data comes, as a detector with nothing to read does.
            if let soonest = pending.min(), soonest > snapshot, Bool.random(using: &random) {
                following = max(following, soonest + Int64.random(in: 0...slack, using: &random))
            }
            var batch: [SimulatedRecord] = []
            for partition in streams.indices {
                var available = next[partition]
                while available < streams[partition].count, readable[partition][available] <= snapshot { available += 1 }
                var forced = next[partition]
                while forced < available, readable[partition][forced] + slack < following { forced += 1 }
                // Read everything, only what cannot wait (the latest reads the model allows), or in between.
                let end = switch Int.random(in: 0..<3, using: &random) {
                case 0: available
                case 1: forced
                default: Int.random(in: forced...available, using: &random)
                }
                batch += streams[partition][next[partition]..<end]
                next[partition] = end
            }
            batches.append(batch)
            snapshot = following
        }
        return batches + [[], []]
    }
}
