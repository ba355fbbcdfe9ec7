import Contracts
@testable import Detector
import Testing

/// Snapshots: a restored engine continues exactly as the uninterrupted one, and partition state moves.
@Suite("Window engine: snapshots")
struct SnapshotTests {
    static let base: Int64 = 1_769_000_000_000

    /// A random stream of batches over four partitions: users keyed to partitions, some late rows, some
    /// malformed ones, a few user ids that are not `user_N`, and empty batches.
    static func batches(seed: UInt64, count: Int) -> [[(partition: Int32, json: String)]] {
        var generator = SplitMix64(state: seed)
        var clock = base
        return (0..<count).map { _ in
            clock += Int64.random(in: 0..<8_000, using: &generator)
            return (0..<Int.random(in: 0..<40, using: &generator)).map { _ in
                let user = Int.random(in: 0..<12, using: &generator)
                let name = user < 10 ? "user_\(1000 + user)" : "named-\(user)"
                let partition = Int32(user % 4)
                let roll = Int.random(in: 0..<100, using: &generator)
                if roll < 3 { return (partition, "{\"timestamp\": 1, \"user_id\": \"\(name)\"}") }
                let lateness: Int64 = roll < 10 ? Int64.random(in: 20_000..<90_000, using: &generator) : 0
                let time = clock - lateness - Int64.random(in: 0..<3_000, using: &generator)
                let content = roll < 60 ? "app crash" : "all fine"
                return (partition, eventJSON(time, user: name, content: content))
            }
        }
    }

    static func run(_ engine: inout WindowEngine, _ batch: [(partition: Int32, json: String)]) -> BatchOutcome {
        engine.beginBatch()
        for (partition, json) in batch { engine.ingest(json, partition: partition) }
        return engine.endBatch(now: 0)
    }

    @Test(arguments: [OutputMode.update, .append])
    func resumingFromASnapshotEqualsRunningUninterrupted(mode: OutputMode) throws {
        let rule = RuleSettings(mode: mode)
        let batches = Self.batches(seed: 11, count: 60)
        var uninterrupted = try WindowEngine(rule: rule)
        let expected = batches.map { Self.run(&uninterrupted, $0) }
        #expect(expected.contains { !$0.alerts.isEmpty })
        #expect(uninterrupted.stats.lateDropped > 0)

        for cut in [1, 17, 40] {
            var first = try WindowEngine(rule: rule)
            var outcomes = batches[..<cut].map { Self.run(&first, $0) }
            var resumed = try WindowEngine(rule: rule)
            try resumed.restore(first.snapshot())
            #expect(resumed.snapshot() == first.snapshot())
            outcomes += batches[cut...].map { Self.run(&resumed, $0) }
            #expect(outcomes == expected, "cut after batch \(cut)")
            #expect(resumed.stats == uninterrupted.stats)
            #expect(resumed.snapshot() == uninterrupted.snapshot())
        }
    }

    @Test func aRoundTripKeepsBatchIdWatermarksAndTotals() throws {
        var engine = try WindowEngine(rule: RuleSettings())
        for batch in Self.batches(seed: 3, count: 20) { _ = Self.run(&engine, batch) }
        var copy = try WindowEngine(rule: RuleSettings())
        try copy.restore(engine.snapshot())
        #expect(copy.nextBatch == engine.nextBatch)
        #expect(copy.beginBatch() == engine.beginBatch())
        #expect(copy.stats == engine.stats)
        #expect(copy.partitions == engine.partitions)
    }

    @Test func aPartitionsStateMovesToAnotherEngine() throws {
        let batches = Self.batches(seed: 5, count: 30)
        var whole = try WindowEngine(rule: RuleSettings(threshold: 1))
        for batch in batches[..<20] { _ = Self.run(&whole, batch) }

        // Another engine at the same watermark takes partition 2 over; the first drops it.
        var taker = try WindowEngine(rule: RuleSettings(threshold: 1))
        try taker.restore(whole.snapshot())
        for partition in taker.partitions where partition != 2 { taker.dropPartition(partition) }
        var giver = try WindowEngine(rule: RuleSettings(threshold: 1))
        try giver.restore(whole.snapshot())
        let handed = giver.partitionSnapshot(2)
        giver.dropPartition(2)
        #expect(giver.partitions == [0, 1, 3])
        var receiver = try WindowEngine(rule: RuleSettings(threshold: 1))
        try receiver.restore(taker.snapshot())
        receiver.dropPartition(2)
        #expect(try receiver.loadPartition(handed) == 2)
        #expect(receiver.partitionSnapshot(2) == whole.partitionSnapshot(2))

        // The receiver, built from handed-on state, goes on exactly as the engine that kept partition 2.
        #expect(receiver.snapshot() == taker.snapshot())
        for batch in batches[20...] {
            let rows = batch.filter { $0.partition == 2 }
            #expect(Self.run(&receiver, rows) == Self.run(&taker, rows))
        }
        #expect(receiver.snapshot() == taker.snapshot())
        #expect(taker.stats.alertsEmitted > 0)
    }

    @Test func loadingReplacesAPartitionsStateAndKeepsTheWatermark() throws {
        var source = try WindowEngine(rule: RuleSettings(threshold: 0))
        _ = Self.run(&source, [(1, eventJSON(Self.base, user: "named")), (1, eventJSON(Self.base + 1, user: "user_7"))])
        var target = try WindowEngine(rule: RuleSettings(threshold: 0))
        _ = Self.run(&target, [(1, eventJSON(Self.base + 100_000))])
        _ = Self.run(&target, [])
        let watermarks = target.beginBatch()
        try target.loadPartition(source.partitionSnapshot(1))
        #expect(target.beginBatch() == watermarks)
        #expect(target.partitionSnapshot(1) == source.partitionSnapshot(1))
        _ = target.endBatch(now: 0)
    }

    @Test func snapshotOfAPartitionWithoutStateHoldsNoCells() throws {
        var engine = try WindowEngine(rule: RuleSettings())
        let empty = engine.partitionSnapshot(9)
        #expect(try engine.loadPartition(empty) == 9)
        #expect(engine.stats.openWindows == 0)
    }

    @Test func damagedSnapshotsAreRefusedAndLeaveTheEngineAsItWas() throws {
        var engine = try WindowEngine(rule: RuleSettings())
        for batch in Self.batches(seed: 9, count: 10) { _ = Self.run(&engine, batch) }
        let good = engine.snapshot()
        var flipped = good
        flipped[flipped.count / 2] ^= 0x01
        var target = try WindowEngine(rule: RuleSettings())
        let before = target.snapshot()
        #expect(throws: SnapshotError.self) { try target.restore(flipped) }
        #expect(throws: SnapshotError.self) { try target.restore(Array(good.dropLast())) }
        #expect(throws: SnapshotError.self) { try target.restore([]) }
        #expect(throws: SnapshotError.self) { try target.restore(engine.partitionSnapshot(0)) }
        #expect(throws: SnapshotError.self) { try target.loadPartition(good) }
        #expect(target.snapshot() == before)
        var otherWindow = try WindowEngine(rule: RuleSettings(windowMs: 5_000))
        #expect(throws: SnapshotError.self) { try otherWindow.restore(good) }
    }
}
