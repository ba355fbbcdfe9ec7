import Contracts

/// Exact mode's watermarks, recomputed from the batch log's boundaries by the rule (Spark 4's):
/// `evict(0) = 0`, `evict(n) = max(evict(n-1), maxSeen(n-1) - delay)` over matching rows only, and
/// `late(n) = evict(n-1)` (Spark >= 3.4 filters late rows with the previous batch's watermark,
/// `eventTimeWatermarkForLateEvents`), so batches 0 and 1 drop nothing, except windows ending at or
/// before the epoch: the watermark starts at 0 and a row is late when its window end is `<=` it.
///
/// Batch ids missing from an instance's log are batches that read nothing: they still advance the
/// watermark, as Spark's no-data batches do. Each instance keeps its own watermark.
struct ExactTimeline: Sendable {
    let plan: BatchPlan
    /// `late[variant][batch]` and `evict[variant][batch]`, for every variant that has a watermark.
    private var late: [[Int64]]
    private var evict: [[Int64]]
    /// The eviction watermark of a detector reading millisecond timestamps as seconds, in milliseconds.
    private var secondsEvict: [Int64]
    private var secondsLate: [Int64]

    init(plan: BatchPlan, slotMaxima: [Int64: ClassMaxima], rule: RuleSettings) {
        self.plan = plan
        let maxima = plan.batches.indices.map { slotMaxima[Int64($0)] ?? ClassMaxima() }
        late = []
        evict = []
        for variant in Variant.allCases {
            if let delay = variant.delay(ruleDelay: rule.watermarkDelayMs) {
                let series = Self.series(plan: plan, times: maxima.map { $0[variant.rows] }, delay: delay)
                late.append(series.late)
                evict.append(series.evict)
            } else {
                late.append(Array(repeating: 0, count: maxima.count))
                evict.append(Array(repeating: 0, count: maxima.count))
            }
        }
        let seconds = Self.series(
            plan: plan, times: maxima.map { $0[.rule] == .min ? .min : $0[.rule].clampedMultiplied(by: 1000) },
            delay: rule.watermarkDelayMs)
        secondsLate = seconds.late
        secondsEvict = seconds.evict
    }

    private static func series(plan: BatchPlan, times: [Int64], delay: Int64) -> (late: [Int64], evict: [Int64]) {
        var late = Array(repeating: Int64(0), count: times.count)
        var evict = late
        for range in plan.instanceBatches {
            var seen = Int64.min
            var previousEvict: Int64 = 0
            var previousId: Int64 = -1
            for index in range {
                let id = plan.batches[index].id
                if id > previousId + 1 {
                    previousEvict = advance(previousEvict, seen: seen, delay: delay)
                }
                late[index] = previousEvict
                evict[index] = id == 0 ? 0 : advance(previousEvict, seen: seen, delay: delay)
                seen = max(seen, times[index])
                previousEvict = evict[index]
                previousId = id
            }
        }
        return (late, evict)
    }

    private static func advance(_ watermark: Int64, seen: Int64, delay: Int64) -> Int64 {
        seen == .min ? watermark : max(watermark, seen.clampedSubtracting(delay))
    }

    func lateWatermark(batch: Int, variant: Variant) -> Int64 { late[variant.rawValue][batch] }

    func evictionWatermark(batch: Int, variant: Variant) -> Int64 { evict[variant.rawValue][batch] }

    /// The first batch of `instance` whose eviction watermark reaches `windowEnd`: the batch that closes
    /// the window (and in append mode emits it); nil while the window is open.
    func closingBatch(instance: Int, windowEnd: Int64) -> Int? {
        let range = plan.instanceBatches[instance]
        let series = evict[Variant.rule.rawValue]
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if series[middle] >= windowEnd { high = middle } else { low = middle + 1 }
        }
        return low < range.upperBound ? low : nil
    }

    /// Each logged batch whose watermarks differ from the recomputed ones, with the variants whose
    /// watermarks the logged ones equal.
    func disagreements() -> [WatermarkFinding] {
        var findings: [WatermarkFinding] = []
        for (index, batch) in plan.batches.enumerated() {
            let entry = batch.entry
            let expectedLate = late[Variant.rule.rawValue][index]
            let expectedEvict = evict[Variant.rule.rawValue][index]
            guard entry.lateWatermarkMs != expectedLate || entry.evictionWatermarkMs != expectedEvict else { continue }
            var explainedBy: [SuspectedBug] = []
            let candidates: [(SuspectedBug, Int64, Int64)] = [
                (.severityFilterMissing, late[Variant.anySeverity.rawValue][index], evict[Variant.anySeverity.rawValue][index]),
                (.termCaseSensitivity, late[Variant.otherCase.rawValue][index], evict[Variant.otherCase.rawValue][index]),
                (.noWatermark, 0, 0),
                (.eventsWithinDelayDropped, late[Variant.zeroDelay.rawValue][index], evict[Variant.zeroDelay.rawValue][index]),
                (.timestampAsSeconds, secondsLate[index], secondsEvict[index]),
            ]
            for (bug, late, evict) in candidates where late == entry.lateWatermarkMs && evict == entry.evictionWatermarkMs {
                explainedBy.append(bug)
            }
            findings.append(
                WatermarkFinding(
                    instance: plan.instances[batch.instance], batch: entry.batch,
                    loggedLateMs: entry.lateWatermarkMs, expectedLateMs: expectedLate,
                    loggedEvictionMs: entry.evictionWatermarkMs, expectedEvictionMs: expectedEvict, explainedBy: explainedBy))
        }
        return findings
    }
}
