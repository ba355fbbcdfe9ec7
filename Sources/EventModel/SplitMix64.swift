/// Steele, Lea and Flood's SplitMix64: a tiny, fast, statistically sound generator whose whole state is one
/// integer, so a stream can be derived from a seed and a label in one step.
///
/// The generator uses it in two ways. Each worker gets its own stream (`workerSeed(_:worker:)`), so that N
/// processes started with one seed produce different events; and each event gets its own generator seeded
/// from the worker's stream and its sequence number, so event i can be regenerated without replaying 0..<i.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The golden-ratio increment of the reference implementation.
    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The whole state; the next output is `mix(state + gamma)`.
    public private(set) var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    /// The reference output function (a variant of MurmurHash3's finalizer): a bijection that spreads every input
    /// bit over the whole output.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed for the sub-stream `label` of `seed`: distinct labels give unrelated streams.
    public static func derive(_ seed: UInt64, label: UInt64) -> UInt64 {
        mix(seed ^ mix(label &+ gamma))
    }

    /// The seed of worker `worker`'s stream, split from the run's `seed`.
    public static func workerSeed(_ seed: UInt64, worker: Int) -> UInt64 {
        derive(seed, label: UInt64(truncatingIfNeeded: worker))
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's multiply-and-reject); `bound` must not be 0.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform integer in `range`, inclusive at both ends.
    public mutating func within(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        if span == .max { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: below(span &+ 1))
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

/// The independent random streams of one worker, each split from the worker's seed by its own label, so
/// that adding draws to one (say, a new event field) never shifts another (the crash-term positions).
public enum RandomStream: UInt64, Sendable {
    /// Per-event generators of the synthesizer.
    case events = 1
    /// The source addresses a worker's events use.
    case addresses = 2
    /// The positions of term-bearing events in each second.
    case crashPlacement = 3

    /// The seed of this stream for worker `worker` of a run seeded with `seed`.
    public func seed(run seed: UInt64, worker: Int) -> UInt64 {
        SplitMix64.derive(SplitMix64.workerSeed(seed, worker: worker), label: rawValue)
    }
}
