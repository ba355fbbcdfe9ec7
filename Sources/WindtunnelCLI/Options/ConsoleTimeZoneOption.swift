import Foundation
import GroundTruth
import Validator

/// `--timezone`: the zone Spark's console sink printed window bounds in (its session time zone, printed
/// without the zone).
enum ConsoleTimeZoneOption {
    /// `UTC`/`Z`/`GMT`, a fixed offset `+HH:MM`/`-HHMM`/`+HH`, or a zone name such as `Europe/Paris`, whose
    /// offset follows its daylight-saving rules.
    static func parse(_ text: String) throws(ValidatorError) -> ConsoleTimeZone {
        if text == "UTC" || text == "Z" || text == "GMT" { return .fixed(name: text, offsetSeconds: 0) }
        if let first = text.first, first == "+" || first == "-" {
            let digits = text.dropFirst().filter { $0 != ":" }
            guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCII), let number = Int(digits) else {
                throw ValidatorError("--timezone '\(text)' must be written like +02:00, -0530 or +01")
            }
            let hours = digits.count == 2 ? number : number / 100
            let minutes = digits.count == 2 ? 0 : number % 100
            guard hours <= 18, minutes < 60 else { throw ValidatorError("--timezone '\(text)' is not an offset from UTC") }
            return .fixed(name: text, offsetSeconds: (first == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60))
        }
        guard let zone = TimeZone(identifier: text) else {
            throw ValidatorError("--timezone '\(text)' is not a time zone (write UTC, +02:00 or a name such as Europe/Paris)")
        }
        return ConsoleTimeZone(name: text) { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) }
    }
}
