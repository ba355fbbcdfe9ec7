import EmbeddedBroker
import Foundation
import ProcessLaunch
#if canImport(Glibc)
import Glibc
#endif

/// A process the run started (generator, detector instance), with its output going to a log file in the
/// results folder. Children are started through a `ChildRegistry`, so that Ctrl-C or a failure stops them all.
///
/// Children are started by `Spawn` (not Foundation's `Process`): each gets the default action for SIGINT and
/// SIGTERM back and leads a process group of its own, so that stopping it also stops whatever it started.
// Unchecked: its only mutable state is inside `ChildExit`, which locks it.
public final class ChildProcess: @unchecked Sendable {
    /// A short name for messages: `generator`, `detector-0`.
    public let name: String
    /// Where its standard output and error go.
    public let logPath: String
    /// The process id, which is also its process group's id.
    public let pid: pid_t
    private let askWholeGroup: Bool
    private let exit: ChildExit

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
        do {
            pid = try Spawn.start(
                executable: executable, arguments: arguments, environment: Spawn.environment(with: environment),
                output: .append(path: logPath))
            exit = ChildExit(pid: pid)
        } catch {
            throw ChildProcessError(name: name, executable: executable, reason: error.reason)
        }
    }

    /// Whether it still runs.
    public var isRunning: Bool { exit.ending == nil }

    /// Its exit status once it ended (the signal number when killed by one).
    public var exitStatus: Int32? {
        switch exit.ending {
        case .exited(let status): status
        case .signalled(let signal): signal
        case nil: nil
        }
    }

    /// Whether it ended by a signal rather than by exiting.
    public var endedBySignal: Bool {
        if case .signalled = exit.ending { return true }
        return false
    }

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
    /// Kills every child's process group should this process die without stopping them (SIGKILL).
    private let orphans = OrphanGuard()
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
            orphans.guardGroup(launched.pid)
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
            orphans.guardGroup(child.pid)
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
            orphans.release()
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
