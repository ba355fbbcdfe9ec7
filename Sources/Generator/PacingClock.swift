#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clock a pacer reads and sleeps on, in nanoseconds on a monotonic scale (its zero means nothing).
public protocol PacingClock {
    /// The current reading.
    func nowNs() -> UInt64
    /// Returns once the reading is at or past `deadlineNs`.
    func sleep(untilNs deadlineNs: UInt64)
}

/// The operating system's monotonic clock: unaffected by wall-clock changes, so a timetable never jumps.
public struct MonotonicClock: PacingClock, Sendable {
    public init() {}

    public func nowNs() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    public func sleep(untilNs deadlineNs: UInt64) {
        // Absolute deadlines: an interrupted or late wake-up never shifts the next one.
        var deadline = timespec(tv_sec: Int(deadlineNs / 1_000_000_000), tv_nsec: Int(deadlineNs % 1_000_000_000))
        while nowNs() < deadlineNs {
            _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nil)
        }
    }
}

/// A clock that moves only when told to, for tests: `sleep` jumps straight to the deadline, and `advance`
/// simulates a sender that stalls. A class so that the test and the pacer share one reading; one thread only.
public final class ManualClock: PacingClock {
    private var reading: UInt64
    /// How many times something slept on this clock.
    public private(set) var sleeps = 0

    /// A clock reading `startNs`.
    public init(startNs: UInt64 = 0) {
        reading = startNs
    }

    public func nowNs() -> UInt64 { reading }

    public func sleep(untilNs deadlineNs: UInt64) {
        sleeps += 1
        reading = max(reading, deadlineNs)
    }

    /// Moves the reading forward by `nanoseconds`.
    public func advance(byNs nanoseconds: UInt64) {
        reading += nanoseconds
    }
}
