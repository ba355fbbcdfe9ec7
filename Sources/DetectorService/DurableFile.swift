import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files that survive a SIGKILL at any instant: whole-file replacement by write, fsync and atomic rename, and
/// an append-only log that can be cut back to a length recorded in a checkpoint.
enum DurableFile {
    /// Why a durable file operation failed.
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let operation: String
        let code: Int32

        var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
    }

    /// Replaces `path` with `bytes` so that a reader sees either the old or the new content, never a mix:
    /// write a temporary file, fsync it, rename it over `path`, fsync the folder.
    static func replace(_ path: String, with bytes: [UInt8]) throws(Failure) {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: temporary, operation: "creating", code: errno) }
        defer { close(descriptor) }
        try writeAll(descriptor, bytes, path: temporary)
        guard fsync(descriptor) == 0 else { throw Failure(path: temporary, operation: "syncing", code: errno) }
        guard rename(temporary, path) == 0 else { throw Failure(path: path, operation: "renaming over", code: errno) }
        syncFolder(of: path)
    }

    /// The whole file, or nil when it does not exist.
    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw Failure(path: path, operation: "opening", code: errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "reading", code: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "writing", code: errno)
            }
            written += count
        }
    }

    /// Makes a rename in the folder durable; failures are ignored, since some file systems refuse it.
    static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// A file that only grows by whole lines, whose length is recorded in each checkpoint; after a crash it is
/// cut back to the recorded length, so that what the crashed batch wrote is written again exactly once.
final class AppendOnlyLog {
    let path: String
    private let descriptor: Int32
    /// Bytes in the file, including what is not yet synced.
    private(set) var length: Int64

    /// Opens (creating) `path`; with `truncatingTo`, first cuts it back to that length.
    init(path: String, truncatingTo recorded: Int64?) throws(DurableFile.Failure) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DurableFile.Failure(path: path, operation: "opening", code: errno) }
        if let recorded {
            guard ftruncate(descriptor, off_t(recorded)) == 0 else {
                close(descriptor)
                throw DurableFile.Failure(path: path, operation: "truncating", code: errno)
            }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw DurableFile.Failure(path: path, operation: "reading the size of", code: errno)
        }
        length = Int64(status.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// Appends `text` (which should end with a newline).
    func append(_ text: String) throws(DurableFile.Failure) {
        let bytes = Array(text.utf8)
        try DurableFile.writeAll(descriptor, bytes, path: path)
        length += Int64(bytes.count)
    }

    /// Makes everything appended so far durable.
    func sync() throws(DurableFile.Failure) {
        guard fsync(descriptor) == 0 else { throw DurableFile.Failure(path: path, operation: "syncing", code: errno) }
    }
}
