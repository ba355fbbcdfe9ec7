import EventModel
import Foundation

/// One synthesized event as the tests look at it.
struct Sample {
    let facts: EventFacts
    let value: [UInt8]
    let key: [UInt8]

    /// The value parsed by Foundation, or nil when it is not a JSON object.
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any]
    }

    /// The value's bytes with ASCII letters lowered, as text (invalid UTF-8 becomes U+FFFD, which cannot hide a term).
    var loweredText: String {
        String(decoding: value, as: UTF8.self).lowercased()
    }
}

/// Synthesizes `count` events of worker `worker`, one every millisecond from a fixed epoch. Evenly spaced
/// events carry the term, as many as the settings' crash rate asks for (the placement itself is the pacing's
/// job and is tested there).
func samples(_ settings: GeneratorSettings, worker: Int = 0, count: Int) throws -> [Sample] {
    let termEvery = settings.recordsPerSecond / settings.crashRate
    let synthesizer = try EventSynthesizer(settings: settings, worker: worker)
    let value = RecordBuffer()
    let key = RecordBuffer()
    var result: [Sample] = []
    result.reserveCapacity(count)
    for index in 0..<count {
        let facts = synthesizer.synthesize(
            sequence: UInt64(index), scheduledMs: 1_769_000_000_000 + Int64(index), carriesTerm: index % termEvery == 0,
            value: value, key: key)
        result.append(Sample(facts: facts, value: Array(value.bytes), key: Array(key.bytes)))
    }
    return result
}

/// The default settings, except that every tenth record carries the term, so that samples hold many.
func testSettings() -> GeneratorSettings {
    var settings = GeneratorSettings()
    settings.crashRate = settings.recordsPerSecond / 10
    return settings
}

/// Whether `samples` made this event a term-bearing one under `testSettings()`.
func isTermPosition(_ sample: Sample) -> Bool {
    sample.facts.sequence % 10 == 0
}

/// Settings with decoys, late and malformed events all switched on.
func busySettings(seed: UInt64 = 9) -> GeneratorSettings {
    var settings = testSettings()
    settings.seed = seed
    settings.decoyFraction = 0.05
    settings.lateFraction = 0.1
    settings.malformedFraction = 0.05
    return settings
}
