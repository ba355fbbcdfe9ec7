import Foundation
import Kafka
import ProcessLaunch
#if canImport(Glibc)
import Glibc
#endif

/// A Tansu broker on 127.0.0.1 with in-memory storage, run as a background process that outlives the
/// command that started it. Each port has its own pid file and log, so brokers on different ports run side
/// by side (tests run in parallel).
public struct TansuBroker: Sendable, Equatable {
    /// Whether a broker runs on a port.
    public enum Status: Sendable, Equatable {
        /// Our broker runs with this process id.
        case running(pid: Int32)
        /// Nothing of ours runs there; the port is free.
        case stopped
        /// Nothing of ours runs there, but something else holds the port.
        case portTakenByAnotherProcess
    }

    /// The port the broker listens on.
    public let port: Int
    /// The broker's process id.
    public let pid: Int32

    /// The bootstrap address clients use.
    public var bootstrap: String { "127.0.0.1:\(port)" }

    /// Folder of pid files and logs: `$TMPDIR/windtunnel-<uid>/brokers`.
    public static var stateDirectory: URL {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return URL(fileURLWithPath: base).appendingPathComponent("windtunnel-\(getuid())/brokers")
    }

    /// The broker's log file.
    public static func logFile(port: Int) -> URL { stateDirectory.appendingPathComponent("tansu-\(port).log") }

    private static func pidFile(port: Int) -> URL { stateDirectory.appendingPathComponent("tansu-\(port).pid") }

    /// Starts a broker on `port` (nil: a free port) and waits until it answers a metadata request.
    ///
    /// `launched` gets the broker the moment its process exists, before it is ready, so that whoever must
    /// stop it (a run being interrupted) knows of it during the wait; if it is stopped then, `start` throws.
    public static func start(
        port requested: Int? = nil, binary: String? = nil, readyTimeoutMs: Int = 15_000, launched: (TansuBroker) -> Void = { _ in }
    ) throws(BrokerError) -> TansuBroker {
        let executable: String
        if let binary { executable = binary } else { executable = try TansuBinary.locate() }
        guard let port = requested ?? LocalPort.pickFree() else { throw BrokerError("no free port on 127.0.0.1 was found") }
        guard (1...65_535).contains(port) else { throw BrokerError("port \(port) is not a TCP port (1-65535)") }
        switch status(port: port) {
        case .running(let pid): throw BrokerError("a broker already runs on port \(port) (pid \(pid)); stop it first")
        case .portTakenByAnotherProcess: throw BrokerError("port \(port) is taken by another process; choose another with --port")
        case .stopped: break
        }
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw BrokerError("cannot create \(stateDirectory.path): \(error.localizedDescription)")
        }
        let log = logFile(port: port)
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw BrokerError("cannot write the broker log \(log.path)") }
        let listener = "tcp://127.0.0.1:\(port)"
        let pid: pid_t
        do {
            // Spawned, not started with Foundation's `Process`: a run ignores SIGTERM to handle it on a queue,
            // and a broker that inherited that would ignore every stop and be killed only after the grace.
            pid = try Spawn.start(
                executable: executable,
                arguments: [
                    "broker", "--storage-engine=memory://tansu/", "--kafka-listener-url=\(listener)",
                    "--kafka-advertised-listener-url=\(listener)",
                ],
                environment: Spawn.environment(with: [:]), output: .append(path: log.path))
        } catch {
            throw BrokerError(error.description)
        }
        let broker = TansuBroker(port: port, pid: pid)
        launched(broker)
        do {
            try String(broker.pid).write(to: pidFile(port: port), atomically: true, encoding: .utf8)
            try broker.waitUntilReady(timeoutMs: readyTimeoutMs)
        } catch {
            kill(broker.pid, SIGKILL)
            try? FileManager.default.removeItem(at: pidFile(port: port))
            if let failure = error as? BrokerError { throw failure }
            throw BrokerError("cannot record the broker's pid: \(error.localizedDescription)")
        }
        return broker
    }

    /// Whether our broker runs on `port`.
    public static func status(port: Int) -> Status {
        if let pid = recordedPid(port: port), isAlive(pid) { return .running(pid: pid) }
        return LocalPort.isFree(port) ? .stopped : .portTakenByAnotherProcess
    }

    /// Stops the broker on `port`: SIGTERM, then SIGKILL after `graceMs`.
    public static func stop(port: Int, graceMs: Int = 5_000) throws(BrokerError) {
        guard let pid = recordedPid(port: port), isAlive(pid) else {
            try? FileManager.default.removeItem(at: pidFile(port: port))
            throw BrokerError("no windtunnel broker is running on port \(port)")
        }
        TansuBroker(port: port, pid: pid).terminate(graceMs: graceMs)
    }

    /// Stops this broker: SIGTERM, then SIGKILL after `graceMs`. Stopping a stopped broker does nothing.
    public func stop(graceMs: Int = 5_000) {
        terminate(graceMs: graceMs)
    }

    private func terminate(graceMs: Int) {
        kill(pid, SIGTERM)
        var waited = 0
        while Self.isAlive(pid) && waited < graceMs {
            usleep(20_000)
            waited += 20
        }
        if Self.isAlive(pid) { kill(pid, SIGKILL) }
        while Self.isAlive(pid) && waited < graceMs + 5_000 {
            usleep(20_000)
            waited += 20
        }
        // A broker this process started is its child: collect it, so that it does not stay a zombie.
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
        // The file, not `recordedPid`: once the process is gone its command line is too.
        if (try? String(contentsOf: Self.pidFile(port: port), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == String(pid) {
            try? FileManager.default.removeItem(at: Self.pidFile(port: port))
        }
        // The port can stay taken for a moment after the process is gone (its connections still closing, or
        // a client reconnecting to it at that instant); a start right after a stop should find it free.
        var settled = 0
        while !LocalPort.isFree(port) && settled < 3_000 {
            usleep(20_000)
            settled += 20
        }
    }

    private func waitUntilReady(timeoutMs: Int) throws(BrokerError) {
        let started = Date()
        while Date().timeIntervalSince(started) * 1_000 < Double(timeoutMs) {
            // Collected here, or by a stop on another thread (which leaves nothing to collect): either way gone.
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid || !Self.isAlive(pid) {
                throw BrokerError("the broker exited during start-up (wait status \(status)); its log: " + Self.logTail(port: port))
            }
            if LocalPort.accepts(port), let admin = try? KafkaAdmin(client: ClientSettings(brokers: bootstrap)),
                (try? admin.brokers(timeoutMs: 1_000)) != nil
            {
                return
            }
            usleep(20_000)
        }
        throw BrokerError("the broker on port \(port) did not answer within \(timeoutMs) ms; its log: \(Self.logTail(port: port))")
    }

    private static func logTail(port: Int) -> String {
        let text = (try? String(contentsOf: logFile(port: port), encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").suffix(3).joined(separator: " | ")
        return lines.isEmpty ? "(empty)" : lines
    }

    /// The pid in `port`'s pid file, when that process is still the broker started for `port`: after a reboot
    /// or a crash the number may belong to an unrelated process, which must never be signalled.
    private static func recordedPid(port: Int) -> Int32? {
        guard let text = try? String(contentsOf: pidFile(port: port), encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains("--kafka-listener-url=tcp://127.0.0.1:\(port)") ? pid : nil
    }

    /// Whether `pid` is a live process (a zombie child that was not reaped yet counts as gone).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z"
    }
}
