import Contracts

/// The validator's answer about one detector run, for the report module to render (JSON, Markdown, HTML,
/// JUnit). Built by `ValidationResult(expected:observed:exampleLimit:)`.
///
/// The detector **fails** on any missing alert, spurious alert, count mismatch, duplicate emission, or
/// (exact mode) batch whose logged watermarks differ from the recomputed ones. Ambiguous alerts (interval
/// mode, or evidence lost in a partial console table), open windows, replays, gaps and generator
/// disagreements are reported but never fail it. `failures` says in words why it failed.
public struct ValidationResult: Sendable, Codable {
    public var verdict: Verdict
    /// One line per reason for failing; empty on a pass.
    public var failures: [String]
    public var mode: ValidationMode
    public var rule: RuleSettings
    /// The readability model, in interval mode.
    public var model: ReadabilityModel?
    public var alertSource: AlertSourceSummary
    public var events: EventSummary
    public var alerts: AlertSummary
    public var latency: LatencySummary
    public var watermarks: WatermarkSummary
    /// Likely bugs, most likely first; empty on a pass.
    public var diagnosis: [Diagnosis]
    /// Per window start, ascending: what was expected and what was observed, for charts.
    public var series: [WindowSeriesPoint]
    /// The topic checked against the generator's manifest; filled in by the Validator, which reads the
    /// manifest. It does not change the verdict here.
    public var manifestAudit: ManifestAudit?
    /// Things worth knowing that are not failures.
    public var notes: [String]
}

public enum Verdict: String, Sendable, Codable {
    case pass, fail
}

/// The alert output that was judged.
public struct AlertSourceSummary: Sendable, Codable, Equatable {
    public var source: String
    public var format: AlertFormat
    /// Alert lines read, replays included.
    public var emissions: Int
    /// Batches whose output was only partly shown.
    public var partialBatches: [Int64]
}

/// The outcome of one (window, user).
public enum AlertOutcome: String, Sendable, Codable, CaseIterable {
    /// Expected and observed with the expected final count.
    case matched
    /// Expected but never observed.
    case missing
    /// Observed but not expected.
    case spurious
    /// Expected and observed, with another final count.
    case countMismatch = "count-mismatch"
    /// Neither provably right nor provably wrong: interval mode's uncertain windows, and misses whose
    /// evidence fell into a partial console table.
    case ambiguous
    /// The window's end is past the final watermark; it may still change.
    case open

    /// Whether this outcome fails the detector.
    public var fails: Bool { self == .missing || self == .spurious || self == .countMismatch }
}

/// How many (window, user) pairs ended in each outcome.
public struct OutcomeCounts: Sendable, Codable, Equatable {
    public var matched = 0
    public var missing = 0
    public var spurious = 0
    public var countMismatch = 0
    public var ambiguous = 0
    public var open = 0

    public init() {}

    public subscript(outcome: AlertOutcome) -> Int {
        get {
            switch outcome {
            case .matched: matched
            case .missing: missing
            case .spurious: spurious
            case .countMismatch: countMismatch
            case .ambiguous: ambiguous
            case .open: open
            }
        }
        set {
            switch outcome {
            case .matched: matched = newValue
            case .missing: missing = newValue
            case .spurious: spurious = newValue
            case .countMismatch: countMismatch = newValue
            case .ambiguous: ambiguous = newValue
            case .open: open = newValue
            }
        }
    }
}

/// One (window, user) as an example of its outcome.
public struct AlertFinding: Sendable, Codable, Equatable {
    public var outcome: AlertOutcome
    public var windowStart: Int64
    public var windowEnd: Int64
    public var userId: String
    /// The count a correct detector ends with (a range in interval mode); nil when no matching event fell
    /// into the window.
    public var expected: CountRange?
    /// The final observed count; nil when not observed.
    public var observed: Int?
    /// The batch of the final observed emission, when known.
    public var batch: Int64?
    /// The line of the final observed emission in the alert source.
    public var line: Int?
    /// Why, when the outcome needs explaining (for example a partial table, or a window of the wrong length).
    public var note: String?
}

/// Alerts by outcome, with examples.
public struct AlertSummary: Sendable, Codable, Equatable {
    /// (window, user) pairs that must alert and are closed.
    public var expected: Int
    /// Distinct (window, user) pairs observed.
    public var observed: Int
    /// Alert lines that repeat an earlier one of the same batch (a replay): not duplicates.
    public var replays: Int
    public var outcomes: OutcomeCounts
    /// (window, user) pairs emitted more often than the output mode allows.
    public var duplicates: Int
    /// Up to the example limit per outcome, earliest windows first.
    public var examples: [AlertFinding]
    /// Up to the example limit.
    public var duplicateExamples: [DuplicateFinding]
}

/// A (window, user) emitted more often than its output mode allows.
public struct DuplicateFinding: Sendable, Codable, Equatable {
    public var windowStart: Int64
    public var windowEnd: Int64
    public var userId: String
    /// What is wrong, in words.
    public var reason: String
    /// The emissions, replays removed, in batch order.
    public var emissions: [ObservedAlert]
    /// Whether the pattern is the one a restart leaves: the same count again under a later batch id, or a
    /// count that went down.
    var looksLikeRestart: Bool
}

/// Alert latency.
public struct LatencySummary: Sendable, Codable, Equatable {
    /// First emission minus window end.
    public var sinceWindowEnd: LatencyStats?
    /// First emission minus the time the watermark passed the window end (negative in update mode when
    /// the alert came before the window closed).
    public var sinceWatermark: LatencyStats?
    /// Due alerts whose output gives no emission time (Spark's console sink has none).
    public var withoutEmissionTime: Int
}

/// Percentiles of a latency, in milliseconds (nearest rank), and its distribution for charts.
public struct LatencyStats: Sendable, Codable, Equatable {
    public var count: Int
    public var minMs: Int64
    public var p50Ms: Int64
    public var p99Ms: Int64
    public var maxMs: Int64
    /// Up to `histogramBuckets` buckets of equal width from `minMs` to `maxMs`, every one listed.
    public var histogram: [LatencyBucket]

    /// The most buckets in `histogram`.
    static let histogramBuckets = 20

    /// Stats of `values`; nil when there are none.
    init?(_ values: [Int64]) {
        guard let first = values.first else { return nil }
        let sorted = values.count > 1 ? values.sorted() : [first]
        func rank(_ fraction: Double) -> Int64 {
            sorted[max(0, min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
        }
        count = sorted.count
        minMs = sorted[0]
        p50Ms = rank(0.50)
        p99Ms = rank(0.99)
        maxMs = sorted[sorted.count - 1]
        histogram = Self.buckets(sorted)
    }

    /// Equal-width buckets over `sorted`, the width rounded up to a whole millisecond.
    private static func buckets(_ sorted: [Int64]) -> [LatencyBucket] {
        let low = sorted[0]
        let span = sorted[sorted.count - 1].clampedSubtracting(low)
        let width = Swift.max(1, span / Int64(histogramBuckets) + (span % Int64(histogramBuckets) == 0 ? 0 : 1))
        let count = Int(Swift.min(Int64(histogramBuckets), span / width + 1))
        var buckets = (0..<count).map { index in
            LatencyBucket(
                fromMs: low.clampedAdding(Int64(index).clampedMultiplied(by: width)),
                toMs: low.clampedAdding(Int64(index + 1).clampedMultiplied(by: width)), count: 0)
        }
        for value in sorted {
            buckets[Swift.min(count - 1, Int(value.clampedSubtracting(low) / width))].count += 1
        }
        return buckets
    }
}

/// Latencies in `[fromMs, toMs)` (the last bucket also holds its upper end).
public struct LatencyBucket: Sendable, Codable, Equatable {
    public var fromMs: Int64
    public var toMs: Int64
    public var count: Int
}

/// Exact mode's check of the logged watermarks.
public struct WatermarkSummary: Sendable, Codable, Equatable {
    /// Logged batches checked; 0 in interval mode.
    public var checkedBatches: Int
    /// Logged batches whose watermarks differ from the recomputed ones.
    public var disagreements: Int
    /// The log shows watermark 0 in every batch while the rule's watermark moved.
    public var noWatermark: Bool
    /// Up to the example limit, earliest first.
    public var examples: [WatermarkFinding]
    public var finalWatermarks: [InstanceWatermark]
}

/// One suspected bug with the evidence for it.
public struct Diagnosis: Sendable, Codable, Equatable {
    public var bug: SuspectedBug
    /// One sentence naming the bug and its evidence.
    public var sentence: String
    /// Findings (failing alerts, watermark disagreements, duplicates) the bug accounts for.
    public var explained: Int
    /// Alerts the correct rule gets right that the bug would have made wrong.
    public var contradicted: Int
    /// All findings.
    public var findings: Int
}

/// One window start in the per-window series.
public struct WindowSeriesPoint: Sendable, Codable, Equatable {
    public var windowStart: Int64
    /// (window, user) pairs that must alert.
    public var expected: Int
    /// Distinct (window, user) pairs observed.
    public var observed: Int
    public var outcomes: OutcomeCounts
}

/// The topic checked against the generator's manifest (filled in by the Validator). Records are told apart
/// by where the broker acknowledged them (partition and offset) and by their `wt-worker` and `wt-seq`
/// headers. None of this changes the detector's verdict: ground truth is the topic as it is.
public struct ManifestAudit: Sendable, Codable, Equatable {
    /// Records the manifests say the broker acknowledged.
    public var acknowledged: Int
    /// Topic records found where the manifest says their acknowledged record is.
    public var matched: Int
    /// Records the broker acknowledged that the replay did not find.
    public var ackedButMissing: Int
    /// Extra copies: topic records whose worker and sequence were already found at another offset.
    public var duplicated: Int
    /// Topic records that no manifest acknowledged at their offset and that are no copy of one that was
    /// (written by another producer, or written although their delivery report said otherwise).
    public var neverAcknowledged: Int
    /// Acknowledged offsets holding a record with other headers than the manifest's.
    public var wrongRecord: Int
    /// Manifest files that end without their footer (their worker stopped early).
    public var cutShortManifests: [String]
    /// A few of the findings, described.
    public var examples: [String]

    public init(
        acknowledged: Int = 0, matched: Int = 0, ackedButMissing: Int = 0, duplicated: Int = 0, neverAcknowledged: Int = 0,
        wrongRecord: Int = 0, cutShortManifests: [String] = [], examples: [String] = []
    ) {
        self.acknowledged = acknowledged
        self.matched = matched
        self.ackedButMissing = ackedButMissing
        self.duplicated = duplicated
        self.neverAcknowledged = neverAcknowledged
        self.wrongRecord = wrongRecord
        self.cutShortManifests = cutShortManifests
        self.examples = examples
    }

    /// Whether the topic holds exactly what the manifests say was acknowledged.
    public var isClean: Bool { ackedButMissing == 0 && duplicated == 0 && neverAcknowledged == 0 && wrongRecord == 0 }
}
