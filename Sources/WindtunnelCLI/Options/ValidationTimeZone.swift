import Foundation
import Validator

/// `--timezone` as a fixed offset from UTC: Spark's console sink prints window bounds in the session time
/// zone, without the zone.
enum UTCOffset {
    /// `UTC`/`Z`, `+HH:MM`/`-HHMM`/`+HH`, or a zone name (its offset now; a run that crosses a daylight
    /// saving change needs the offset written out).
    static func seconds(_ text: String) throws(ValidatorError) -> Int {
        if text == "UTC" || text == "Z" || text == "GMT" { return 0 }
        if let first = text.first, first == "+" || first == "-" {
            let digits = text.dropFirst().filter { $0 != ":" }
            guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCII), let number = Int(digits) else {
                throw ValidatorError("--timezone '\(text)' must be written like +02:00, -0530 or +01")
            }
            let hours = digits.count == 2 ? number : number / 100
            let minutes = digits.count == 2 ? 0 : number % 100
            guard hours <= 18, minutes < 60 else { throw ValidatorError("--timezone '\(text)' is not an offset from UTC") }
            return (first == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60)
        }
        guard let zone = TimeZone(identifier: text) else {
            throw ValidatorError("--timezone '\(text)' is not a time zone (write UTC, +02:00 or a name such as Europe/Paris)")
        }
        return zone.secondsFromGMT()
    }
}
