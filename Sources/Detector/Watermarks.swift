/// The event-time watermarks of one engine, by Spark 4's rule (DESIGN.md, "Watermark semantics").
///
/// Batch n's eviction watermark comes from data read in batches before n, never from batch n's own:
/// `eviction(n) = max(eviction(n-1), maxEventTime(n-1) - delay)`, 0 before any matching row. The rows of
/// batch n are filtered with the *previous* eviction watermark, `late(n) = eviction(n-1)` (Spark >= 3.4,
/// `eventTimeWatermarkForLateEvents`), so nothing is dropped in the first two batches: a late row can only
/// be dropped once the watermark has been moved by data, and then published for one batch.
struct Watermarks: Sendable, Equatable {
    /// The largest event time of the matching rows read so far, including rows then dropped as late
    /// (Spark's `EventTimeWatermarkExec` sees them before the stateful operator drops them); nil until one.
    /// Only matching rows count, because Spark pushes the rule's filter below the watermark node.
    var maxEventTime: Int64?
    /// Rows of the current batch whose window ends at or before this are dropped as late.
    var lateMs: Int64 = 0
    /// Windows ending at or before this are evicted, and in append mode emitted, when the current batch ends.
    var evictionMs: Int64 = 0

    /// The eviction watermark that a batch starting now would get.
    func nextEvictionMs(delayMs: Int64) -> Int64 {
        guard let maxEventTime else { return evictionMs }
        return max(evictionMs, maxEventTime - delayMs)
    }

    /// Moves to the next batch's watermarks.
    mutating func startBatch(delayMs: Int64) {
        let next = nextEvictionMs(delayMs: delayMs)
        lateMs = evictionMs
        evictionMs = next
    }

    /// Notes the event time of a matching row.
    @inline(__always)
    mutating func observe(_ eventTime: Int64) {
        if let seen = maxEventTime, seen >= eventTime { return }
        maxEventTime = eventTime
    }
}
