#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file calls the manifest needs, with errors that name the file. Plain `read`/`write` on a
/// descriptor keep the writer's hot path free of the allocations a `FileHandle` would make per call.
struct FileDescriptor {
    let raw: Int32
    let path: String

    static func create(_ path: String) throws(ManifestError) -> FileDescriptor {
        let raw = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard raw >= 0 else { throw ManifestError.io(path: path, operation: "create it", reason: errorText()) }
        return FileDescriptor(raw: raw, path: path)
    }

    static func openForReading(_ path: String) throws(ManifestError) -> FileDescriptor {
        let raw = open(path, O_RDONLY | O_CLOEXEC)
        guard raw >= 0 else { throw ManifestError.io(path: path, operation: "open it", reason: errorText()) }
        return FileDescriptor(raw: raw, path: path)
    }

    /// Writes all `count` bytes, retrying short writes and interrupted calls.
    func writeAll(_ base: UnsafeRawPointer, count: Int) throws(ManifestError) {
        var written = 0
        while written < count {
            let result = write(raw, base + written, count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw ManifestError.io(path: path, operation: "write", reason: errorText())
            }
            written += result
        }
    }

    /// Reads up to `capacity` bytes; 0 means the end of the file.
    func readSome(into base: UnsafeMutableRawPointer, capacity: Int) throws(ManifestError) -> Int {
        while true {
            let result = read(raw, base, capacity)
            if result >= 0 { return result }
            if errno != EINTR { throw ManifestError.io(path: path, operation: "read", reason: errorText()) }
        }
    }

    func close() {
        _ = closeDescriptor(raw)
    }

}

/// The current `errno` as text.
private func errorText() -> String {
    String(cString: strerror(errno))
}

/// The C `close`, which the method of the same name would shadow inside `FileDescriptor`.
private func closeDescriptor(_ raw: Int32) -> Int32 {
    close(raw)
}
