/// The samples of one measurement taken several times, with their median and range: on a shared machine a
/// single sample says little, and the spread says how much the median can be trusted.
public struct Spread: Sendable, Codable, Equatable {
    public var samples: [Double]
    public var median: Double
    public var min: Double
    public var max: Double

    public init(_ samples: [Double]) {
        self.samples = samples
        let sorted = samples.sorted()
        median = Self.median(ofSorted: sorted)
        min = sorted.first ?? 0
        max = sorted.last ?? 0
    }

    /// The spread of the ratios of paired samples, `numerator[i] / denominator[i]`: the pairs were measured
    /// next to each other, so their ratio cancels what the machine did to both.
    public init(ratiosOf numerator: Spread, to denominator: Spread) {
        self.init(zip(numerator.samples, denominator.samples).compactMap { $1 > 0 ? $0 / $1 : nil })
    }

    /// Half the range as a fraction of the median: 0.05 means the samples lie within ±5%.
    public var relativeHalfRange: Double { median > 0 ? (max - min) / 2 / median : 0 }

    private static func median(ofSorted sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
