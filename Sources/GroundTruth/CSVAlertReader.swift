extension AlertReader {
    /// Reads comma-separated alerts. The first non-blank line is a header naming the columns, in any order:
    /// `window_start`, `window_end`, `user_id` and `crash_count` are required; `emitted_at` and `batch` are
    /// optional, as columns and as cells (an empty cell means unknown). Other columns are ignored. Fields
    /// may be quoted as RFC 4180 says, without line breaks inside quotes.
    public static func csv(_ text: String, source: String) throws(AlertReadError) -> ObservedAlerts {
        var columns: [String: Int]?
        var width = 0
        var alerts: [ObservedAlert] = []
        for (number, line) in lines(text) where !line.allSatisfy(\.isWhitespace) {
            let fields: [Substring]
            do {
                fields = try csvFields(line)
            } catch {
                throw AlertReadError(source: source, line: number, reason: error.message)
            }
            guard let header = columns else {
                var named: [String: Int] = [:]
                for (index, name) in fields.enumerated() where named[name.trimmedOfBlanks()] == nil {
                    named[name.trimmedOfBlanks()] = index
                }
                for required in ["window_start", "window_end", "user_id", "crash_count"] where named[required] == nil {
                    throw AlertReadError(
                        source: source, line: number,
                        reason: "the header has no \(required) column (expected window_start,window_end,user_id,crash_count,emitted_at,batch)")
                }
                columns = named
                width = fields.count
                continue
            }
            guard fields.count == width else {
                throw AlertReadError(source: source, line: number, reason: "expected \(width) fields as in the header, found \(fields.count)")
            }
            func integer(_ name: String, required: Bool) throws(AlertReadError) -> Int64? {
                guard let column = header[name] else { return nil }
                let cell = fields[column].trimmedOfBlanks()
                if cell.isEmpty, !required { return nil }
                guard let value = Int64(cell) else {
                    throw AlertReadError(source: source, line: number, reason: "\(name) '\(cell)' is not an integer")
                }
                return value
            }
            guard let start = try integer("window_start", required: true), let end = try integer("window_end", required: true),
                let count = try integer("crash_count", required: true), let userColumn = header["user_id"]
            else { continue }
            guard count >= 0 else { throw AlertReadError(source: source, line: number, reason: "crash_count is negative (\(count))") }
            let user = fields[userColumn].trimmedOfBlanks()
            guard !user.isEmpty else { throw AlertReadError(source: source, line: number, reason: "user_id is empty") }
            alerts.append(
                ObservedAlert(
                    windowStart: start, windowEnd: end, userId: user, count: Int(count),
                    emittedAt: try integer("emitted_at", required: false), batch: try integer("batch", required: false), line: number))
        }
        return ObservedAlerts(source: source, format: .csv, alerts: alerts)
    }

    struct FieldFault: Error {
        let message: String
    }

    /// Splits one CSV line into fields, unquoting quoted ones.
    static func csvFields(_ line: Substring) throws(FieldFault) -> [Substring] {
        var fields: [Substring] = []
        var rest = line[...]
        while true {
            if rest.first == "\"" {
                var value = ""
                var index = rest.index(after: rest.startIndex)
                while true {
                    guard index < rest.endIndex else { throw FieldFault(message: "a quoted field is not closed") }
                    if rest[index] == "\"" {
                        let next = rest.index(after: index)
                        if next < rest.endIndex, rest[next] == "\"" {
                            value.append("\"")
                            index = rest.index(after: next)
                            continue
                        }
                        index = next
                        break
                    }
                    value.append(rest[index])
                    index = rest.index(after: index)
                }
                fields.append(Substring(value))
                rest = rest[index...]
                guard let separator = rest.first else { return fields }
                guard separator == "," else { throw FieldFault(message: "unexpected text after a quoted field") }
                rest = rest.dropFirst()
            } else if let comma = rest.firstIndex(of: ",") {
                fields.append(rest[..<comma])
                rest = rest[rest.index(after: comma)...]
            } else {
                fields.append(rest)
                return fields
            }
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmedOfBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
