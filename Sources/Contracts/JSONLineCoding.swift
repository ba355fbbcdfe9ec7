import Foundation

/// A record of a JSON Lines file written by one part and read by another (batch log, generator stats): one
/// object per line, keys sorted so that lines compare and diff as text.
public protocol JSONLineCoding: Codable {}

extension JSONLineCoding {
    /// The record as one line of JSON with sorted keys, without a trailing newline. The records are plain
    /// integers, strings and arrays, whose encoding cannot fail.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads one JSON line.
    public init(jsonLine: some StringProtocol) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(jsonLine.utf8))
    }
}
