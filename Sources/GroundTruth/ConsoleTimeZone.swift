/// The time zone in which Spark's console sink printed window bounds: Spark prints them in the session time
/// zone without naming it, so the reader is told the zone (`validate --timezone`).
///
/// A named zone's offset follows its daylight-saving rules, so windows on both sides of a change read
/// right. A printed time that a change repeats (the hour after clocks go back) is read as its first
/// instant; one that a change skips, with the offset from before the change. Spark's own output is
/// ambiguous there too.
public struct ConsoleTimeZone: Sendable {
    /// The zone as the user wrote it: `UTC`, `+02:00`, `Europe/Paris`.
    public let name: String
    /// The zone's offset from UTC in seconds at an instant given in epoch seconds.
    private let offsetAt: @Sendable (Int64) -> Int

    /// A zone whose offset at an instant (epoch seconds) `offsetAt` gives; at most one offset change may
    /// fall within 14 hours of any instant, as in every real zone.
    public init(name: String, offsetAt: @escaping @Sendable (Int64) -> Int) {
        self.name = name
        self.offsetAt = offsetAt
    }

    /// A zone that is always `offsetSeconds` ahead of UTC.
    public static func fixed(name: String, offsetSeconds: Int) -> ConsoleTimeZone {
        ConsoleTimeZone(name: name) { _ in offsetSeconds }
    }

    /// Coordinated Universal Time, Spark's default session zone in the course setup.
    public static let utc = ConsoleTimeZone.fixed(name: "UTC", offsetSeconds: 0)

    /// The largest distance of any zone from UTC, 14 hours, in seconds.
    private static let widestOffset: Int64 = 14 * 3_600

    /// Epoch seconds of a printed wall-clock time, given as seconds since 1970-01-01 00:00:00 as printed.
    func epochSeconds(ofWallClock local: Int64) -> Int64 {
        let before = local - Int64(offsetAt(local - Self.widestOffset))
        let after = local - Int64(offsetAt(local + Self.widestOffset))
        let readsBack = [before, after].filter { $0 + Int64(offsetAt($0)) == local }
        return readsBack.min() ?? before
    }
}
