import Foundation
import Kafka
import Monitor
#if canImport(Glibc)
import Glibc
#endif

/// The live view of a run: once a second, the monitor's figures for the run's topic and detectors, written
/// to `monitor.jsonl` in the results folder (the report's time series), served to Prometheus when a metrics
/// port is given, and shown to the person waiting: a line redrawn in place on a terminal, a line every second
/// in a pipe (as `windtunnel monitor` prints).
final class RunWatch: @unchecked Sendable {
    // Unchecked: `stopped` is guarded by `lock`; the session is used only by the watch's own thread.
    private let session: MonitorSession
    private let exposition: MetricsExposition
    private let log: FileHandle?
    private let lock = NSLock()
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)
    private let onTerminal = isatty(STDERR_FILENO) == 1
    /// The run's processes whose memory is recorded, by name.
    private let processes: @Sendable () -> [(name: String, pid: pid_t)]

    /// Starts watching; nil (with the reason given to `progress`) when the monitor cannot connect.
    static func start(
        settings: MonitorSession.Settings, folder: ResultsFolder, exposition: MetricsExposition,
        processes: @escaping @Sendable () -> [(name: String, pid: pid_t)], progress: @escaping @Sendable (String) -> Void
    ) -> RunWatch? {
        do {
            let watch = try RunWatch(settings: settings, folder: folder, exposition: exposition, processes: processes)
            let thread = Thread { watch.loop() }
            thread.name = "run-watch"
            thread.start()
            return watch
        } catch {
            progress("live view unavailable: \(error)")
            return nil
        }
    }

    private init(
        settings: MonitorSession.Settings, folder: ResultsFolder, exposition: MetricsExposition,
        processes: @escaping @Sendable () -> [(name: String, pid: pid_t)]
    ) throws {
        session = try MonitorSession(settings: settings)
        self.processes = processes
        self.exposition = exposition
        _ = FileManager.default.createFile(atPath: folder.monitorFile, contents: nil)
        log = FileHandle(forWritingAtPath: folder.monitorFile)
    }

    /// Stops the watch and waits for its last refresh to finish.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        finished.wait()
        if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        try? log?.close()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// `VmRSS` of a process, from `/proc/<pid>/status`; nil when it is gone.
    static func residentKB(pid: pid_t) -> Int64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    private func loop() {
        while !isStopped {
            let started = Date()
            if var snapshot = try? session.refresh() {
                snapshot.residentKB = Dictionary(
                    processes().compactMap { process in Self.residentKB(pid: process.pid).map { (process.name, $0) } },
                    uniquingKeysWith: max)
                exposition.update(snapshot)
                log?.write(Data((snapshot.jsonLine + "\n").utf8))
                let line = MonitorView.line(snapshot)
                if onTerminal {
                    FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
                } else {
                    FileHandle.standardError.write(Data("\(line)\n".utf8))
                }
            }
            let rest = 1_000 - Int(-started.timeIntervalSinceNow * 1_000)
            if rest > 0 { usleep(UInt32(rest) * 1_000) }
        }
        finished.signal()
    }
}
