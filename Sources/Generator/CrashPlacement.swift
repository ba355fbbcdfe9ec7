import EventModel

/// Which events carry the crash term: in every one-second block of the timetable (`rps` events), exactly
/// `crashRate` of them, at positions drawn from the worker's seed, as the course's generator injects
/// `ADDITIONAL_TERM_RATE` terms per second.
///
/// Positions are chosen per block with Floyd's sampling algorithm (exactly k distinct positions in k draws)
/// into a bitmap that is reused from block to block, so asking about an event allocates nothing. Each block
/// has its own generator, seeded from the block number: any block can be recomputed on its own.
public struct CrashPlacement: Sendable {
    /// Events per one-second block.
    public let recordsPerSecond: Int
    /// Term-bearing events per block.
    public let crashRate: Int
    private let seed: UInt64
    private var block: UInt64 = .max
    private var bits: [UInt64]

    /// The placement for worker `worker` of a run with `settings`.
    public init(settings: GeneratorSettings, worker: Int) throws(SettingError) {
        try self.init(
            recordsPerSecond: settings.recordsPerSecond, crashRate: settings.crashRate,
            seed: RandomStream.crashPlacement.seed(run: settings.seed, worker: worker))
    }

    /// `crashRate` of every `recordsPerSecond` events, at positions drawn from `seed`.
    public init(recordsPerSecond: Int, crashRate: Int, seed: UInt64) throws(SettingError) {
        guard recordsPerSecond >= 1 else {
            throw SettingError(setting: "--rps", input: "\(recordsPerSecond)", reason: "must be at least 1")
        }
        guard crashRate >= 0, crashRate <= recordsPerSecond else {
            throw SettingError(
                setting: "--crash-rate", input: "\(crashRate)",
                reason: "must be between 0 and the \(recordsPerSecond) records per second (--rps)")
        }
        self.recordsPerSecond = recordsPerSecond
        self.crashRate = crashRate
        self.seed = seed
        bits = [UInt64](repeating: 0, count: (recordsPerSecond + 63) / 64)
    }

    /// Whether event `index` carries the term.
    public mutating func carriesTerm(_ index: UInt64) -> Bool {
        let rate = UInt64(recordsPerSecond)
        let eventBlock = index / rate
        if eventBlock != block { place(eventBlock) }
        let position = Int(index % rate)
        return bits[position >> 6] & (1 << UInt64(position & 63)) != 0
    }

    private mutating func place(_ newBlock: UInt64) {
        block = newBlock
        let n = UInt64(recordsPerSecond)
        let k = UInt64(crashRate)
        var random = SplitMix64(seed: SplitMix64.derive(seed, label: newBlock))
        bits.withUnsafeMutableBufferPointer { words in
            words.update(repeating: 0)
            // Floyd: for j in n−k ..< n pick t in 0...j; take t unless already taken, else take j.
            var j = n - k
            while j < n {
                let t = Int(random.below(j + 1))
                let word = t >> 6
                let mask: UInt64 = 1 << UInt64(t & 63)
                if words[word] & mask == 0 {
                    words[word] |= mask
                } else {
                    words[Int(j) >> 6] |= 1 << (j & 63)
                }
                j += 1
            }
        }
    }
}
