import Contracts

/// The longest time one detector instance completed no batch while it had records to read, with where it was.
public struct StallFinding: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The instance, `detector-<i>`.
    public var instance: String
    /// Where the stall began and how long it lasted, ms after the stream started.
    public var fromMs: Int64
    public var lengthMs: Int64

    public var description: String {
        "\(instance) from \(DurationText.render(milliseconds: fromMs)) into the stream"
    }
}

/// Finds stalls: spans in which a detector instance that was meant to run completed no batch while there
/// were records for it to read (the stream, then the backlog it left). A killed instance's stall runs from its last batch before the
/// kill to its first after the restart, so a slow restart shows here.
public enum StallMeasure {
    /// One instance's time in the run.
    public struct Instance: Sendable {
        public var name: String
        /// When it was meant to start reading, epoch ms: its start, or the stream's start if later.
        public var fromMs: Int64
        /// When it was meant to stop (removed, or when the run had seen it read the whole topic), epoch ms.
        public var untilMs: Int64
        /// When each of its batches ended, epoch ms, any order.
        public var batchEnds: [Int64]
        /// Whether the first gap (to the first batch) counts: false for a JVM detector, whose first batch
        /// is its warm-up.
        public var countsFirstGap: Bool

        public init(name: String, fromMs: Int64, untilMs: Int64, batchEnds: [Int64], countsFirstGap: Bool = true) {
            self.name = name
            self.fromMs = fromMs
            self.untilMs = untilMs
            self.batchEnds = batchEnds
            self.countsFirstGap = countsFirstGap
        }
    }

    /// The longest stall of any instance, measured from `streamStartMs`; nil when no instance ran.
    public static func longest(_ instances: [Instance], streamStartMs: Int64) -> StallFinding? {
        var longest: StallFinding?
        for instance in instances where instance.untilMs > instance.fromMs {
            let inside = instance.batchEnds.filter { $0 > instance.fromMs && $0 < instance.untilMs }.sorted()
            var points = inside
            if instance.countsFirstGap || inside.isEmpty { points.insert(instance.fromMs, at: 0) }
            points.append(instance.untilMs)
            for (from, to) in zip(points, points.dropFirst()) where to - from > longest?.lengthMs ?? -1 {
                longest = StallFinding(instance: instance.name, fromMs: from - streamStartMs, lengthMs: to - from)
            }
        }
        return longest
    }
}
