import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure that the processes a command started die with it, even when it is killed with SIGKILL and
/// so cannot stop them itself (a CI job's timeout does that).
///
/// A small shell process is started beside them, in a process group of its own, reading from a socket
/// whose only other end is this process's (closed on exec, so no child holds it). Each started
/// process is announced on the pipe. When this process ends, whatever the cause, the kernel closes its end;
/// the guard reads the end of the stream and sends SIGKILL to every announced process group. A command that stopped
/// its children itself says so with `release()`, and the guard then leaves quietly. Linux's
/// `PR_SET_PDEATHSIG` would cover only direct children, and not the processes they start (a JVM under
/// the Spark job's Python).
// Unchecked: `writer` is only touched under `lock`.
public final class OrphanGuard: @unchecked Sendable {
    private let lock = NSLock()
    private var writer: Int32 = -1

    public init() {}

    /// Announces a process group to kill if this process dies before `release()`.
    public func guardGroup(_ group: pid_t) {
        lock.withLock {
            if writer < 0 { writer = Self.startGuard() }
            guard writer >= 0 else { return }
            send("\(group)\n")
        }
    }

    /// Ends the guard without killing anything: this process stopped its children itself.
    public func release() {
        lock.withLock {
            guard writer >= 0 else { return }
            send("end\n")
            close(writer)
            writer = -1
        }
    }

    /// Writes a line to the guard; a guard that is gone makes this fail quietly (no SIGPIPE).
    private func send(_ line: String) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(writer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Starts the guard's shell and returns this process's end of its socket, or -1 when it could not be started (the
    /// run goes on without the guard rather than not at all).
    private static func startGuard() -> Int32 {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else { return -1 }
        defer { close(ends[0]) }
        let script = """
            trap '' INT TERM HUP
            groups=""
            while read -r group; do
                [ "$group" = end ] && exit 0
                groups="$groups $group"
            done
            for group in $groups; do kill -KILL "-$group" 2>/dev/null; done
            exit 0
            """
        do {
            _ = try Spawn.start(
                executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH=/usr/bin:/bin"], input: .descriptor(ends[0]),
                output: .null)
        } catch {
            close(ends[1])
            return -1
        }
        return ends[1]
    }
}
