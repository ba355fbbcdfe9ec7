import EmbeddedBroker
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process the run started (generator, detector instance), with its output going to a log file in the
/// results folder. Children are started through a `ChildRegistry`, so that Ctrl-C or a failure stops them all.
///
/// Children are spawned directly (not through Foundation's `Process`) for two reasons: each gets the
/// default action for SIGINT and SIGTERM back (the run itself ignores them to handle them on a queue, and
/// ignored signals would otherwise be inherited, so that a shell command could not even trap them), and each
/// leads a process group of its own, so that stopping it also stops whatever it started.
// Unchecked: the mutable exit status is only touched under `lock`.
public final class ChildProcess: @unchecked Sendable {
    /// A short name for messages: `generator`, `detector-0`.
    public let name: String
    /// Where its standard output and error go.
    public let logPath: String
    /// The process id, which is also its process group's id.
    public let pid: pid_t
    private let askWholeGroup: Bool
    private let lock = NSLock()
    private var status: Int32?
    private var bySignal = false

    /// Starts `executable` with `arguments`; its output is appended to `logPath`.
    ///
    /// `askWholeGroup`: whether a stop request (SIGTERM) goes to everything it started rather than to it alone.
    /// A shell command wants the former, since its shell passes nothing on; a program that stops its own
    /// helpers in order, such as the Spark job with its Python workers, wants the latter.
    /// `environment`: variables set for it on top of (or instead of) this process's own.
    init(
        name: String, executable: String, arguments: [String], logPath: String, askWholeGroup: Bool = false,
        environment: [String: String] = [:]
    ) throws {
        self.name = name
        self.askWholeGroup = askWholeGroup
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, given in given }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        var result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        // A script written just before (a test's, or a user's detector command) can be briefly held open for
        // writing by a process that another thread forks at that moment; exec then fails with ETXTBSY.
        for _ in 0..<20 where result == ETXTBSY {
            usleep(50_000)
            result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw ChildProcessError(name: name, executable: executable, reason: String(cString: strerror(result)))
        }
        pid = child
    }

    /// Whether it still runs.
    public var isRunning: Bool { reap() == nil }

    /// Its exit status once it ended (the signal number when killed by one).
    public var exitStatus: Int32? { reap() }

    /// Whether it ended by a signal rather than by exiting.
    public var endedBySignal: Bool { reap() != nil && lock.withLock { bySignal } }

    /// Sends `signal` to it and everything it started.
    public func send(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Asks it to stop: SIGTERM to it, or to its whole group when it was started so.
    func askToStop() {
        kill(askWholeGroup ? -pid : pid, SIGTERM)
    }

    /// Waits up to `timeoutMs` for it and everything it started to end; returns whether they all ended. A
    /// shell command's own process may end before the detector it started has finished its last batch.
    @discardableResult
    public func wait(timeoutMs: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1_000)
        while isRunning || groupAlive {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Whether a process of its group still exists.
    var groupAlive: Bool { kill(-pid, 0) == 0 }

    /// Collects its exit status once it has ended, without blocking.
    private func reap() -> Int32? {
        lock.withLock {
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            // The wait status layout of <sys/wait.h>: low 7 bits the signal, else the exit code above them.
            let signal = raw & 0x7f
            bySignal = signal != 0
            status = bySignal ? signal : (raw >> 8) & 0xff
            return status
        }
    }

    /// Asks it to stop (SIGTERM); after `graceMs`, SIGKILL to its whole group. Waits until all of it is gone.
    public func stop(graceMs: Int = 10_000) {
        if isRunning || groupAlive {
            askToStop()
            if !wait(timeoutMs: graceMs) {
                send(SIGKILL)
                wait(timeoutMs: 5_000)
            }
        }
        // Whatever it started and left behind goes with it.
        kill(-pid, SIGKILL)
    }

    /// The last `lines` lines of its log, for error messages.
    public func logTail(lines: Int = 5) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Every child of a run, and the embedded broker it started, so that one signal handler or one failure path
/// can stop them all.
///
/// An interrupt closes the registry before it stops what it holds: from then on nothing more can start (a
/// detector restart, a ramp step, the validator), so nothing the run starts can outlive it. A process is
/// launched and registered in one step under the lock, so that an interrupt on another thread sees either
/// no process or a registered one, never one in between.
public final class ChildRegistry: @unchecked Sendable {
    // Unchecked: `children`, `broker` and `closed` are only touched under `lock`.
    private let lock = NSLock()
    /// Held for the whole of a stop, so that a second caller returns only once everything is stopped.
    private let stopping = NSLock()
    private var children: [ChildProcess] = []
    private var broker: TansuBroker?
    private var closed = false
    /// Variables every child gets on top of this process's environment.
    private let environment: [String: String]

    /// `environment`: variables every child gets on top of this process's own.
    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    /// Whether the registry was closed by an interrupt.
    public var isClosed: Bool { lock.withLock { closed } }

    /// Starts the embedded broker and registers it as soon as its process exists, before it is ready, so
    /// that an interrupt during its start-up stops it too. Throws `RunInterrupted` once closed.
    public func startBroker() throws -> TansuBroker {
        lock.lock()
        var unlocked = false
        defer { if !unlocked { lock.unlock() } }
        guard !closed else { throw RunInterrupted() }
        return try TansuBroker.start { launched in
            broker = launched
            lock.unlock()
            unlocked = true
        }
    }

    /// Starts a child (see `ChildProcess.init`) and registers it. Throws `RunInterrupted` once closed.
    public func start(
        name: String, executable: String, arguments: [String], logPath: String, askWholeGroup: Bool = false
    ) throws -> ChildProcess {
        try lock.withLock {
            guard !closed else { throw RunInterrupted() }
            let child = try ChildProcess(
                name: name, executable: executable, arguments: arguments, logPath: logPath, askWholeGroup: askWholeGroup,
                environment: environment)
            children.append(child)
            return child
        }
    }

    /// The children still running, by name.
    public func running() -> [(name: String, pid: pid_t)] {
        lock.withLock { children.filter(\.isRunning).map { ($0.name, $0.pid) } }
    }

    /// Refuses every later start; what runs already keeps running until it is stopped.
    public func close() {
        lock.withLock { closed = true }
    }

    /// Stops every child still running (SIGTERM, then SIGKILL), and what each of them started.
    private func stopAll(graceMs: Int) {
        let all = lock.withLock { children }
        let running = all.filter { $0.isRunning || $0.groupAlive }
        running.forEach { $0.askToStop() }
        for child in running where !child.wait(timeoutMs: graceMs) {
            child.send(SIGKILL)
            child.wait(timeoutMs: 5_000)
        }
        all.forEach { kill(-$0.pid, SIGKILL) }
    }

    /// Stops every child, then the broker; safe to call more than once and from several threads: a call
    /// made while another stops returns when that stop is done.
    public func stopEverything(graceMs: Int = 5_000) {
        stopping.withLock {
            stopAll(graceMs: graceMs)
            let started = lock.withLock {
                defer { broker = nil }
                return broker
            }
            started?.stop()
        }
    }
}

/// A run was interrupted: nothing more may start.
public struct RunInterrupted: Error, CustomStringConvertible, Sendable {
    public var description: String { "the run was interrupted" }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let name: String
    public let executable: String
    public let reason: String

    public var description: String { "cannot start \(name) (\(executable)): \(reason)" }
}
