import EventModel
import Foundation
import Testing

@Suite("Malformed records")
struct MalformedTests {
    @Test("the malformed share matches the fraction, every kind is sent, none carries the term")
    func fraction() throws {
        var settings = testSettings()
        settings.malformedFraction = 0.05
        let all = try samples(settings, count: 100_000)
        let malformed = all.filter { $0.facts.malformed != nil }
        // 5% of 100,000 is 5,000 with a standard deviation of about 69.
        #expect(malformed.count > 4_750 && malformed.count < 5_250, "\(malformed.count) malformed")
        for kind in MalformedKind.allCases {
            let count = malformed.filter { $0.facts.malformed == kind }.count
            #expect(count > 850 && count < 1_150, "\(count) of \(kind)")
        }
        for sample in malformed {
            #expect(!sample.loweredText.contains("crash"))
            #expect(sample.facts.flags.isEmpty)
            #expect(!isTermPosition(sample), "a term-bearing position was made malformed")
        }
    }

    @Test("each kind really is malformed in its own way")
    func kinds() throws {
        var settings = testSettings()
        settings.malformedFraction = 0.5
        let malformed = try samples(settings, count: 4_000).filter { $0.facts.malformed != nil }
        let required = ["timestamp", "severity", "user_id", "content"]
        for sample in malformed {
            let utf8 = String(validating: sample.value, as: UTF8.self)
            switch sample.facts.malformed {
            case .invalidJSON:
                #expect(utf8 != nil)
                #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: Data(sample.value)) }
            case .missingField:
                let object = try #require(sample.object)
                #expect(required.filter { object[$0] == nil }.count == 1)
            case .wrongType:
                let object = try #require(sample.object)
                let timestampIsString = object["timestamp"] is String
                let severityIsString = object["severity"] is String
                let userIsString = object["user_id"] is String
                #expect([timestampIsString, !severityIsString, !userIsString].filter { $0 }.count == 1)
            case .invalidUTF8:
                #expect(utf8 == nil)
            case .oversize:
                #expect(sample.value.count > 100_000)
                #expect(sample.object?["content"] is String)
            case nil:
                Issue.record("filtered to malformed records")
            }
        }
    }

    @Test("malformed kinds can be narrowed to one")
    func narrowed() throws {
        var settings = testSettings()
        settings.malformedFraction = 0.2
        settings.malformedKinds = try MalformedKinds(parsing: "wrong-type")
        let kinds = Set(try samples(settings, count: 2_000).compactMap(\.facts.malformed))
        #expect(kinds == [.wrongType])
    }
}
