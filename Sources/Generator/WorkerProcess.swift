import Foundation
import ProcessLaunch

/// A worker process started by the coordinator: its plan goes in on standard input, its messages come back
/// one line each on standard output (read by a thread of its own), and its errors go straight to the
/// coordinator's standard error. A worker stays in the coordinator's process group, so that whatever stops
/// the generator's group (a run's stop, or its guard against orphans) stops the workers with it.
final class WorkerProcess: @unchecked Sendable {
    // Unchecked: the reader thread and the coordinator share the fields below `lock` only under it.
    /// The worker's index.
    let index: Int
    private let exit: ChildExit
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var ready = false
    private var stats: WorkerStats?
    private var report: WorkerReport?
    private var outputClosed = false
    private var unreadable: String?

    /// Starts `executable arguments` and hands it `plan`.
    init(index: Int, executable: String, arguments: [String], plan: WorkerPlan) throws {
        self.index = index
        Spawn.closeOnExec(
            input.fileHandleForReading.fileDescriptor, input.fileHandleForWriting.fileDescriptor,
            output.fileHandleForReading.fileDescriptor, output.fileHandleForWriting.fileDescriptor)
        let pid = try Spawn.start(
            executable: executable, arguments: arguments, environment: Spawn.environment(with: [:]),
            input: .descriptor(input.fileHandleForReading.fileDescriptor), output: .descriptor(output.fileHandleForWriting.fileDescriptor),
            error: .descriptor(STDERR_FILENO), ownGroup: false)
        exit = ChildExit(pid: pid)
        // The child's ends are the child's: kept open here, the worker would never see its input close.
        try input.fileHandleForReading.close()
        try output.fileHandleForWriting.close()
        var line = try JSONEncoder().encode(plan)
        line.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: line)
        Thread.detachNewThread { [self] in readMessages() }
    }

    /// The process id.
    var pid: Int32 { exit.pid }

    /// Releases the worker from the start barrier. Its standard input stays open: the worker takes its
    /// closing (by `terminate()`, or by the end of this process however it ends) as a request to stop.
    func release(_ start: StartSignal) throws {
        var line = try JSONEncoder().encode(start)
        line.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: line)
    }

    /// Asks the worker to stop gracefully. Its standard input is closed too, which also ends a worker still
    /// waiting at the barrier (blocked reading its start signal).
    func terminate() {
        try? input.fileHandleForWriting.close()
        if exit.ending == nil { kill(exit.pid, SIGTERM) }
    }

    /// Whether the worker said it is at the barrier.
    var isReady: Bool { lock.withLock { ready } }
    /// Its latest live figures.
    var latestStats: WorkerStats? { lock.withLock { stats } }
    /// Its final figures, once sent.
    var finalReport: WorkerReport? { lock.withLock { report } }
    /// A line it wrote that was not a message, if any.
    var protocolError: String? { lock.withLock { unreadable } }

    /// Whether the process has exited and everything it wrote has been read.
    var hasEnded: Bool {
        exit.ending != nil && lock.withLock { outputClosed }
    }

    /// How the process ended, as a message says it: `signal 9`, `exit status 1`; nil while it runs.
    var ending: String? { exit.ending?.description }

    /// Whether it exited with status 0.
    var exitedCleanly: Bool { exit.ending == .exited(status: 0) }

    private func readMessages() {
        let handle = output.fileHandleForReading
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                accept(Data(line))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        lock.withLock { outputClosed = true }
    }

    private func accept(_ line: Data) {
        guard let message = try? WorkerMessage(line: line) else {
            lock.withLock { unreadable = unreadable ?? String(decoding: line.prefix(200), as: UTF8.self) }
            return
        }
        lock.withLock {
            switch message {
            case .ready: ready = true
            case .stats(let figures): stats = figures
            case .final(let figures): report = figures
            }
        }
    }
}
