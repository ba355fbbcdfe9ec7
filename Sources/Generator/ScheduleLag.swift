import Histogram

/// How late events were sent against their timetable: lag = actual send time − due time, one value per
/// event, in an HdrHistogram (1 µs resolution, 3 significant digits, up to a day; the exact maximum is kept
/// beside it). A late send is recorded, never hidden: this is how an overloaded generator shows itself.
/// Mergeable, so the coordinator can combine its workers' lags.
public struct ScheduleLag: Sendable, Codable, Equatable {
    private var histogram: Histogram<UInt64>
    /// The largest lag recorded, exactly (the histogram rounds, and clamps beyond a day).
    public private(set) var maxNs: UInt64 = 0

    /// Lags above this are counted at this value in the percentiles; `maxNs` still holds the real one.
    public static let highestTrackedNs: UInt64 = 86_400 * 1_000_000_000

    public init() {
        histogram = Histogram(lowestDiscernibleValue: 1_000, highestTrackableValue: Self.highestTrackedNs, numberOfSignificantValueDigits: .three)
    }

    /// Records one event sent at `sentNs` that was due at `dueNs` (a pacer never sends early; an early send counts as 0).
    public mutating func record(dueNs: UInt64, sentNs: UInt64) {
        record(lagNs: sentNs > dueNs ? sentNs - dueNs : 0)
    }

    /// Records one lag.
    public mutating func record(lagNs: UInt64) {
        maxNs = max(maxNs, lagNs)
        histogram.record(min(lagNs, Self.highestTrackedNs))
    }

    /// Events recorded.
    public var count: UInt64 { histogram.totalCount }

    /// The lag at `percentile` (0–100), in nanoseconds, to the histogram's precision.
    public func percentileNs(_ percentile: Double) -> UInt64 {
        histogram.valueAtPercentile(percentile)
    }

    /// The median lag.
    public var p50Ns: UInt64 { percentileNs(50) }
    /// The 99th-percentile lag.
    public var p99Ns: UInt64 { percentileNs(99) }

    /// Adds another recorder's lags (another worker's, say).
    public mutating func merge(_ other: ScheduleLag) {
        histogram.add(other.histogram)
        maxNs = max(maxNs, other.maxNs)
    }

    /// The figures a report shows, in milliseconds.
    public var summary: ScheduleLagSummary {
        ScheduleLagSummary(
            count: count, p50Ms: Double(p50Ns) / 1e6, p99Ms: Double(p99Ns) / 1e6, p999Ms: Double(percentileNs(99.9)) / 1e6,
            maxMs: Double(maxNs) / 1e6)
    }
}

/// Schedule lag as a report shows it.
public struct ScheduleLagSummary: Sendable, Codable, Equatable {
    /// Events recorded.
    public var count: UInt64
    /// Median lag, milliseconds.
    public var p50Ms: Double
    /// 99th-percentile lag, milliseconds.
    public var p99Ms: Double
    /// 99.9th-percentile lag, milliseconds.
    public var p999Ms: Double
    /// Largest lag, milliseconds.
    public var maxMs: Double

    enum CodingKeys: String, CodingKey {
        case count
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
        case p999Ms = "p999_ms"
        case maxMs = "max_ms"
    }
}
