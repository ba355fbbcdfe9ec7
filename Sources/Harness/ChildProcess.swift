import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process the run started (generator, detector instance), with its output going to a log file in the
/// results folder. The run keeps every child in a `ChildRegistry` so that Ctrl-C or a failure stops them all.
// Unchecked: Foundation.Process is thread-safe for the calls used here (state queries, signals).
public final class ChildProcess: @unchecked Sendable {
    /// A short name for messages: `generator`, `detector-0`.
    public let name: String
    /// Where its standard output and error go.
    public let logPath: String
    private let process: Process

    /// Starts `executable` with `arguments`; its output is appended to `logPath`.
    public init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Whether it still runs.
    public var isRunning: Bool { process.isRunning }

    /// Its exit status once it ended (the signal number when killed by one).
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// Whether it ended by a signal rather than by exiting.
    public var endedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits up to `timeoutMs` for it to end; returns whether it ended.
    @discardableResult
    public func wait(timeoutMs: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1_000)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }

    /// SIGTERM, then SIGKILL after `graceMs`; waits until it is gone.
    public func stop(graceMs: Int = 10_000) {
        guard process.isRunning else { return }
        send(SIGTERM)
        if !wait(timeoutMs: graceMs) {
            send(SIGKILL)
            wait(timeoutMs: 5_000)
        }
    }

    /// The last `lines` lines of its log, for error messages.
    public func logTail(lines: Int = 5) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Every child of a run, so that one signal handler or one failure path can stop them all.
public final class ChildRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var children: [ChildProcess] = []

    public init() {}

    /// Adds a child.
    public func add(_ child: ChildProcess) {
        lock.withLock { children.append(child) }
    }

    /// Stops every child still running (SIGTERM, then SIGKILL).
    public func stopAll(graceMs: Int = 5_000) {
        let running = lock.withLock { children.filter(\.isRunning) }
        running.forEach { $0.send(SIGTERM) }
        for child in running where !child.wait(timeoutMs: graceMs) {
            child.send(SIGKILL)
            child.wait(timeoutMs: 5_000)
        }
    }
}
