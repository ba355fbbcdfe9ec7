import EventModel
import Generator
import Testing

@Suite("Worker counts")
struct SendTallyTests {
    @Test("partition ends are one past the highest acknowledged offset, merged by maximum; kinds are counted by name")
    func countsAndMerge() {
        var first = SendTally()
        var late = EventFacts(
            sequence: 0, scheduledMs: 0, eventTimeMs: -5, userIndex: 0, severity: .low, flags: [.termCaseInsensitive], malformed: nil,
            lateness: .beyond)
        first.count(late)
        first.acknowledge(partition: 2, offset: 41)
        first.acknowledge(partition: 2, offset: 7)
        var second = SendTally()
        late.malformed = .wrongType
        late.flags = []
        late.lateness = .onTime
        second.count(late)
        second.acknowledge(partition: 0, offset: 0)
        second.acknowledge(partition: 2, offset: 12)
        first.merge(second)
        #expect(first.partitionEndOffsets == ["0": 1, "2": 42])
        #expect(first.sent == 2)
        #expect(first.acknowledged == 4)
        #expect(first.termRecords == 1)
        #expect(first.latenessByName["beyond"] == 1)
        #expect(first.latenessByName["on-time"] == 1)
        #expect(first.malformedByName["wrong-type"] == 1)
        #expect(WorkerPlan.share(of: 10, worker: 0, of: 3) == 4)
        #expect((0..<3).map { WorkerPlan.share(of: 10, worker: $0, of: 3) }.reduce(0, +) == 10)
    }
}
