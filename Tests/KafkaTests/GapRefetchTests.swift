import Kafka
import Testing

@Suite("GapRefetch: a gap in the offsets is fetched again before it is read past")
struct GapRefetchTests {
    @Test("a gap is fetched again from its start, and the partition's later records wait for the move")
    func gapIsFetchedAgain() {
        var gaps = GapRefetch(attempts: 3)
        #expect(gaps.check(partition: 1, offset: 15, expected: 10) == .fetchAgain)
        #expect(gaps.check(partition: 1, offset: 16, expected: 10) == .fetchAgain)
        #expect(gaps.hasMoves)
        #expect(gaps.takeMoves(topic: "t") == [TopicPartition(topic: "t", partition: 1, offset: 10)])
        #expect(!gaps.hasMoves)
        #expect(gaps.takeMoves(topic: "t").isEmpty)
        #expect(gaps.gapsFetchedAgain == 1)
        #expect(gaps.skippedOffsets == 0)
    }

    @Test("a gap still there after every attempt is read past, once, and its offsets are counted")
    func persistentGapIsAccepted() {
        var gaps = GapRefetch(attempts: 2)
        var accepted: [(Int32, Range<Int64>)] = []
        for _ in 0..<2 {
            #expect(gaps.check(partition: 3, offset: 7, expected: 4) { accepted.append(($0, $1)) } == .fetchAgain)
            _ = gaps.takeMoves(topic: "t")
        }
        #expect(gaps.check(partition: 3, offset: 7, expected: 4) { accepted.append(($0, $1)) } == .readOn)
        #expect(accepted.count == 1)
        #expect(accepted.first?.0 == 3)
        #expect(accepted.first?.1 == 4..<7)
        #expect(gaps.skippedOffsets == 3)
        #expect(gaps.gapsFetchedAgain == 2)
        // A later gap of the same partition gets every attempt again.
        #expect(gaps.check(partition: 3, offset: 20, expected: 9) == .fetchAgain)
    }

    @Test("a new gap starts its attempts afresh, and a forgotten partition is not moved")
    func attemptsArePerGap() {
        var gaps = GapRefetch(attempts: 1)
        #expect(gaps.check(partition: 0, offset: 5, expected: 2) == .fetchAgain)
        _ = gaps.takeMoves(topic: "t")
        // The first gap's records came; the next gap lies further on.
        #expect(gaps.check(partition: 0, offset: 9, expected: 6) == .fetchAgain)
        #expect(gaps.check(partition: 2, offset: 9, expected: 6) == .fetchAgain)
        gaps.forget(0)
        #expect(gaps.takeMoves(topic: "t") == [TopicPartition(topic: "t", partition: 2, offset: 6)])
    }

    @Test("a contiguous reader takes each record once, leaves a gap's later records, and goes on after the move")
    func contiguousReading() {
        var reading = ContiguousReading()
        let taken = [0, 1, 3, 4].map { reading.admit(partition: 1, offset: $0) }
        // Offset 2 is missing: 3 waits for the fetch from 2, and so does 4 of the same fetch.
        #expect(taken == [true, true, false, false])
        #expect(reading.takeMoves(topic: "t") == [TopicPartition(topic: "t", partition: 1, offset: 2)])
        // The fetch again: a record already taken is not taken twice.
        let again = [1, 2, 3].map { reading.admit(partition: 1, offset: $0) }
        #expect(again == [false, true, true])
        #expect(reading.nextOffset(of: 1) == 4 && reading.nextOffset(of: 0) == 0)
    }

    @Test("reading starts at offset 0, not at a partition's first record")
    func startAtZero() {
        var reading = ContiguousReading()
        // A first read that began at 308 (as Tansu's "earliest" now and then does): fetched again from 0.
        #expect(reading.admit(partition: 3, offset: 308) == false)
        #expect(reading.takeMoves(topic: "t") == [TopicPartition(topic: "t", partition: 3, offset: 0)])
        let taken = [0, 1, 2].map { reading.admit(partition: 3, offset: $0) }
        #expect(taken == [true, true, true])
        #expect(reading.nextOffset(of: 3) == 3 && reading.nextOffset(of: 0) == 0)
    }
}
