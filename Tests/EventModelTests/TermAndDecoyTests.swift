import EventModel
import Foundation
import Testing

@Suite("The crash term and its decoys")
struct TermAndDecoyTests {
    static let decoys = ["crush", "trash", "cr ash"]

    private func content(_ sample: Sample) throws -> String {
        try #require(sample.object?["content"] as? String)
    }

    @Test("term events carry the term; the case-sensitive flag says whether it is spelled exactly")
    func termEvents() throws {
        let all = try samples(testSettings(), count: 20_000)
        let term = all.filter { isTermPosition($0) }
        #expect(term.count == 2_000)
        var spellings = Set<String>()
        for sample in term {
            let text = try content(sample)
            #expect(text.lowercased().contains("crash"))
            #expect(sample.facts.flags.contains(.termCaseInsensitive))
            #expect(sample.facts.flags.contains(.termCaseSensitive) == text.contains("crash"))
            #expect(sample.facts.malformed == nil)
            #expect(!sample.facts.flags.contains(.decoy))
            for word in ["crashed", "CRASH", "Crash", "crash"] where text.contains(word) {
                spellings.insert(word)
                break
            }
        }
        #expect(spellings == ["crash", "Crash", "CRASH", "crashed"])
        #expect(term.contains { !$0.facts.flags.contains(.termCaseSensitive) })
    }

    @Test("term variant weights: lower only gives only the exact spelling")
    func variantWeights() throws {
        var settings = testSettings()
        settings.termVariants = try TermVariantWeights(parsing: "lower=1")
        for sample in try samples(settings, count: 3_000) where isTermPosition(sample) {
            #expect(sample.facts.flags.contains(.termCaseSensitive))
        }
    }

    @Test("records without the term never contain it in any case; decoys contain a decoy and no term")
    func noTermElsewhere() throws {
        let all = try samples(busySettings(), count: 40_000)
        var decoyCount = 0
        for sample in all where !isTermPosition(sample) {
            #expect(!sample.loweredText.contains("crash"), "\(sample.loweredText)")
            #expect(!sample.facts.flags.contains(.termCaseInsensitive))
            #expect(!sample.facts.flags.contains(.termCaseSensitive))
            let lowered = sample.loweredText
            let carriesDecoy = Self.decoys.contains { lowered.contains($0) }
            #expect(carriesDecoy == sample.facts.flags.contains(.decoy), "\(lowered)")
            if sample.facts.flags.contains(.decoy) { decoyCount += 1 }
        }
        // 5% of all records are decoys: 2,000 expected of 40,000, with a standard deviation near 44.
        #expect(decoyCount > 1_800 && decoyCount < 2_200, "\(decoyCount) decoys")
        for word in Self.decoys {
            #expect(all.contains { $0.loweredText.contains(word) }, "decoy \(word) never sent")
        }
    }

    @Test("another term: ordinary lines holding it are left out, and its own decoys are derived")
    func otherTerm() throws {
        var settings = busySettings()
        settings.crashTerm = "fail"
        let all = try samples(settings, count: 20_000)
        for sample in all {
            let text = sample.loweredText
            #expect(text.contains("fail") == (isTermPosition(sample)), "\(text)")
        }
        let decoyTexts = all.filter { $0.facts.flags.contains(.decoy) }.map(\.loweredText)
        #expect(!decoyTexts.isEmpty)
        #expect(decoyTexts.allSatisfy { $0.contains("fuil") || $0.contains("tail") || $0.contains("fa il") })
    }

    @Test("a term that no line can avoid is refused with its name")
    func unavoidableTerm() {
        var settings = testSettings()
        settings.crashTerm = "e"
        let error = #expect(throws: SettingError.self) { try EventSynthesizer(settings: settings, worker: 0) }
        #expect(error?.input == "e")
    }
}
