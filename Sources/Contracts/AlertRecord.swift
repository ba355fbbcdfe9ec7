import Foundation

/// One alert as every detector emits it (DESIGN.md, "Alert records"): a (window, user) whose count of
/// matching events is above the threshold. JSON keys are snake_case as in the contract.
public struct AlertRecord: Sendable, Codable, Equatable, Hashable {
    /// Start of the window, epoch milliseconds, inclusive.
    public var windowStart: Int64
    /// End of the window, epoch milliseconds, exclusive.
    public var windowEnd: Int64
    /// The user, `user_NNNN`.
    public var userId: String
    /// Matching events counted in the window so far.
    public var crashCount: Int
    /// When the detector emitted this record, epoch milliseconds.
    public var emittedAt: Int64
    /// The micro-batch that emitted it; a replayed batch repeats its id.
    public var batch: Int64

    public init(windowStart: Int64, windowEnd: Int64, userId: String, crashCount: Int, emittedAt: Int64, batch: Int64) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.userId = userId
        self.crashCount = crashCount
        self.emittedAt = emittedAt
        self.batch = batch
    }

    enum CodingKeys: String, CodingKey {
        case windowStart = "window_start"
        case windowEnd = "window_end"
        case userId = "user_id"
        case crashCount = "crash_count"
        case emittedAt = "emitted_at"
        case batch
    }

    /// The record as one line of JSON, keys in contract order, without a trailing newline.
    public var jsonLine: String {
        "{\"window_start\":\(windowStart),\"window_end\":\(windowEnd),\"user_id\":\(JSONText.quoted(userId)),"
            + "\"crash_count\":\(crashCount),\"emitted_at\":\(emittedAt),\"batch\":\(batch)}"
    }

    /// Reads one JSON line.
    public init(jsonLine: some StringProtocol) throws {
        self = try JSONDecoder().decode(AlertRecord.self, from: Data(jsonLine.utf8))
    }
}

/// Small helpers for writing JSON by hand where a fixed key order matters.
public enum JSONText {
    /// `text` as a JSON string literal, with quotes.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
