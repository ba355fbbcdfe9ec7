/// Drives a sender along a timetable, open loop: it hands out the events that are due, sleeping only when
/// none is, and records how late each one was sent. After a stall it hands out everything that fell due
/// meanwhile (in batches of at most the caller's limit); nothing is skipped and the lag shows the stall.
public struct Pacer<Clock: PacingClock> {
    /// The schedule.
    public let timetable: Timetable
    /// The clock it reads and sleeps on.
    public let clock: Clock
    /// The first event not yet handed out.
    public private(set) var nextIndex: UInt64 = 0
    /// Lag of the events marked sent.
    public private(set) var lag = ScheduleLag()

    public init(timetable: Timetable, clock: Clock) {
        self.timetable = timetable
        self.clock = clock
    }

    /// Waits until the next event is due, then hands out the events due now, at most `limit` of them.
    public mutating func awaitDue(limit: UInt64) -> Range<UInt64> {
        var due = timetable.dueCount(atNs: clock.nowNs())
        if due <= nextIndex {
            clock.sleep(untilNs: timetable.dueNs(of: nextIndex))
            due = max(timetable.dueCount(atNs: clock.nowNs()), nextIndex + 1)
        }
        let end = min(due, nextIndex + max(limit, 1))
        defer { nextIndex = end }
        return nextIndex..<end
    }

    /// Records that `events` are being sent now (one clock read for the batch) and returns the reading.
    @discardableResult
    public mutating func markSent(_ events: Range<UInt64>) -> UInt64 {
        let now = clock.nowNs()
        // A counting loop rather than `for … in`: unoptimized builds iterate a `Range<UInt64>` through
        // generic code that allocates on every step.
        var index = events.lowerBound
        while index < events.upperBound {
            lag.record(dueNs: timetable.dueNs(of: index), sentNs: now)
            index += 1
        }
        return now
    }
}
