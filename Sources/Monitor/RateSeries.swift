/// A running total observed over time (records in a topic, records processed, alerts written), and its rate.
public struct RateSeries: Sendable, Equatable {
    /// (time ms, total) pairs, oldest first; kept for `keepMs`.
    public private(set) var points: [(atMs: Int64, total: Int64)] = []
    /// How much history is kept, ms.
    public var keepMs: Int64

    public init(keepMs: Int64 = 60_000) {
        self.keepMs = keepMs
    }

    /// Adds an observation; a total that went down (a restart that lost its counters) restarts the series.
    public mutating func add(atMs: Int64, total: Int64) {
        if let last = points.last, total < last.total { points.removeAll() }
        points.append((atMs, total))
        points.removeAll { $0.atMs < atMs - keepMs }
    }

    /// The latest total.
    public var total: Int64? { points.last?.total }

    /// Per second over the last `overMs` (from the oldest point in that span to the newest); nil with fewer
    /// than two points in it.
    public func rate(overMs: Int64 = 3_000) -> Double? {
        guard let last = points.last, let first = points.first(where: { $0.atMs >= last.atMs - overMs }),
            last.atMs > first.atMs
        else { return nil }
        return Double(last.total - first.total) * 1_000 / Double(last.atMs - first.atMs)
    }

    public static func == (lhs: RateSeries, rhs: RateSeries) -> Bool {
        lhs.keepMs == rhs.keepMs && lhs.points.elementsEqual(rhs.points) { $0.atMs == $1.atMs && $0.total == $1.total }
    }
}
