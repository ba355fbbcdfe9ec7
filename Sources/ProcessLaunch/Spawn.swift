import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting a program as a child process, the one way windtunnel does it.
///
/// Each child gets the default action for SIGINT, SIGTERM, SIGPIPE and SIGUSR1 back (a run ignores SIGINT
/// and SIGTERM to handle them on a queue, and ignored signals would otherwise be inherited, so that a child
/// could not even be asked to stop), an empty signal mask, and a process group of its own, so that stopping
/// it also stops whatever it started (unless it is meant to share its parent's).
public enum Spawn {
    /// Where a child's standard streams go.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, appended to (created when missing).
        case append(path: String)
        /// A descriptor of this process, duplicated into the child.
        case descriptor(Int32)
    }

    /// Marks descriptors to be closed in every child started later (a pipe end that another child holds a
    /// copy of never closes for its reader). The child's own streams are duplicated into it all the same.
    public static func closeOnExec(_ descriptors: Int32...) {
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
    }

    /// Starts `executable` with `arguments` and `environment` (every variable, as `KEY=value`); standard
    /// error goes to `error`, or where standard output goes when nil. Returns the child's process id, which
    /// is also its process group's id when `ownGroup` (the default); otherwise it stays in this process's
    /// group, so that whoever stops that group stops it too. A script written just before can be briefly held open for writing by a process another
    /// thread forks at that moment; exec then fails with ETXTBSY, so that is retried for up to a second.
    public static func start(
        executable: String, arguments: [String], environment: [String], input: Stream = .null, output: Stream,
        error: Stream? = nil, ownGroup: Bool = true
    ) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let streams = [(input, Int32(0), O_RDONLY), (output, Int32(1), O_WRONLY | O_CREAT | O_APPEND)]
            + (error.map { [($0, Int32(2), O_WRONLY | O_CREAT | O_APPEND)] } ?? [])
        for (stream, target, flags) in streams {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .append(let path): posix_spawn_file_actions_addopen(&actions, target, path, flags, 0o644)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        if error == nil { posix_spawn_file_actions_adddup2(&actions, 1, 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE, SIGUSR1] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (ownGroup ? POSIX_SPAWN_SETPGROUP : 0)))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        var result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        for _ in 0..<20 where result == ETXTBSY {
            usleep(50_000)
            result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        }
        guard result == 0 else { throw SpawnError(executable: executable, reason: String(cString: strerror(result))) }
        return child
    }

    /// This process's environment as `KEY=value` entries, with `overrides` set over it.
    public static func environment(with overrides: [String: String]) -> [String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") { variables[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            entry += 1
        }
        variables.merge(overrides) { _, given in given }
        return variables.map { "\($0.key)=\($0.value)" }
    }
}

/// How a child ended, collected without blocking.
// Unchecked: `ended` is only touched under `lock`.
public final class ChildExit: @unchecked Sendable {
    /// How a process ended.
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        case exited(status: Int32)
        case signalled(signal: Int32)

        /// `exit status 1`, `signal 9`.
        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var ended: Ending?

    public init(pid: pid_t) {
        self.pid = pid
    }

    /// How it ended; nil while it runs. Collects (reaps) it the first time it is seen ended.
    public var ending: Ending? {
        lock.withLock {
            if let ended { return ended }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            // The wait status layout of <sys/wait.h>: low 7 bits the signal, else the exit code above them.
            let signal = raw & 0x7f
            ended = signal != 0 ? .signalled(signal: signal) : .exited(status: (raw >> 8) & 0xff)
            return ended
        }
    }
}

/// A program could not be started.
public struct SpawnError: Error, CustomStringConvertible, Sendable {
    public let executable: String
    public let reason: String

    public var description: String { "cannot start \(executable): \(reason)" }
}
