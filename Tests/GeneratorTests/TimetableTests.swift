import EventModel
import Generator
import Testing

@Suite("Open-loop timetable")
struct TimetableTests {
    /// ⌊index × 10⁹ / rate⌋ in 128-bit arithmetic, independent of the timetable's own decomposition.
    static func expectedOffset(_ index: UInt64, rate: Int) -> UInt64 {
        UInt64(UInt128(index) * 1_000_000_000 / UInt128(rate))
    }

    @Test("due times are exact and due counts agree with them", arguments: [1, 3, 7, 1_000, 999_983, 1_000_000, 7_000_000])
    func exact(rate: Int) throws {
        let timetable = try Timetable(recordsPerSecond: rate, startNs: 5_000_000_000, startEpochMs: 1_769_000_000_000)
        var indexes: [UInt64] = Array(0..<2_000)
        for hour in [UInt64(1), 3, 24] {
            let exactlyThere = hour * 3_600 * UInt64(rate)
            indexes += [exactlyThere - 1, exactlyThere, exactlyThere + 1]
        }
        for index in indexes {
            let due = timetable.dueNs(of: index)
            #expect(due == 5_000_000_000 + Self.expectedOffset(index, rate: rate))
            #expect(timetable.dueCount(atNs: due) >= index + 1)
            if index == 0 || timetable.dueNs(of: index - 1) < due {
                #expect(timetable.dueCount(atNs: due - 1) == index)
            }
        }
        // No drift: a whole number of seconds after the start, exactly rate × seconds events are due before it.
        #expect(timetable.dueNs(of: 3 * 3_600 * UInt64(rate)) == 5_000_000_000 + 3 * 3_600 * 1_000_000_000)
        #expect(timetable.dueCount(atNs: 5_000_000_000 + 10_800 * 1_000_000_000 - 1) == 10_800 * UInt64(rate))
        #expect(timetable.dueCount(atNs: 4_999_999_999) == 0)
    }

    @Test("scheduled epoch times and the one-second blocks")
    func epochAndSeconds() throws {
        let timetable = try Timetable(recordsPerSecond: 4, startNs: 100, startEpochMs: 1_769_000_000_000)
        #expect((0..<9).map { timetable.scheduledEpochMs(of: $0) } == [0, 250, 500, 750, 1_000, 1_250, 1_500, 1_750, 2_000].map { 1_769_000_000_000 + $0 })
        #expect((0..<9).map { timetable.second(of: $0) } == [0, 0, 0, 0, 1, 1, 1, 1, 2])
        #expect(timetable.epochUs(atNs: 100 + 2_500_000) == 1_769_000_000_000_000 + 2_500)
    }

    @Test("a rate outside 1 ... 10⁹ is refused")
    func badRate() {
        for rate in [0, -5, 2_000_000_000] {
            #expect(throws: SettingError.self) { try Timetable(recordsPerSecond: rate, startNs: 0, startEpochMs: 0) }
        }
    }

    @Test("huge indexes saturate instead of trapping")
    func saturation() throws {
        let timetable = try Timetable(recordsPerSecond: 1, startNs: 10, startEpochMs: 0)
        #expect(timetable.dueNs(of: .max) == .max)
        #expect(timetable.dueCount(atNs: .max) == UInt64.max / 1_000_000_000 + 1)
    }
}
