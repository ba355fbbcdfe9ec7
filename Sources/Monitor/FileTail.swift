import Foundation

/// Reads what has been appended to a file since the last call: whole lines only, so that a line its writer
/// is still writing is read next time. A file that shrank (a detector's restart cut it back) is read again
/// from the start.
struct FileTail {
    let path: String
    private var offset: UInt64 = 0
    private var partial = Data()

    init(path: String) {
        self.path = path
    }

    /// The complete lines appended since the last call, and whether the file was cut back (read anew).
    mutating func newLines() -> (lines: [Substring], restarted: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], false) }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        var restarted = false
        if size < offset {
            offset = 0
            partial = Data()
            restarted = true
        }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: 10) else { return ([], restarted) }
        let complete = String(decoding: partial[partial.startIndex...lastNewline], as: UTF8.self)
        partial = Data(partial[(lastNewline + 1)...])
        return (complete.split(separator: "\n"), restarted)
    }
}
