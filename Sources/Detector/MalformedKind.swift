/// Why a record value is not an event (DESIGN.md, "What counts as an event").
///
/// It is an `Error` because the scanner throws it from deep inside a value to report it.
///
/// The kinds are checked in this order, so each value has exactly one kind:
/// 1. `notUTF8`: the bytes are not valid UTF-8 (including overlong encodings, encoded surrogates and
///    code points above U+10FFFF), wherever in the value the bad bytes are.
/// 2. `invalidJSON`: valid UTF-8, but not one JSON value (RFC 8259), or a JSON value followed by anything
///    but whitespace. A `\u` escape of a lone surrogate counts here: it decodes to no Unicode string.
/// 3. `missingField`: a JSON object lacking `timestamp`, `severity`, `user_id` or `content`.
/// 4. `wrongType`: any other valid JSON value that is not an event: a value that is not an object, a
///    `timestamp` that is not an integer literal within ±2^62 ms (`1.5`, `1e3`, `-0` and `2^63` are not),
///    or a `severity`, `user_id` or `content` that is not a string.
public enum MalformedKind: String, Error, CaseIterable, Sendable, Codable, Hashable {
    case notUTF8 = "not-utf8"
    case invalidJSON = "invalid-json"
    case missingField = "missing-field"
    case wrongType = "wrong-type"
}
