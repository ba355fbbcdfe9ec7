import EventModel
import Testing

@Suite("Late events")
struct LateEventTests {
    /// Expected lateness ranges, written from the generator's documented classes for a 30 s watermark and 10 s window.
    static let classes: [(LateClass, Lateness, ClosedRange<Int64>)] = [
        (.within, .within, 1_000...18_000),
        (.boundary, .boundary, 20_000...40_000),
        (.beyond, .beyond, 45_000...90_000),
        (.range(minMs: 5_000, maxMs: 6_000), .explicitRange, 5_000...6_000),
    ]

    @Test("late events fall in their class's bounds at the configured fraction", arguments: 0..<4)
    func bounds(index: Int) throws {
        let (lateClass, lateness, expected) = Self.classes[index]
        var settings = testSettings()
        settings.lateFraction = 0.2
        settings.lateClass = lateClass
        let all = try samples(settings, count: 20_000)
        let late = all.filter { $0.facts.lateness != .onTime }
        for sample in late {
            #expect(sample.facts.lateness == lateness)
            #expect(expected.contains(sample.facts.scheduledMs - sample.facts.eventTimeMs))
            #expect(sample.object?["timestamp"] as? Int64 == sample.facts.eventTimeMs || sample.object == nil)
        }
        // 20% of 20,000: 4,000 expected, standard deviation about 57.
        #expect(late.count > 3_700 && late.count < 4_300, "\(late.count) late events")
        let latenesses = late.map { $0.facts.scheduledMs - $0.facts.eventTimeMs }
        let span = expected.upperBound - expected.lowerBound
        #expect((latenesses.min() ?? 0) < expected.lowerBound + span / 10)
        #expect((latenesses.max() ?? 0) > expected.upperBound - span / 10)
        #expect(late.contains { $0.facts.flags.contains(.termCaseInsensitive) }, "term events are made late too")
    }
}
