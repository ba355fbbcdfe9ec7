/// Epoch milliseconds as Spark prints timestamps: `yyyy-MM-dd HH:mm:ss`, with a fraction only when it is not
/// zero and without its trailing zeros (`13:53:00.5`). Years past 9999 get a `+` as in Spark
/// (`+58024-10-01 20:59:10`, the mark of seconds read as milliseconds); years before 1 are written as
/// ISO 8601 does (year 0 is 1 BC, -0001 is 2 BC).
enum TimestampText {
    static func utc(milliseconds: Int64) -> String {
        let millisecondsPerDay: Int64 = 86_400_000
        let days = floorDivision(milliseconds, millisecondsPerDay)
        let timeOfDay = milliseconds - days * millisecondsPerDay
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let seconds = timeOfDay / 1000
        var text = yearText(year) + "-" + padded(month, 2) + "-" + padded(day, 2) + " "
        text += padded(seconds / 3600, 2) + ":" + padded(seconds / 60 % 60, 2) + ":" + padded(seconds % 60, 2)
        var fraction = timeOfDay % 1000
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            text += "." + padded(fraction, digits)
        }
        return text
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func yearText(_ year: Int64) -> String {
        if year > 9999 { return "+" + String(year) }
        if year < 0 { return "-" + padded(-year, 4) }
        return padded(year, 4)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
