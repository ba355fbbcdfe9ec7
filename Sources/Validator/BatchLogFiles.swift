import Contracts

/// Reads the `--batch-log` files of every detector instance into one list of entries (the batch plan
/// groups them by instance again).
public enum BatchLogFiles {
    /// What the files held.
    public struct Contents: Sendable {
        public var entries: [BatchLogEntry]
        /// Things worth a note, such as a half-written last line that was skipped.
        public var notes: [String]
    }

    /// Reads every line of every file strictly: a line that is not a batch-log entry is an error naming the
    /// file and line. One exception: a last line without a line break that does not parse is what a
    /// detector killed while writing leaves behind, so it is skipped with a note.
    public static func read(_ paths: [String]) throws(ValidatorError) -> Contents {
        var contents = Contents(entries: [], notes: [])
        for path in paths {
            let text = try TextFile.read(path, what: "batch log")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
                do {
                    contents.entries.append(try BatchLogEntry(jsonLine: line))
                } catch {
                    if index == lines.count - 1 {
                        contents.notes.append("batch log \(path): skipped a half-written last line \(index + 1)")
                        continue
                    }
                    throw ValidatorError("batch log \(path):\(index + 1): not a batch-log entry (\(Self.reason(error)))")
                }
            }
        }
        return contents
    }

    /// A decoding error in a few words, naming the field.
    private static func reason(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? "invalid JSON" : "\(field): \(context.debugDescription)"
        @unknown default: return "\(decoding)"
        }
    }
}
