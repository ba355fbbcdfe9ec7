/// Interval mode's watermark bounds, derived in `ReadabilityModel`'s documentation: for a record readable
/// (effectively) at `t`, the highest late-row watermark the detector could have applied is
/// `max(0, M(< t + slack) - delay)` and the lowest is `max(0, M(< A - slack) - delay)` with `A` the latest
/// readability time before `t - slack`; `slack` is the model's effective slack.
///
/// Readability times are known per bucket of `resolution` ms. A record in bucket `b` has
/// `b * resolution <= t < (b + 1) * resolution`; each bound is evaluated at the end of that range that
/// widens it, and so is every bucket's membership in `M(< x)` and the choice of `A`.
struct IntervalTimeline: Sendable {
    private let resolution: Int64
    private let slack: Int64
    private let ruleDelay: Int64
    /// Occupied buckets, ascending.
    private let buckets: [Int64]
    /// `prefix[rows][i]`: the largest event time of those rows readable in `buckets[0...i]`.
    private let prefix: [[Int64]]

    init(slotMaxima: [Int64: ClassMaxima], model: ReadabilityModel, ruleDelay: Int64) {
        resolution = model.resolutionMs
        slack = model.effectiveSlackMs
        self.ruleDelay = ruleDelay
        buckets = slotMaxima.keys.sorted()
        var prefix: [[Int64]] = []
        for rows in RowClass.allCases {
            var running = Int64.min
            prefix.append(buckets.map { bucket in
                running = max(running, slotMaxima[bucket]?[rows] ?? .min)
                return running
            })
        }
        self.prefix = prefix
    }

    /// The lowest and highest late-row watermark `variant` could have applied to a record of `bucket`.
    func lateBounds(bucket: Int64, variant: Variant) -> (low: Int64, high: Int64) {
        guard let delay = variant.delay(ruleDelay: ruleDelay) else { return (0, 0) }
        let rows = variant.rows
        let bucketStart = bucket.clampedMultiplied(by: resolution)
        // Highest: buckets that may hold a record readable before t + slack, t at most the bucket's end.
        let highLimit = bucketStart.clampedAdding(resolution).clampedAdding(slack).clampedSubtracting(1)
        let high = watermark(maximum(rows, throughBucket: highLimit.flooredDivision(by: resolution)), delay: delay)
        // Lowest: A is at least the start of the last bucket wholly before (bucket start) - slack.
        let aBucketLimit = bucketStart.clampedSubtracting(slack).flooredDivision(by: resolution).clampedSubtracting(1)
        guard let aIndex = lastIndex(atMost: aBucketLimit) else { return (0, high) }
        let aTime = buckets[aIndex].clampedMultiplied(by: resolution)
        let mustBucketLimit = aTime.clampedSubtracting(slack).flooredDivision(by: resolution).clampedSubtracting(1)
        let low = watermark(maximum(rows, throughBucket: mustBucketLimit), delay: delay)
        return (low, high)
    }

    /// The rule's final eviction watermark once every record has been read.
    var finalWatermark: Int64 {
        watermark(prefix[RowClass.rule.rawValue].last ?? .min, delay: ruleDelay)
    }

    /// The earliest readability time (at bucket resolution) at which the rule's watermark reached
    /// `windowEnd`: the moment the window could first close. Nil while it never does.
    func watermarkPassTime(windowEnd: Int64) -> Int64? {
        let series = prefix[RowClass.rule.rawValue]
        var low = 0
        var high = series.count
        while low < high {
            let middle = (low + high) / 2
            if watermark(series[middle], delay: ruleDelay) >= windowEnd { high = middle } else { low = middle + 1 }
        }
        return low < series.count ? buckets[low].clampedMultiplied(by: resolution) : nil
    }

    private func watermark(_ seen: Int64, delay: Int64) -> Int64 {
        seen == .min ? 0 : max(0, seen.clampedSubtracting(delay))
    }

    private func maximum(_ rows: RowClass, throughBucket limit: Int64) -> Int64 {
        guard let index = lastIndex(atMost: limit) else { return .min }
        return prefix[rows.rawValue][index]
    }

    /// The index of the last occupied bucket not after `limit`.
    private func lastIndex(atMost limit: Int64) -> Int? {
        var low = 0
        var high = buckets.count
        while low < high {
            let middle = (low + high) / 2
            if buckets[middle] <= limit { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? low - 1 : nil
    }
}
