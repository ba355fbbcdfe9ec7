/// One observation of a consumer (a detector) against its input: how many records had arrived and how many it
/// had processed, at one moment.
public struct ProgressSample: Sendable, Equatable {
    /// When, ms since the epoch.
    public var atMs: Int64
    /// Records in the topic (or acknowledged to the generator) so far.
    public var arrived: Int64
    /// Records the consumer has processed so far.
    public var processed: Int64

    public init(atMs: Int64, arrived: Int64, processed: Int64) {
        self.atMs = atMs
        self.arrived = arrived
        self.processed = processed
    }

    /// Records waiting.
    public var lag: Int64 { max(0, arrived - processed) }
}

/// The answer to the question the Structured Streaming tab is opened for: is the detector keeping up?
public enum KeepingUp: Sendable, Equatable, CustomStringConvertible, Encodable {
    /// Too few observations yet.
    case measuring
    /// What waits is no more than a micro-batch detector normally leaves between triggers.
    case keepingUp
    /// Behind, and the backlog grows.
    case fallingBehind(records: Int64, growingPerSecond: Int64)
    /// Behind, and the backlog shrinks.
    case catchingUp(records: Int64, shrinkingPerSecond: Int64)
    /// Behind by a backlog that neither grows nor shrinks.
    case behind(records: Int64)

    /// Encoded as its sentence.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        switch self {
        case .measuring: "measuring"
        case .keepingUp: "keeping up"
        case .fallingBehind(let records, let growth): "falling behind by \(records) records, growing \(growth)/s"
        case .catchingUp(let records, let shrink): "catching up: \(records) records behind, shrinking \(shrink)/s"
        case .behind(let records): "behind by \(records) records, steady"
        }
    }
}

/// Judges a consumer's recent progress samples.
///
/// A micro-batch detector always leaves some records waiting: those that arrived since its last trigger. So
/// a backlog of up to `allowanceMs` of input (and at least `minimumRecords`) counts as keeping up. Above
/// that, the trend of the backlog over the last `spanMs` (a least-squares slope, so that one late batch does
/// not flip the answer) says whether it grows, shrinks, or holds: a change slower than 1% of the input rate
/// counts as holding.
public struct KeepingUpJudge: Sendable, Equatable {
    public var spanMs: Int64 = 5_000
    public var allowanceMs: Int64 = 2_500
    public var minimumRecords: Int64 = 1_000

    public init() {}

    public func judge(_ samples: [ProgressSample]) -> KeepingUp {
        guard let last = samples.last else { return .measuring }
        let recent = samples.filter { $0.atMs >= last.atMs - spanMs }
        guard recent.count >= 3, let first = recent.first, last.atMs - first.atMs >= 2_000 else { return .measuring }
        let seconds = Double(last.atMs - first.atMs) / 1_000
        let inputRate = Double(last.arrived - first.arrived) / seconds
        let allowed = max(Double(minimumRecords), inputRate * Double(allowanceMs) / 1_000)
        if Double(last.lag) <= allowed { return .keepingUp }
        let slope = Self.slope(recent)
        let noticeable = max(inputRate * 0.01, 1)
        if slope > noticeable { return .fallingBehind(records: last.lag, growingPerSecond: Int64(slope.rounded())) }
        if slope < -noticeable { return .catchingUp(records: last.lag, shrinkingPerSecond: Int64((-slope).rounded())) }
        return .behind(records: last.lag)
    }

    /// The least-squares slope of the backlog over time, records per second.
    static func slope(_ samples: [ProgressSample]) -> Double {
        let origin = samples[0].atMs
        let points = samples.map { (x: Double($0.atMs - origin) / 1_000, y: Double($0.lag)) }
        let n = Double(points.count)
        let meanX = points.map(\.x).reduce(0, +) / n
        let meanY = points.map(\.y).reduce(0, +) / n
        let covariance = points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +)
        let variance = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        return variance > 0 ? covariance / variance : 0
    }
}
