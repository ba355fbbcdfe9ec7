import EventModel
import Generator
import Testing

@Suite("Records awaiting their delivery report")
struct PendingRingTests {
    private func facts(_ sequence: UInt64) -> EventFacts {
        EventFacts(
            sequence: sequence, scheduledMs: Int64(sequence), eventTimeMs: Int64(sequence), userIndex: UInt32(sequence % 7),
            severity: .high, flags: [], malformed: nil, lateness: .onTime)
    }

    @Test("reports in any order find their records; a wrong or repeated sequence finds none")
    func outOfOrder() {
        let ring = PendingRing(minimumCapacity: 5)
        #expect(ring.capacity == 8)
        for sequence in UInt64(0)..<8 { ring.insert(facts(sequence), sendTimeUs: Int64(sequence) * 10) }
        #expect(ring.count == 8)
        #expect(!ring.isFree(8))
        #expect(ring.remove(8) == nil)
        for sequence in [UInt64(5), 0, 7, 3] {
            let entry = ring.remove(sequence)
            #expect(entry?.facts == facts(sequence))
            #expect(entry?.sendTimeUs == Int64(sequence) * 10)
        }
        #expect(ring.remove(5) == nil)
        #expect(ring.isFree(8))
        #expect(!ring.isFree(9))
        ring.insert(facts(8), sendTimeUs: 1)
        ring.update(8, sendTimeUs: 99)
        #expect(ring.remove(8)?.sendTimeUs == 99)
        var left: [UInt64] = []
        ring.removeAll { left.append($0.facts.sequence) }
        #expect(left.sorted() == [1, 2, 4, 6])
        #expect(ring.count == 0)
    }
}
