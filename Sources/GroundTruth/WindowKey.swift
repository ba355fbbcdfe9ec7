/// A tumbling event-time window of one user: the unit that alerts are about.
public struct WindowKey: Hashable, Sendable, Comparable, Codable {
    /// Window start, epoch milliseconds.
    public var start: Int64
    /// The user.
    public var user: UserKey

    public init(start: Int64, user: UserKey) {
        self.start = start
        self.user = user
    }

    public static func < (lhs: WindowKey, rhs: WindowKey) -> Bool {
        lhs.start != rhs.start ? lhs.start < rhs.start : lhs.user < rhs.user
    }
}

/// Tumbling windows `[k * size, (k + 1) * size)` aligned to the epoch.
struct WindowGrid: Sendable {
    let size: Int64

    /// The start of the window holding `time`, or nil when the window or its end would not fit in 64 bits.
    func start(of time: Int64) -> Int64? {
        let (start, overflow) = time.flooredDivision(by: size).multipliedReportingOverflow(by: size)
        guard !overflow, !start.addingReportingOverflow(size).overflow else { return nil }
        return start
    }
}
