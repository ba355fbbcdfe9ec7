import Contracts
import GroundTruth
import Testing

@Suite("Strict event decoding")
struct EventDecoderTests {
    private func decode(_ text: String, matching: TermMatching = .caseInsensitive) -> DecodedRecord {
        decode(Array(text.utf8), matching: matching)
    }

    private func decode(_ bytes: [UInt8], matching: TermMatching = .caseInsensitive) -> DecodedRecord {
        var decoder = EventDecoder(term: "crash", matching: matching)
        return bytes.withUnsafeBytes { decoder.decode($0) }
    }

    private func event(_ text: String, matching: TermMatching = .caseInsensitive) throws -> DecodedEvent {
        guard case .event(let event) = decode(text, matching: matching) else {
            throw DecodingFailure(text: text)
        }
        return event
    }

    struct DecodingFailure: Error {
        let text: String
    }

    @Test func readsTheFourFieldsAndIgnoresOthers() throws {
        let event = try event(#"{"timestamp": 1769000000123, "status": "OK", "severity": "High", "source_ip": "10.1.2.3", "user_id": "user_1234", "content": "app crash in renderer", "extra": [1, {"a": null}, true, -2.5e3]}"#)
        #expect(event.timestamp == 1_769_000_000_123)
        #expect(event.user == .numbered(1234))
        #expect(event.severity == .high)
        #expect(event.hasTerm)
    }

    @Test func unescapesStringsBeforeMatching() throws {
        // "cr\u0061sh" is "crash" once unescaped; a detector matching raw bytes would miss it.
        let escaped = try event(#"{"timestamp":1,"severity":"Hi\u0067h","user_id":"user_\u0031","content":"cr\u0061sh \"quoted\""}"#)
        #expect(escaped.hasTerm)
        #expect(escaped.severity == .high)
        #expect(escaped.user == .numbered(1))
        let pair = try event(#"{"timestamp":1,"severity":"Low","user_id":"\ud83d\ude00","content":"x"}"#)
        #expect(pair.user == .named("😀"))
    }

    @Test func matchesTheTermByTheConfiguredComparison() throws {
        let upper = #"{"timestamp":1,"severity":"High","user_id":"u","content":"App CRASHED"}"#
        let insensitive = try event(upper)
        #expect(insensitive.hasTerm && !insensitive.hasTermOtherCase)
        let sensitive = try event(upper, matching: .caseSensitive)
        #expect(!sensitive.hasTerm && sensitive.hasTermOtherCase)
        let unicode = try event(#"{"timestamp":1,"severity":"High","user_id":"u","content":"ÉCRASH ☃"}"#)
        #expect(unicode.hasTerm)
        let none = try event(#"{"timestamp":1,"severity":"High","user_id":"u","content":"cras h"}"#)
        #expect(!none.hasTerm && !none.hasTermOtherCase)
    }

    @Test func unknownSeverityIsAnEventWithoutSeverity() throws {
        #expect(try event(#"{"timestamp":1,"severity":"high","user_id":"u","content":"crash"}"#).severity == nil)
    }

    @Test func nonCanonicalUserIdsStayText() throws {
        #expect(try event(#"{"timestamp":1,"severity":"High","user_id":"user_0012","content":""}"#).user == .named("user_0012"))
        #expect(try event(#"{"timestamp":1,"severity":"High","user_id":"user_","content":""}"#).user == .named("user_"))
        #expect(UserKey("user_42").description == "user_42")
    }

    @Test func lastDuplicateFieldWins() throws {
        #expect(try event(#"{"timestamp":"x","timestamp":5,"severity":"High","user_id":"u","content":""}"#).timestamp == 5)
    }

    @Test(arguments: [
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":"crash""#, MalformedKind.invalidJSON),
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":"crash"} x"#, .invalidJSON),
        (#"{"timestamp":01,"severity":"High","user_id":"u","content":"crash"}"#, .invalidJSON),
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":"a\qb"}"#, .invalidJSON),
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":"\ud83d"}"#, .invalidJSON),
        ("{\"timestamp\":1,\"severity\":\"High\",\"user_id\":\"u\",\"content\":\"a\tb\"}", .invalidJSON),
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":tru}"#, .invalidJSON),
        ("", .invalidJSON),
        (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), .invalidJSON),
        (#"{"timestamp":1,"severity":"High","user_id":"u"}"#, .missingField),
        (#"{}"#, .missingField),
        (#"[1, 2]"#, .wrongType),
        (#""crash""#, .wrongType),
        (#"{"timestamp":1.5,"severity":"High","user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":1e3,"severity":"High","user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":"1","severity":"High","user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":null,"severity":"High","user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":99999999999999999999,"severity":"High","user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":1,"severity":3,"user_id":"u","content":"crash"}"#, .wrongType),
        (#"{"timestamp":1,"severity":"High","user_id":1234,"content":"crash"}"#, .wrongType),
        (#"{"timestamp":1,"severity":"High","user_id":"u","content":["crash"]}"#, .wrongType),
    ])
    func refusesMalformedRecordsByKind(text: String, kind: MalformedKind) {
        #expect(decode(text) == .malformed(kind))
    }

    @Test func invalidUTF8IsItsOwnKind() {
        var bytes = Array(#"{"timestamp":1,"severity":"High","user_id":"u","content":"crash "#.utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by a non-continuation byte
        bytes += Array(#""}"#.utf8)
        #expect(decode(bytes) == .malformed(.notUTF8))
        #expect(decode([0xED, 0xA0, 0x80]) == .malformed(.notUTF8))  // an encoded surrogate
        #expect(decode([0xC0, 0x80]) == .malformed(.notUTF8))  // an overlong NUL
    }

    @Test func extremeTimestampsDecodeAndOutOfRangeWindowsAreMalformed() throws {
        #expect(try event(#"{"timestamp":-9223372036854775808,"severity":"High","user_id":"u","content":""}"#).timestamp == .min)
        var tally = try ReplayTally(rule: RuleSettings())
        for (offset, timestamp) in [Int64.min, .max, -5].enumerated() {
            let value = #"{"timestamp":\#(timestamp),"severity":"High","user_id":"user_1","content":"crash"}"#
            tally.record(InputRecord(partition: 0, offset: Int64(offset), kafkaTimestampMs: 0, value: Array(value.utf8)))
        }
        let expected = tally.finish()
        #expect(expected.events.malformed.timestampOutOfRange == 2)
        // Negative times floor to the window below: -5 ms lies in [-10 s, 0). That window ends at the epoch,
        // where the watermark starts, so the rule drops it as late from the first batch on.
        let window = try #require(expected.window(start: -10_000, user: "user_1"))
        #expect(window.dropped == CountRange(exactly: 1))
        #expect(window.count == CountRange(exactly: 0))
    }
}
