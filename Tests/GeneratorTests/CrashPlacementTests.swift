import EventModel
import Generator
import Testing

@Suite("Crash-term placement")
struct CrashPlacementTests {
    @Test("exactly crash-rate term events in every second", arguments: [(5_000, 100), (10, 10), (7, 0), (1_000, 999), (64, 1), (65, 33)])
    func exactPerSecond(rps: Int, rate: Int) throws {
        var placement = try CrashPlacement(recordsPerSecond: rps, crashRate: rate, seed: 3)
        for second in 0..<30 {
            let start = UInt64(second * rps)
            let count = (start..<start + UInt64(rps)).filter { placement.carriesTerm($0) }.count
            #expect(count == rate, "second \(second)")
        }
    }

    @Test("positions differ between seconds and seeds, and repeat for the same seed, in any order of asking")
    func positions() throws {
        func positions(seed: UInt64, second: UInt64) throws -> [UInt64] {
            var placement = try CrashPlacement(recordsPerSecond: 1_000, crashRate: 20, seed: seed)
            return (second * 1_000..<(second + 1) * 1_000).filter { placement.carriesTerm($0) }
        }
        #expect(try positions(seed: 1, second: 0) != positions(seed: 1, second: 1).map { $0 - 1_000 })
        #expect(try positions(seed: 1, second: 0) != positions(seed: 2, second: 0))
        #expect(try positions(seed: 1, second: 5) == positions(seed: 1, second: 5))
        var placement = try CrashPlacement(recordsPerSecond: 1_000, crashRate: 20, seed: 1)
        _ = placement.carriesTerm(9_999)
        #expect(try (0..<1_000).filter { placement.carriesTerm($0) } == positions(seed: 1, second: 0))
    }

    @Test("a crash rate above the rate of records is refused")
    func refused() {
        let error = #expect(throws: SettingError.self) { try CrashPlacement(recordsPerSecond: 10, crashRate: 11, seed: 0) }
        #expect(error?.setting == "--crash-rate")
        #expect(throws: SettingError.self) { try CrashPlacement(recordsPerSecond: 10, crashRate: -1, seed: 0) }
    }

    @Test("synthesized along the timetable, every second carries exactly crash-rate events with the term")
    func synthesizedSeconds() throws {
        var settings = GeneratorSettings()
        settings.recordsPerSecond = 2_000
        settings.crashRate = 37
        settings.decoyFraction = 0.05
        settings.malformedFraction = 0.05
        settings.lateFraction = 0.1
        let synthesizer = try EventSynthesizer(settings: settings, worker: 4)
        var placement = try CrashPlacement(settings: settings, worker: 4)
        let timetable = try Timetable(recordsPerSecond: settings.recordsPerSecond, startNs: 0, startEpochMs: 1_769_000_000_000)
        let value = RecordBuffer()
        let key = RecordBuffer()
        var perSecond = [Int](repeating: 0, count: 20)
        for index in UInt64(0)..<UInt64(20 * settings.recordsPerSecond) {
            let facts = synthesizer.synthesize(
                sequence: index, scheduledMs: timetable.scheduledEpochMs(of: index), carriesTerm: placement.carriesTerm(index),
                value: value, key: key)
            #expect(facts.scheduledMs / 1_000 - 1_769_000_000 == Int64(timetable.second(of: index)))
            if facts.flags.contains(.termCaseInsensitive) {
                perSecond[Int(timetable.second(of: index))] += 1
                #expect(String(decoding: value.bytes, as: UTF8.self).lowercased().contains("crash"))
            }
        }
        #expect(perSecond == [Int](repeating: 37, count: 20))
    }
}
