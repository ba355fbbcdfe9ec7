import EventModel
import Testing

@Suite("Reproducible events")
struct ReproducibilityTests {
    @Test("the same seed, settings and worker give identical bytes")
    func sameSeed() throws {
        let first = try samples(busySettings(), count: 5_000)
        let second = try samples(busySettings(), count: 5_000)
        #expect(first.map(\.value) == second.map(\.value))
        #expect(first.map(\.key) == second.map(\.key))
        #expect(first.map(\.facts) == second.map(\.facts))
    }

    @Test("another seed or another worker gives different events")
    func otherSeedOrWorker() throws {
        let base = try samples(busySettings(), count: 2_000).map(\.value)
        let otherSeed = try samples(busySettings(seed: 10), count: 2_000).map(\.value)
        let otherWorker = try samples(busySettings(), worker: 1, count: 2_000).map(\.value)
        // Two streams agree on an event only by chance; most must differ.
        #expect(zip(base, otherSeed).filter { $0 == $1 }.count < 100)
        #expect(zip(base, otherWorker).filter { $0 == $1 }.count < 100)
    }

    @Test("an event does not depend on the events before it")
    func randomAccess() throws {
        let synthesizer = try EventSynthesizer(settings: busySettings(), worker: 2)
        let value = RecordBuffer()
        let key = RecordBuffer()
        let alone = synthesizer.synthesize(sequence: 777, scheduledMs: 5_000, carriesTerm: true, value: value, key: key)
        let aloneBytes = Array(value.bytes)
        for sequence in UInt64(0)..<777 {
            _ = synthesizer.synthesize(sequence: sequence, scheduledMs: 4_000, carriesTerm: false, value: value, key: key)
        }
        let after = synthesizer.synthesize(sequence: 777, scheduledMs: 5_000, carriesTerm: true, value: value, key: key)
        #expect(after == alone)
        #expect(Array(value.bytes) == aloneBytes)
    }
}
