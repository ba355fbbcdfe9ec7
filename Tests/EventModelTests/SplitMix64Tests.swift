import EventModel
import Testing

@Suite("SplitMix64 streams")
struct SplitMix64Tests {
    @Test("matches the reference implementation's published outputs for seed 1234567")
    func referenceVector() {
        var random = SplitMix64(seed: 1_234_567)
        let outputs = (0..<5).map { _ in random.next() }
        #expect(outputs == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    @Test("worker streams: the same seed and index repeat, other indexes and seeds differ")
    func workerStreams() {
        let seeds = (0..<64).map { SplitMix64.workerSeed(42, worker: $0) }
        #expect(Set(seeds).count == seeds.count)
        #expect(SplitMix64.workerSeed(42, worker: 3) == seeds[3])
        #expect(SplitMix64.workerSeed(43, worker: 3) != seeds[3])
    }

    @Test("bounded draws stay in range and reach every value")
    func bounded() {
        var random = SplitMix64(seed: 7)
        var seen = [Int](repeating: 0, count: 7)
        for _ in 0..<7_000 {
            let value = random.below(7)
            #expect(value < 7)
            seen[Int(value)] += 1
        }
        // Each of 7 values is expected 1,000 times; 700 is more than 9 standard deviations away.
        #expect(seen.allSatisfy { $0 > 700 })
        var inclusive = Set<Int64>()
        for _ in 0..<1_000 { inclusive.insert(random.within(-2...2)) }
        #expect(inclusive == [-2, -1, 0, 1, 2])
        for _ in 0..<1_000 {
            let unit = random.unit()
            #expect(unit >= 0 && unit < 1)
        }
    }
}
