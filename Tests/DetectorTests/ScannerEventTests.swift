import Contracts
@testable import Detector
import Testing

@Suite("Event scanner: events and matching")
struct ScannerEventTests {
    @Test func readsTheFieldsOfAGeneratorEvent() {
        let verdict = scan(eventJSON(1_769_000_000_123, user: "user_1234", severity: "Critical"))
        guard case .event(let event) = verdict else {
            Issue.record("not an event: \(verdict)")
            return
        }
        #expect(event.timestamp == 1_769_000_000_123)
        #expect(event.severity == .critical)
        #expect(event.matches)
        #expect(scannedUserId(eventJSON(1, user: "user_1234")) == "user_1234")
    }

    @Test func skipsOtherFieldsOfEveryType() {
        let json = """
            {"a": {"b": [1, 2.5, -3e-2, {"c": null}], "d": {}}, "e": [], "f": true, "g": false, "h": null,
             "timestamp": 5, "i": "x\\"y", "severity": "High", "j": [[[]]], "user_id": "user_1", "k": 0,
             "content": "crash", "l": -0.0E+1}
            """
        guard case .event(let event) = scan(json) else {
            Issue.record("not an event")
            return
        }
        #expect(event.timestamp == 5)
        #expect(event.matches)
    }

    @Test func toleratesWhitespaceBetweenEveryToken() {
        let json = " \t\r\n{ \"timestamp\" :\n7 ,\t\"severity\"\r: \"High\" , \"user_id\":\"user_2\",\"content\" : \"crash\" } \n"
        #expect(scan(json) != .malformed(.invalidJSON))
        #expect(matches(json))
    }

    @Test func fieldsInsideNestedObjectsAreNotEventFields() {
        let nested = #"{"meta": {"timestamp": "soon", "content": 3}, "timestamp": 1, "severity": "High", "user_id": "u", "content": "crash"}"#
        #expect(matches(nested))
        let onlyNested = #"{"meta": {"timestamp": 1}, "severity": "High", "user_id": "u", "content": "crash"}"#
        #expect(scan(onlyNested) == .malformed(.missingField))
    }

    @Test func theLastOfDuplicateKeysWins() {
        let laterInteger = #"{"timestamp": "x", "severity": "High", "user_id": "u", "content": "crash", "timestamp": 42}"#
        guard case .event(let event) = scan(laterInteger) else {
            Issue.record("the later integer timestamp should win")
            return
        }
        #expect(event.timestamp == 42)
        let laterString = #"{"timestamp": 42, "severity": "High", "user_id": "u", "content": "crash", "timestamp": "x"}"#
        #expect(scan(laterString) == .malformed(.wrongType))
        let laterContent = #"{"timestamp": 1, "severity": "High", "user_id": "u", "content": "crash", "content": "fine"}"#
        #expect(!matches(laterContent))
        let laterSeverity = #"{"timestamp": 1, "severity": "Low", "user_id": "u", "content": "crash", "severity": "High"}"#
        #expect(matches(laterSeverity))
        #expect(scannedUserId(#"{"timestamp": 1, "user_id": "a", "severity": "High", "content": "c", "user_id": "b"}"#) == "b")
    }

    @Test func escapedKeysNameTheirDecodedField() {
        let json = #"{"time\u0073tamp": 9, "s\u0065verity": "High", "user\u005fid": "u", "\u0063ontent": "crash"}"#
        guard case .event(let event) = scan(json) else {
            Issue.record("escaped keys were not recognised")
            return
        }
        #expect(event.timestamp == 9)
        #expect(event.matches)
    }

    @Test(arguments: ["crash", "Crash", "CRASH", "crashed", "app CrAsHeD twice", "recrash", "crash!", "xcrash"])
    func caseInsensitiveMatchingFindsEveryCaseVariant(content: String) {
        #expect(matches(eventJSON(1, content: content)))
    }

    @Test(arguments: ["crush", "trash", "cr ash", "c-rash", "crahs", "cras", "rash", "", "CRUSH", "cr\u{00C4}sh"])
    func decoysNeverMatch(content: String) {
        #expect(!matches(eventJSON(1, content: content)))
        #expect(!matches(eventJSON(1, content: content), rule: RuleSettings(matching: .caseSensitive)))
    }

    @Test func caseSensitiveMatchingTakesOnlyTheExactSpelling() {
        let rule = RuleSettings(matching: .caseSensitive)
        #expect(matches(eventJSON(1, content: "crash"), rule: rule))
        #expect(matches(eventJSON(1, content: "it crashed"), rule: rule))
        #expect(!matches(eventJSON(1, content: "Crash"), rule: rule))
        #expect(!matches(eventJSON(1, content: "CRASH"), rule: rule))
        #expect(!matches(eventJSON(1, content: "cRash"), rule: rule))
    }

    @Test func foldingIsASCIIOnly() {
        // Only ASCII letters fold: a non-ASCII term must match byte for byte.
        let rule = RuleSettings(term: "\u{00E9}chec")
        #expect(matches(eventJSON(1, content: "\u{00E9}CHEC total"), rule: rule))
        #expect(!matches(eventJSON(1, content: "\u{00C9}chec total"), rule: rule))
    }

    @Test func escapesInContentBehaveAsTheDecodedText() {
        #expect(matches(eventJSON(1, content: #"\u0063rash"#)))
        #expect(matches(eventJSON(1, content: #"cr\u0061sh"#)))
        #expect(matches(eventJSON(1, content: #"cra\u0073h"#)))
        #expect(matches(eventJSON(1, content: #"\u0043RASH"#)))
        #expect(matches(eventJSON(1, content: #"\"crash\" at \\ root"#)))
        #expect(matches(eventJSON(1, content: #"\ud83d\ude00 crash \u00e9"#)))
        #expect(matches(eventJSON(1, content: #"line\ncrash"#)))
        #expect(!matches(eventJSON(1, content: #"cr\\ash"#)))
        #expect(!matches(eventJSON(1, content: #"cr\nash"#)))
        #expect(!matches(eventJSON(1, content: #"cr\u0020ash"#)))
        #expect(!matches(eventJSON(1, content: #"\u0063rush"#)))
    }

    @Test func theTermElsewhereInTheEventDoesNotCount() {
        let json = #"{"timestamp": 1, "status": "crash", "severity": "High", "user_id": "crash", "content": "all fine"}"#
        #expect(!matches(json))
    }

    @Test func severityComparesExactly() {
        #expect(matches(eventJSON(1, severity: "High")))
        #expect(matches(eventJSON(1, severity: "Critical")))
        #expect(matches(eventJSON(1, severity: #"H\u0069gh"#)))
        for other in ["Low", "Medium", "high", "HIGH", "critical", "High ", " High", "Hig", ""] {
            #expect(!matches(eventJSON(1, severity: other)), "severity '\(other)'")
        }
        guard case .event(let event) = scan(eventJSON(1, severity: "Medium")) else {
            Issue.record("not an event")
            return
        }
        #expect(event.severity == .medium)
        guard case .event(let unknown) = scan(eventJSON(1, severity: "high")) else {
            Issue.record("an unknown severity is still an event")
            return
        }
        #expect(unknown.severity == nil)
    }

    @Test func theConfiguredSeveritiesDecide() {
        let rule = RuleSettings(severities: [.low, .medium])
        #expect(matches(eventJSON(1, severity: "Low"), rule: rule))
        #expect(matches(eventJSON(1, severity: "Medium"), rule: rule))
        #expect(!matches(eventJSON(1, severity: "High"), rule: rule))
        #expect(!matches(eventJSON(1, severity: "Critical"), rule: rule))
    }

    @Test func anotherTermCanBeConfigured() {
        let rule = RuleSettings(term: "OutOfMemory")
        #expect(matches(eventJSON(1, content: "java.lang.outofmemoryError"), rule: rule))
        #expect(!matches(eventJSON(1, content: "app crash"), rule: rule))
    }

    @Test func timestampsAtTheEdgesOfTheRange() {
        let limit = Int64(EventScanner.timestampLimit)
        for timestamp in [0, -1, limit, -limit] {
            guard case .event(let event) = scan(eventJSON(timestamp)) else {
                Issue.record("\(timestamp) should be an event")
                continue
            }
            #expect(event.timestamp == timestamp)
        }
    }

    @Test func userIdsAreDecoded() {
        #expect(scannedUserId(eventJSON(1, user: #"user\u005f1234"#)) == "user_1234")
        #expect(scannedUserId(eventJSON(1, user: #"al\"ice"#)) == "al\"ice")
        #expect(scannedUserId(eventJSON(1, user: "")) == "")
        #expect(scannedUserId(eventJSON(1, user: "\u{00FC}ser \u{1F600}")) == "\u{00FC}ser \u{1F600}")
    }

    @Test func longStringsCrossTheEightByteStepsCorrectly() {
        // Quotes, escapes and multi-byte characters at every offset around the eight-byte steps.
        for padding in 0..<20 {
            let filler = String(repeating: "a", count: padding)
            #expect(matches(eventJSON(1, content: filler + "crash" + filler)))
            #expect(matches(eventJSON(1, content: filler + #"\"x"# + filler + "crash")))
            #expect(matches(eventJSON(1, content: filler + "\u{00E9}\u{4E2D}" + filler + "crash")))
            #expect(!matches(eventJSON(1, content: filler + "cras-" + filler + "h")))
        }
    }
}
