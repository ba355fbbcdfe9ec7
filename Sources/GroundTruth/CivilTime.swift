/// Reads Spark's printed timestamps, `yyyy-MM-dd HH:mm:ss` with an optional fraction, in a fixed offset
/// in a time zone. Years may carry a sign and more than four digits (`+58024-10-01 20:59:10`), which is what a
/// detector that read millisecond timestamps as seconds prints, so they must parse rather than fail.
enum CivilTime {
    struct Fault: Error {
        let message: String
    }

    /// Epoch milliseconds of `text` read in `zone`.
    static func epochMilliseconds(_ text: Substring, zone: ConsoleTimeZone) throws(Fault) -> Int64 {
        let bytes = Array(text.utf8)
        var index = 0
        func number(digits range: ClosedRange<Int>, _ what: String) throws(Fault) -> Int64 {
            var value: Int64 = 0
            var count = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, count < range.upperBound {
                value = value * 10 + Int64(bytes[index] - 0x30)
                index += 1
                count += 1
            }
            guard count >= range.lowerBound else { throw Fault(message: "'\(text)' is not a time like 2026-01-20 13:53:00 (bad \(what))") }
            return value
        }
        func literal(_ byte: UInt8, _ what: String) throws(Fault) {
            guard index < bytes.count, bytes[index] == byte else {
                throw Fault(message: "'\(text)' is not a time like 2026-01-20 13:53:00 (expected \(what))")
            }
            index += 1
        }
        var sign: Int64 = 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
        }
        let year = sign * (try number(digits: 4...9, "year"))
        try literal(UInt8(ascii: "-"), "'-' after the year")
        let month = try number(digits: 2...2, "month")
        try literal(UInt8(ascii: "-"), "'-' after the month")
        let day = try number(digits: 2...2, "day")
        try literal(UInt8(ascii: " "), "a space after the date")
        let hour = try number(digits: 2...2, "hour")
        try literal(UInt8(ascii: ":"), "':' after the hour")
        let minute = try number(digits: 2...2, "minute")
        try literal(UInt8(ascii: ":"), "':' after the minute")
        let second = try number(digits: 2...2, "second")
        var milliseconds: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            let fraction = try number(digits: 1...9, "fraction")
            var scale = index - start
            var scaled = fraction
            while scale > 3 {
                scaled /= 10
                scale -= 1
            }
            while scale < 3 {
                scaled *= 10
                scale += 1
            }
            milliseconds = scaled
        }
        guard index == bytes.count else { throw Fault(message: "'\(text)' has unexpected text after the time") }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 60 else {
            throw Fault(message: "'\(text)' is not a valid date and time")
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = zone.epochSeconds(ofWallClock: ((days * 24 + hour) * 60 + minute) * 60 + second)
        let (total, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow, !total.addingReportingOverflow(milliseconds).overflow else {
            throw Fault(message: "'\(text)' is out of range for epoch milliseconds")
        }
        return total + milliseconds
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
