import Foundation

/// A worker process started by the coordinator: its plan goes in on standard input, its messages come back
/// one line each on standard output (read by a thread of its own), and its errors go straight to the
/// coordinator's standard error.
final class WorkerProcess: @unchecked Sendable {
    // Unchecked: the reader thread and the coordinator share the fields below `lock` only under it.
    /// The worker's index.
    let index: Int
    private let process = Process()
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
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        var line = try JSONEncoder().encode(plan)
        line.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: line)
        Thread.detachNewThread { [self] in readMessages() }
    }

    /// The process id.
    var pid: Int32 { process.processIdentifier }

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
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
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
        !process.isRunning && lock.withLock { outputClosed }
    }

    /// How the process ended, as a message says it: `signal 9`, `exit status 1`; nil while it runs.
    var ending: String? {
        guard !process.isRunning else { return nil }
        return process.terminationReason == .uncaughtSignal
            ? "signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    }

    /// Whether it exited with status 0.
    var exitedCleanly: Bool {
        !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
    }

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
