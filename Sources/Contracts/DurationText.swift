/// Durations as people write them on command lines and in scenario files: `500ms`, `10s`, `2m`, `1h`,
/// or combinations such as `1m30s`. A bare number is refused, because `10` could mean seconds or
/// milliseconds and guessing wrong is the classic bug this project exists to catch.
public enum DurationText {
    /// Why a duration could not be read.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        /// The text that was given.
        public let text: String
        /// What is wrong with it.
        public let reason: String

        public var description: String { "invalid duration '\(text)': \(reason) (write it like 500ms, 10s, 2m or 1h)" }
    }

    /// The longest duration any setting takes: 30 days. Longer ones are typing mistakes, and the times derived
    /// from them (nanosecond timetables, record counts at a rate) must stay far from 64-bit overflow.
    public static let longestMs: Int64 = 30 * 24 * 3_600_000

    /// Parses `text` into whole milliseconds, at most `longestMs`.
    public static func milliseconds(_ text: String) throws(ParseError) -> Int64 {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "it is empty") }
        var total: Int64 = 0
        var index = trimmed.startIndex
        var sawPart = false
        while index < trimmed.endIndex {
            var number: Int64 = 0
            var digits = 0
            while index < trimmed.endIndex, let digit = trimmed[index].wholeNumberValue, trimmed[index].isASCII {
                let (product, overflow1) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int64(digit))
                if overflow1 || overflow2 { throw ParseError(text: text, reason: "it is too large") }
                number = sum
                digits += 1
                index = trimmed.index(after: index)
            }
            guard digits > 0 else { throw ParseError(text: text, reason: "expected a number at '\(trimmed[index...])'") }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1_000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "": throw ParseError(text: text, reason: "the number \(number) has no unit")
            default: throw ParseError(text: text, reason: "unknown unit '\(unit)'")
            }
            let (part, overflow) = number.multipliedReportingOverflow(by: scale)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            if overflow || overflow2 { throw ParseError(text: text, reason: "it is too large") }
            total = sum
            sawPart = true
        }
        guard sawPart else { throw ParseError(text: text, reason: "it has no value") }
        guard total <= longestMs else { throw ParseError(text: text, reason: "it is longer than \(render(milliseconds: longestMs)), the longest duration windtunnel takes") }
        return total
    }

    /// Renders milliseconds in the shortest exact form that `milliseconds(_:)` reads back: `90000` is `1m30s`.
    public static func render(milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds < 0 ? -milliseconds : milliseconds
        var text = milliseconds < 0 ? "-" : ""
        for (scale, unit) in [(Int64(3_600_000), "h"), (60_000, "m"), (1_000, "s"), (1, "ms")] where rest >= scale {
            text += "\(rest / scale)\(unit)"
            rest %= scale
        }
        return text
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return slice
    }
}
