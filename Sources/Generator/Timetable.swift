import EventModel

/// An open-loop timetable: event i is due at `start + i / rate`, whatever happened to the events before it.
///
/// All arithmetic is in integer nanoseconds, computed per event from the start rather than accumulated, so
/// there is no drift: at a million events per second, event 3.6 × 10⁹ is due exactly one hour after event 0.
public struct Timetable: Sendable, Equatable {
    /// Events per second.
    public let recordsPerSecond: Int
    /// When event 0 is due, on the pacing clock (nanoseconds).
    public let startNs: UInt64
    /// The wall-clock time of `startNs`, epoch milliseconds: event timestamps are scheduled from it, so that
    /// all workers started together share one time base.
    public let startEpochMs: Int64

    private static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// A timetable of `recordsPerSecond` events per second starting at `startNs`.
    public init(recordsPerSecond: Int, startNs: UInt64, startEpochMs: Int64) throws(SettingError) {
        guard recordsPerSecond >= 1, recordsPerSecond <= 1_000_000_000 else {
            throw SettingError(setting: "--rps", input: "\(recordsPerSecond)", reason: "must be between 1 and 1000000000")
        }
        self.recordsPerSecond = recordsPerSecond
        self.startNs = startNs
        self.startEpochMs = startEpochMs
    }

    /// Nanoseconds from the start until event `index` is due: ⌊index × 10⁹ / rate⌋. Saturates at `UInt64.max`
    /// (never due) for indexes more than five centuries out.
    public func offsetNs(of index: UInt64) -> UInt64 {
        let rate = UInt64(recordsPerSecond)
        // index = q·rate + r, so index·10⁹/rate = q·10⁹ + r·10⁹/rate; r·10⁹ stays below 10¹⁸.
        let (whole, overflow) = (index / rate).multipliedReportingOverflow(by: Self.nanosecondsPerSecond)
        let (sum, overflow2) = whole.addingReportingOverflow((index % rate) * Self.nanosecondsPerSecond / rate)
        return overflow || overflow2 ? .max : sum
    }

    /// When event `index` is due on the pacing clock.
    public func dueNs(of index: UInt64) -> UInt64 {
        let (due, overflow) = startNs.addingReportingOverflow(offsetNs(of: index))
        return overflow ? .max : due
    }

    /// How many events are due at `nowNs`: every event whose due time is at or before it.
    public func dueCount(atNs nowNs: UInt64) -> UInt64 {
        guard nowNs >= startNs else { return 0 }
        // Events i with ⌊i·10⁹/rate⌋ ≤ e are those with i < (e+1)·rate/10⁹; there are ⌈(e+1)·rate/10⁹⌉ of them.
        let (afterElapsed, overflow) = (nowNs - startNs).addingReportingOverflow(1)
        let elapsedPlusOne = overflow ? nowNs - startNs : afterElapsed
        let rate = UInt64(recordsPerSecond)
        let seconds = elapsedPlusOne / Self.nanosecondsPerSecond
        let rest = elapsedPlusOne % Self.nanosecondsPerSecond
        let fraction = (rest * rate + Self.nanosecondsPerSecond - 1) / Self.nanosecondsPerSecond
        let (whole, overflow2) = seconds.multipliedReportingOverflow(by: rate)
        let (count, overflow3) = whole.addingReportingOverflow(fraction)
        return overflow2 || overflow3 ? .max : count
    }

    /// Event `index`'s scheduled time, epoch milliseconds: the `timestamp` of an on-time event.
    public func scheduledEpochMs(of index: UInt64) -> Int64 {
        startEpochMs &+ Int64(offsetNs(of: index) / 1_000_000)
    }

    /// The wall-clock time of a pacing-clock reading, epoch microseconds: for the manifest's send and ack
    /// times, without a second clock read per event.
    public func epochUs(atNs nowNs: UInt64) -> Int64 {
        let startUs = startEpochMs &* 1_000
        return nowNs >= startNs ? startUs &+ Int64((nowNs - startNs) / 1_000) : startUs &- Int64((startNs - nowNs) / 1_000)
    }

    /// The one-second block of the timetable that event `index` falls in (events `s·rate ..< (s+1)·rate`).
    public func second(of index: UInt64) -> UInt64 {
        index / UInt64(recordsPerSecond)
    }
}
