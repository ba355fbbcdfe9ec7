@testable import Detector
import Testing

@Suite("Event scanner: malformed values")
struct ScannerMalformedTests {
    static let valid = eventJSON(1_769_000_000_123, user: "user_1234", content: "app crash")

    /// `valid` with `text` in place of the first occurrence of `target`.
    static func replacing(_ target: String, with text: String) -> String {
        guard let range = valid.range(of: target) else { return valid }
        return valid.replacingCharacters(in: range, with: text)
    }

    /// `valid` with raw bytes in place of the content's text.
    static func contentBytes(_ bytes: [UInt8]) -> [UInt8] {
        let parts = valid.components(separatedBy: "app crash")
        return Array(parts[0].utf8) + bytes + Array(parts[1].utf8)
    }

    static let badUTF8Strings: [(String, [UInt8])] = [
        ("invalid byte FF", [0xFF]),
        ("invalid byte C0 AF (overlong '/')", [0xC0, 0xAF]),
        ("overlong three-byte NUL", [0xE0, 0x80, 0x80]),
        ("overlong three-byte '/'", [0xE0, 0x80, 0xAF]),
        ("overlong four-byte", [0xF0, 0x80, 0x80, 0xAF]),
        ("encoded surrogate U+D800", [0xED, 0xA0, 0x80]),
        ("encoded surrogate U+DFFF", [0xED, 0xBF, 0xBF]),
        ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
        ("five-byte lead", [0xF8, 0x88, 0x80, 0x80, 0x80]),
        ("lone continuation byte", [0x80]),
        ("two-byte sequence cut short", [0xC3]),
        ("three-byte sequence cut short", [0xE2, 0x82]),
        ("lead byte followed by ASCII", [0xE2, 0x41, 0x41]),
        ("Latin-1 text", Array("caf".utf8) + [0xE9]),
    ]

    @Test(arguments: badUTF8Strings)
    func badUTF8InAStringIsNotUTF8(label: String, bytes: [UInt8]) {
        #expect(scan(bytes: Self.contentBytes(bytes)) == .malformed(.notUTF8), "\(label)")
    }

    @Test func badUTF8AnywhereIsNotUTF8EvenWhenTheJSONBreaksFirst() {
        #expect(scan(bytes: Array(Self.valid.utf8) + [0xFF]) == .malformed(.notUTF8))
        #expect(scan(bytes: [0xFF] + Array(Self.valid.utf8)) == .malformed(.notUTF8))
        #expect(scan(bytes: Array(#"{"timestamp" 1, "x": ""#.utf8) + [0xC0, 0x80, 0x22, 0x7D]) == .malformed(.notUTF8))
    }

    @Test func wellFormedMultiByteTextIsAccepted() {
        let text: [UInt8] = [0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80, 0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF]
        guard case .event = scan(bytes: Self.contentBytes(text)) else {
            Issue.record("the smallest and largest sequences of each length are valid")
            return
        }
    }

    static let brokenJSON: [(String, String)] = [
        ("empty", ""), ("only whitespace", " \n\t "), ("open brace", "{"),
        ("trailing text", valid + "x"), ("two objects", valid + "{}"), ("trailing comma", #"{"a":1,}"#),
        ("trailing comma in array", #"{"a":[1,],"timestamp":1}"#), ("missing colon", #"{"a" 1}"#),
        ("missing comma", #"{"a":1 "b":2}"#), ("single-quoted string", #"{'a':1}"#), ("unquoted key", #"{a:1}"#),
        ("leading zero", replacing("1769000000123", with: "01769000000123")), ("bare minus", replacing("1769000000123", with: "-")),
        ("fraction without digits", replacing("1769000000123", with: "1.")), ("fraction without integer", replacing("1769000000123", with: ".5")),
        ("exponent without digits", replacing("1769000000123", with: "1e")), ("exponent sign without digits", replacing("1769000000123", with: "1e+")),
        ("plus sign", replacing("1769000000123", with: "+1")), ("NaN", replacing("1769000000123", with: "NaN")),
        ("Infinity", replacing("1769000000123", with: "Infinity")), ("hex number", replacing("1769000000123", with: "0x10")),
        ("cut-off literal", #"{"a":tru}"#), ("capitalised literal", #"{"a":True}"#), ("misspelt literal", #"{"a":nul}"#),
        ("control character in string", replacing("app crash", with: "app\tcrash")), ("NUL in string", replacing("app crash", with: "app\u{0}crash")),
        ("unknown escape", replacing("app crash", with: #"app \x41 crash"#)), ("short unicode escape", replacing("app crash", with: #"\u41 crash"#)),
        ("non-hex unicode escape", replacing("app crash", with: #"\u00G1 crash"#)),
        ("lone high surrogate", replacing("app crash", with: #"\ud800 crash"#)), ("lone low surrogate", replacing("app crash", with: #"\udc00 crash"#)),
        ("high surrogate then letter", replacing("app crash", with: #"\ud800\u0041 crash"#)),
        ("two high surrogates", replacing("app crash", with: #"\ud800\ud800 crash"#)),
        ("surrogate at the end", replacing("app crash", with: #"crash \ud83d"#)),
        ("backslash at the end", #"{"a":"\"#), ("unterminated string", #"{"a":"abc"#), ("comment", "/* x */" + valid),
        ("byte-order mark", "\u{FEFF}" + valid), ("mismatched brackets", #"{"a":[1}"#), ("mismatched braces", #"{"a":{"b":1]}"#),
        ("key that is a number", #"{1:2}"#), ("colon after value", #"{"a":1:2}"#), ("array with a missing value", #"[1,,2]"#),
        ("form feed as whitespace", "\u{0C}" + valid), ("non-breaking space as whitespace", "\u{00A0}" + valid),
    ]

    @Test(arguments: brokenJSON)
    func brokenJSONIsInvalidJSON(label: String, json: String) {
        #expect(scan(json) == .malformed(.invalidJSON), "\(label): \(json)")
    }

    @Test func everyCutOfAnEventIsInvalidJSON() {
        let bytes = Array(Self.valid.utf8)
        for length in 0..<bytes.count {
            #expect(scan(bytes: Array(bytes[..<length])) == .malformed(.invalidJSON), "cut at \(length)")
        }
    }

    @Test func nestingIsAcceptedToFoundationsDepthAndNoDeeper() {
        func nested(_ depth: Int) -> String {
            let arrays = String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1)
            return #"{"deep": \#(arrays), "timestamp": 1, "severity": "High", "user_id": "u", "content": "crash"}"#
        }
        #expect(matches(nested(JSONCursor.maximumDepth)))
        #expect(scan(nested(JSONCursor.maximumDepth + 1)) == .malformed(.invalidJSON))
        let deepObjects = String(repeating: #"{"a":"#, count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        #expect(scan(deepObjects) == .malformed(.invalidJSON))
    }

    static let eventsLackingAField: [(String, String)] = [
        ("no fields", "{}"),
        ("no timestamp", #"{"severity": "High", "user_id": "u", "content": "crash"}"#),
        ("no severity", #"{"timestamp": 1, "user_id": "u", "content": "crash"}"#),
        ("no user_id", #"{"timestamp": 1, "severity": "High", "content": "crash"}"#),
        ("no content", #"{"timestamp": 1, "severity": "High", "user_id": "u"}"#),
        ("misspelt key", #"{"timestamps": 1, "severity": "High", "user_id": "u", "content": "crash"}"#),
        ("key in other case", #"{"Timestamp": 1, "severity": "High", "user_id": "u", "content": "crash"}"#),
        ("missing and wrongly typed", #"{"timestamp": "1", "severity": "High", "user_id": "u"}"#),
    ]

    @Test(arguments: eventsLackingAField)
    func absentFieldsAreMissingFields(label: String, json: String) {
        #expect(scan(json) == .malformed(.missingField), "\(label)")
    }

    static let validJSONOfWrongTypes: [(String, String)] = [
        ("array", "[1, 2]"), ("string", #""crash""#), ("number", "42"), ("null", "null"), ("true", "true"),
        ("empty array", "[]"),
        ("timestamp as string", replacing("1769000000123", with: #""1769000000123""#)),
        ("timestamp with fraction", replacing("1769000000123", with: "1.5")),
        ("timestamp with zero fraction", replacing("1769000000123", with: "1769000000123.0")),
        ("timestamp with exponent", replacing("1769000000123", with: "1e3")),
        ("timestamp with capital exponent", replacing("1769000000123", with: "1769E9")),
        ("negative zero timestamp", replacing("1769000000123", with: "-0")),
        ("timestamp 2^63", replacing("1769000000123", with: "9223372036854775808")),
        ("timestamp Int64.max", replacing("1769000000123", with: "9223372036854775807")),
        ("timestamp Int64.min", replacing("1769000000123", with: "-9223372036854775808")),
        ("timestamp past 2^64", replacing("1769000000123", with: "99999999999999999999999999")),
        ("timestamp just past the limit", replacing("1769000000123", with: "4611686018427387905")),
        ("negative timestamp just past the limit", replacing("1769000000123", with: "-4611686018427387905")),
        ("timestamp true", replacing("1769000000123", with: "true")),
        ("timestamp null", replacing("1769000000123", with: "null")),
        ("timestamp object", replacing("1769000000123", with: #"{"ms": 1}"#)),
        ("severity number", replacing(#""High""#, with: "3")),
        ("severity array", replacing(#""High""#, with: #"["High"]"#)),
        ("user_id null", replacing(#""user_1234""#, with: "null")),
        ("user_id number", replacing(#""user_1234""#, with: "1234")),
        ("content array", replacing(#""app crash""#, with: #"["crash"]"#)),
        ("content object", replacing(#""app crash""#, with: #"{"text": "crash"}"#)),
        ("content false", replacing(#""app crash""#, with: "false")),
    ]

    @Test(arguments: validJSONOfWrongTypes)
    func otherValidJSONIsWrongType(label: String, json: String) {
        #expect(scan(json) == .malformed(.wrongType), "\(label): \(json)")
    }
}
