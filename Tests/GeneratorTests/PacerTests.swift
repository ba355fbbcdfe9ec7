import Foundation
import Generator
import Testing

@Suite("Pacing with a manual clock")
struct PacerTests {
    @Test("10⁶ events at 10⁶/s: handed out in order, none skipped, each exactly when due")
    func millionEvents() throws {
        let clock = ManualClock(startNs: 1_000)
        let timetable = try Timetable(recordsPerSecond: 1_000_000, startNs: 1_000, startEpochMs: 0)
        var pacer = Pacer(timetable: timetable, clock: clock)
        var handedOut: UInt64 = 0
        while pacer.nextIndex < 1_000_000 {
            let batch = pacer.awaitDue(limit: 4_096)
            #expect(batch.lowerBound == handedOut)
            handedOut = batch.upperBound
            pacer.markSent(batch)
        }
        #expect(handedOut == 1_000_000)
        // The manual clock only ever slept to the next due time, so the last event went out at its due time,
        // 999,999 µs after the start, and no event was late.
        #expect(clock.nowNs() == 1_000 + 999_999_000)
        #expect(pacer.lag.count == 1_000_000)
        #expect(pacer.lag.maxNs == 0)
        #expect(clock.sleeps == 1_000_000 - 1)
    }

    @Test("a stalled sender catches up without skipping, and the lag shows the stall")
    func stall() throws {
        let clock = ManualClock()
        let timetable = try Timetable(recordsPerSecond: 1_000, startNs: 0, startEpochMs: 0)
        var pacer = Pacer(timetable: timetable, clock: clock)
        while pacer.nextIndex < 500 { pacer.markSent(pacer.awaitDue(limit: 100)) }
        #expect(pacer.lag.maxNs == 0)
        #expect(clock.nowNs() == 499_000_000)

        clock.advance(byNs: 2_000_000_000)
        var caughtUp: [Range<UInt64>] = []
        while pacer.nextIndex < 2_500 {
            let batch = pacer.awaitDue(limit: 700)
            caughtUp.append(batch)
            pacer.markSent(batch)
        }
        // Everything due by 2.499 s came at once, in batches of at most 700, and the clock never slept.
        #expect(caughtUp == [500..<1_200, 1_200..<1_900, 1_900..<2_500])
        #expect(clock.nowNs() == 2_499_000_000)
        // Event 500 was due at 0.5 s and sent at 2.499 s.
        #expect(pacer.lag.maxNs == 1_999_000_000)
        #expect(pacer.lag.count == 2_500)
        // 501 lags of 0 (the on-time events and event 2,499), then 1 ms ... 1,999 ms: the 2,475th of the 2,500
        // is 1,974 ms.
        let p99 = Double(pacer.lag.p99Ns)
        #expect(abs(p99 - 1_974_000_000) / 1_974_000_000 < 0.002, "p99 \(p99)")
        #expect(pacer.lag.p50Ns < 1_000_000_000)
    }
}

@Suite("Schedule lag")
struct ScheduleLagTests {
    @Test("percentiles, exact maximum, and merging across workers")
    func merge() throws {
        var first = ScheduleLag()
        var second = ScheduleLag()
        for value in 1...1_000 { first.record(lagNs: UInt64(value) * 1_000_000) }
        for _ in 1...1_000 { second.record(dueNs: 10_000, sentNs: 10_000) }
        second.record(lagNs: 90_000_000_000_001)
        #expect(abs(Double(first.p50Ns) - 500_000_000) / 500_000_000 < 0.002)
        #expect(abs(Double(first.p99Ns) - 990_000_000) / 990_000_000 < 0.002)
        #expect(first.maxNs == 1_000_000_000)

        var merged = first
        merged.merge(second)
        #expect(merged.count == 2_001)
        // Beyond a day the histogram clamps, but the exact maximum survives.
        #expect(merged.maxNs == 90_000_000_000_001)
        // 1,000 zeros, then 1 ms ... 1,000 ms and one huge lag: the 1,001st of 2,001 is 1 ms.
        #expect(abs(Double(merged.p50Ns) - 1_000_000) / 1_000_000 < 0.002)
        let summary = merged.summary
        #expect(summary.count == 2_001)
        #expect(summary.maxMs == 90_000_000.000001)

        let decoded = try JSONDecoder().decode(ScheduleLag.self, from: JSONEncoder().encode(merged))
        #expect(decoded == merged)
    }

    @Test("an early send counts as on time, not as a huge unsigned lag")
    func early() {
        var lag = ScheduleLag()
        lag.record(dueNs: 2_000, sentNs: 1_000)
        #expect(lag.maxNs == 0)
    }
}

@Suite("Monotonic clock")
struct MonotonicClockTests {
    @Test("readings never go back, and sleep returns at or after its deadline")
    func monotonic() {
        let clock = MonotonicClock()
        var previous = clock.nowNs()
        for _ in 0..<1_000 {
            let now = clock.nowNs()
            #expect(now >= previous)
            previous = now
        }
        let deadline = clock.nowNs() + 2_000_000
        clock.sleep(untilNs: deadline)
        #expect(clock.nowNs() >= deadline)
    }
}
