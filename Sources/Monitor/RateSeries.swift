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

    /// Per second over the last `overMs`: the least-squares slope of the totals in that span, so that a
    /// total that moves in steps (a consumer group committing once per micro-batch) still gives a steady
    /// rate; nil with fewer than two points in it.
    public func rate(overMs: Int64 = 6_000) -> Double? {
        guard let last = points.last else { return nil }
        let recent = points.filter { $0.atMs >= last.atMs - overMs }
        guard recent.count >= 2, let first = recent.first, last.atMs > first.atMs else { return nil }
        let xs = recent.map { Double($0.atMs - first.atMs) / 1_000 }
        let ys = recent.map { Double($0.total - first.total) }
        let meanX = xs.reduce(0, +) / Double(xs.count)
        let meanY = ys.reduce(0, +) / Double(ys.count)
        let covariance = zip(xs, ys).map { ($0 - meanX) * ($1 - meanY) }.reduce(0, +)
        let variance = xs.map { ($0 - meanX) * ($0 - meanX) }.reduce(0, +)
        return variance > 0 ? covariance / variance : nil
    }

    public static func == (lhs: RateSeries, rhs: RateSeries) -> Bool {
        lhs.keepMs == rhs.keepMs && lhs.points.elementsEqual(rhs.points) { $0.atMs == $1.atMs && $0.total == $1.total }
    }
}
