import Contracts
import EventModel
import Foundation
import Testing

@Suite("Generator settings as written")
struct SettingsTests {
    @Test("user distributions")
    func userDistribution() throws {
        #expect(try UserDistribution(parsing: "uniform") == .uniform)
        #expect(try UserDistribution(parsing: "zipf:1.1") == .zipf(exponent: 1.1))
        #expect(try UserDistribution(parsing: UserDistribution.zipf(exponent: 0.8).description) == .zipf(exponent: 0.8))
        for bad in ["", "zipf", "zipf:", "zipf:abc", "zipf:0", "zipf:-1", "pareto:2"] {
            let error = #expect(throws: SettingError.self) { try UserDistribution(parsing: bad) }
            #expect(error?.input == bad)
            #expect(error?.description.contains("--user-distribution") == true)
        }
    }

    @Test("severity weights: named ones as given, others 0")
    func severityWeights() throws {
        let weights = try SeverityWeights(parsing: "Low=1,high=3")
        #expect(weights[.low] == 1)
        #expect(weights[.medium] == 0)
        #expect(weights[.high] == 3)
        #expect(weights[.critical] == 0)
        #expect(try SeverityWeights(parsing: weights.description) == weights)
        #expect(SeverityWeights.even.description == "Low=1,Medium=1,High=1,Critical=1")
        for bad in ["", "Low", "Low=x", "Low=-1", "Urgent=1", "Low=1,Low=2", "Low=0,High=0"] {
            let error = #expect(throws: SettingError.self) { try SeverityWeights(parsing: bad) }
            #expect(error?.input == bad)
        }
    }

    @Test("term variant weights")
    func termVariants() throws {
        let weights = try TermVariantWeights(parsing: "lower=2,upper=1")
        #expect(weights.weights == [2, 0, 1, 0])
        #expect(try TermVariantWeights(parsing: weights.description) == weights)
        #expect(throws: SettingError.self) { try TermVariantWeights(parsing: "shouting=1") }
    }

    @Test("term variant weights by the term's spellings, as --term-variants takes them")
    func termVariantSpellings() throws {
        let weights = try TermVariantWeights(parsing: "crash=3,CRASH=1,crashed=0.5", term: "crash")
        #expect(weights.weights == [3, 0, 1, 0.5])
        #expect(try TermVariantWeights(parsing: "crash=1,Crash=1,CRASH=1,crashed=1", term: "crash") == .even)
        #expect(try TermVariantWeights(parsing: "Panic=1,UPPER=2", term: "panic").weights == [0, 1, 2, 0])
        #expect(try TermVariantWeights(parsing: weights.description, term: "crash") == weights)
        let bad: [(text: String, reason: String)] = [
            ("crush=1", "unknown variant 'crush' (expected crash, Crash, CRASH, crashed, or lower, capitalized, upper, suffixed)"),
            ("cRaSh=1", "unknown variant 'cRaSh'"),
            ("crash=1,lower=2", "crash (lower) is given twice"),
            ("crash=0,CRASH=0", "at least one weight must be greater than 0"),
            ("crash=-1", "'-1' is negative"),
            ("crash=lots", "'lots' is not a number"),
            ("crash", "'crash' is not of the form name=weight"),
            ("crash=1,", "'' is not of the form name=weight"),
        ]
        for (text, reason) in bad {
            let error = #expect(throws: SettingError.self) { try TermVariantWeights(parsing: text, term: "crash") }
            #expect(error?.setting == "--term-variants")
            #expect(error?.input == text)
            #expect(error?.reason.hasPrefix(reason) == true, "\(error?.reason ?? "")")
        }
        // `X` spells both the capitalized and the upper-case variant of the term `x`.
        let ambiguous = #expect(throws: SettingError.self) { try TermVariantWeights(parsing: "X=1", term: "x") }
        #expect(ambiguous?.reason == "'X' names both capitalized and upper; use the variant names instead")
        #expect(try TermVariantWeights(parsing: "upper=1", term: "x").weights == [0, 0, 1, 0])
    }

    @Test("late classes and explicit ranges")
    func lateClass() throws {
        #expect(try LateClass(parsing: "within") == .within)
        #expect(try LateClass(parsing: "boundary") == .boundary)
        #expect(try LateClass(parsing: "beyond") == .beyond)
        #expect(try LateClass(parsing: "5s..20s") == .range(minMs: 5_000, maxMs: 20_000))
        #expect(try LateClass(parsing: "500ms..1m") == .range(minMs: 500, maxMs: 60_000))
        #expect(try LateClass(parsing: LateClass.range(minMs: 1_500, maxMs: 90_000).description) == .range(minMs: 1_500, maxMs: 90_000))
        for bad in ["", "soon", "5s", "20s..5s", "5..20s", "5s..x"] {
            let error = #expect(throws: SettingError.self) { try LateClass(parsing: bad) }
            #expect(error?.input == bad)
        }
    }

    @Test("late class bounds follow the watermark and window")
    func lateBounds() throws {
        #expect(try LateClass.within.bounds(delayMs: 30_000, windowMs: 10_000) == 1_000...18_000)
        #expect(try LateClass.boundary.bounds(delayMs: 30_000, windowMs: 10_000) == 20_000...40_000)
        #expect(try LateClass.beyond.bounds(delayMs: 30_000, windowMs: 10_000) == 45_000...90_000)
        #expect(throws: SettingError.self) { try LateClass.within.bounds(delayMs: 5_000, windowMs: 10_000) }
    }

    @Test("malformed kinds")
    func malformedKinds() throws {
        #expect(try MalformedKinds(parsing: "all") == .all)
        #expect(try MalformedKinds(parsing: "oversize,invalid-json").kinds == [.invalidJSON, .oversize])
        #expect(throws: SettingError.self) { try MalformedKinds(parsing: "broken") }
        for kind in MalformedKind.allCases { #expect(MalformedKind(code: kind.code) == kind) }
        #expect(MalformedKind(code: 0) == nil)
    }

    @Test("defaults are valid; cross-setting mistakes are named")
    func validation() throws {
        try GeneratorSettings().validate()
        var settings = GeneratorSettings()
        settings.recordsPerSecond = 50
        settings.crashRate = 51
        let error = #expect(throws: SettingError.self) { try settings.validate() }
        #expect(error?.setting == "--crash-rate")
        #expect(error?.input == "51")

        settings = GeneratorSettings()
        settings.crashTerm = "cr ash"
        #expect(throws: SettingError.self) { try settings.validate() }
        settings.crashTerm = ""
        #expect(throws: SettingError.self) { try settings.validate() }

        settings = GeneratorSettings()
        settings.malformedFraction = 0.6
        settings.decoyFraction = 0.5
        #expect(throws: SettingError.self) { try settings.validate() }

        settings = GeneratorSettings()
        settings.lateFraction = 0.1
        settings.watermarkDelayMs = 5_000
        #expect(throws: SettingError.self) { try settings.validate() }

        settings = GeneratorSettings()
        settings.users = 0
        #expect(throws: SettingError.self) { try settings.validate() }
        settings.users = Int.max
        #expect(throws: SettingError.self) { try settings.validate() }
    }

    @Test("JSON round trip keeps every setting; missing keys take defaults")
    func codable() throws {
        var settings = GeneratorSettings()
        settings.recordsPerSecond = 60_000
        settings.users = 250
        settings.userDistribution = .zipf(exponent: 1.2)
        settings.severityWeights = try SeverityWeights(parsing: "High=3,Critical=1")
        settings.crashTerm = "panic"
        settings.crashRate = 7
        settings.termVariants = try TermVariantWeights(parsing: "upper=1")
        settings.decoyFraction = 0.02
        settings.lateFraction = 0.1
        settings.lateClass = .range(minMs: 5_000, maxMs: 20_000)
        settings.watermarkDelayMs = 60_000
        settings.windowMs = 5_000
        settings.malformedFraction = 0.001
        settings.malformedKinds = try MalformedKinds(parsing: "oversize")
        settings.seed = .max
        let data = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(GeneratorSettings.self, from: data) == settings)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"user_distribution\":\"zipf:1.2\""))
        #expect(text.contains("\"late_class\":\"5s..20s\""))

        let partial = try JSONDecoder().decode(GeneratorSettings.self, from: Data(#"{"rps": 5, "crash_rate": 1}"#.utf8))
        var expected = GeneratorSettings()
        expected.recordsPerSecond = 5
        expected.crashRate = 1
        #expect(partial == expected)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GeneratorSettings.self, from: Data(#"{"late_class": "someday"}"#.utf8))
        }
    }

    @Test func theDefaultDecoyShareShrinksToTheRoomTheCrashRateLeaves() throws {
        var settings = GeneratorSettings()
        #expect(settings.defaultDecoyFraction == 0.01)
        settings.recordsPerSecond = 100
        settings.crashRate = 100
        #expect(settings.defaultDecoyFraction == 0)
        settings.decoyFraction = settings.defaultDecoyFraction
        try settings.validate()
        settings.crashRate = 99
        settings.malformedFraction = 0.005
        #expect(abs(settings.defaultDecoyFraction - 0.005) < 1e-9)
    }
}
