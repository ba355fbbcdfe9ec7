extension AlertReader {
    /// Reads JSON Lines of `AlertRecord`: one object per non-blank line with integer `window_start`,
    /// `window_end`, `crash_count` (not negative) and string `user_id`; `emitted_at` and `batch` are
    /// optional integers (absent or null). Other members are ignored, so detectors may add their own.
    public static func jsonLines(_ text: String, source: String) throws(AlertReadError) -> ObservedAlerts {
        var alerts: [ObservedAlert] = []
        for (number, line) in lines(text) where !line.allSatisfy(\.isWhitespace) {
            alerts.append(try jsonAlert(Array(line.utf8), source: source, line: number))
        }
        return ObservedAlerts(source: source, format: .jsonl, alerts: alerts)
    }

    /// Reads one alert record given as JSON bytes (one line of a file, or one Kafka record value);
    /// `line` numbers it in `source` for messages and findings.
    public static func jsonAlert(_ bytes: [UInt8], source: String, line: Int) throws(AlertReadError) -> ObservedAlert {
        do {
            return try alert(fromJSON: bytes, line: line)
        } catch {
            throw AlertReadError(source: source, line: line, reason: error.message)
        }
    }

    private struct LineFault: Error {
        let message: String
    }

    private static let integerFields: Set<String> = ["window_start", "window_end", "crash_count", "emitted_at", "batch"]

    private static func alert(fromJSON bytes: [UInt8], line: Int) throws(LineFault) -> ObservedAlert {
        var integers: [String: Int64] = [:]
        var user: String?
        try bytes.withUnsafeBufferPointer { (buffer) throws(LineFault) in
            var scanner = JSONScanner(buffer)
            do throws(JSONFault) {
                try readMembers(&scanner, integers: &integers, user: &user)
            } catch {
                throw LineFault(message: "invalid JSON at column \(error.offset + 1): \(error.reason)")
            }
        }
        guard let start = integers["window_start"] else { throw LineFault(message: "missing window_start") }
        guard let end = integers["window_end"] else { throw LineFault(message: "missing window_end") }
        guard let count = integers["crash_count"] else { throw LineFault(message: "missing crash_count") }
        guard let user else { throw LineFault(message: "missing user_id") }
        guard count >= 0 else { throw LineFault(message: "crash_count is negative (\(count))") }
        return ObservedAlert(
            windowStart: start, windowEnd: end, userId: user, count: Int(count), emittedAt: integers["emitted_at"],
            batch: integers["batch"], line: line)
    }

    /// Walks one object; a known field of the wrong type is reported like a JSON fault at its value.
    private static func readMembers(
        _ scanner: inout JSONScanner, integers: inout [String: Int64], user: inout String?
    ) throws(JSONFault) {
        var key: [UInt8] = []
        var scratch: [UInt8] = []
        try scanner.expect(UInt8(ascii: "{"), "expected an object")
        if scanner.peekSignificant() == UInt8(ascii: "}") {
            try scanner.expect(UInt8(ascii: "}"), "expected '}'")
        } else {
            repeat {
                try scanner.readString(into: &key)
                let name = String(decoding: key, as: UTF8.self)
                try scanner.expect(UInt8(ascii: ":"), "expected ':' after a key")
                let first = scanner.peekSignificant()
                if integerFields.contains(name) {
                    if first == UInt8(ascii: "n") {
                        try scanner.skipValue()
                        integers[name] = nil
                        continue
                    }
                    guard let first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39),
                        case .integer(let value) = try scanner.readNumber()
                    else { throw scanner.fault("\(name) must be an integer") }
                    integers[name] = value
                } else if name == "user_id" {
                    guard first == UInt8(ascii: "\"") else { throw scanner.fault("user_id must be a string") }
                    try scanner.readString(into: &scratch)
                    user = String(decoding: scratch, as: UTF8.self)
                } else {
                    try scanner.skipValue()
                }
            } while try scanner.continues(closer: UInt8(ascii: "}"))
        }
        scanner.skipWhitespace()
        guard scanner.atEnd else { throw scanner.fault("unexpected text after the object") }
    }
}
