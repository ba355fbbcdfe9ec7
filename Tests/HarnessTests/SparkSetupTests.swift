import Foundation
@testable import Harness
import Testing

/// The Spark environment's setup as a run starts it: a child of the run's registry whose progress lines are
/// passed on, whose last line names the Python, and which an interrupt stops at once. A stand-in project
/// folder holds a setup script that the test writes.
@Suite("Spark setup")
struct SparkSetupTests {
    /// A project folder with `detectors/spark/` holding the job (empty) and `setup` with `script` as its body.
    struct FakeProject {
        let root: String

        init(setup script: String) throws {
            root = NSTemporaryDirectory() + "windtunnel-spark-setup-\(UUID().uuidString)"
            let spark = root + "/detectors/spark"
            try FileManager.default.createDirectory(atPath: spark, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: spark + "/crash_monitor.py", contents: Data())
            _ = FileManager.default.createFile(
                atPath: spark + "/setup", contents: Data(("#!/bin/sh\n" + script).utf8), attributes: [.posixPermissions: 0o755])
        }

        /// Where a windtunnel build inside the project would be.
        var executable: String { root + "/.build/release/windtunnel" }
        /// In a folder that does not exist yet: the setup makes it.
        var log: String { root + "/work/setup.log" }

        func remove() {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// Thread-safe collection of progress lines.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    @Test func progressIsPassedOnAndTheLastLineNamesThePython() throws {
        let project = try FakeProject(setup: "echo 'creating the environment' >&2\necho 'installing pyspark' >&2\necho /bin/sh\n")
        defer { project.remove() }
        let lines = Lines()
        let job = try SparkJob.prepare(executable: project.executable, logPath: project.log, children: ChildRegistry()) { lines.append($0) }
        #expect(job.python == "/bin/sh")
        #expect(job.root == URL(fileURLWithPath: project.root).standardizedFileURL.path)
        #expect(lines.all == ["creating the environment", "installing pyspark"])
    }

    @Test func aFailedSetupNamesItsStatusAndLog() throws {
        let project = try FakeProject(setup: "echo 'no network' >&2\nexit 3\n")
        defer { project.remove() }
        #expect {
            try SparkJob.prepare(executable: project.executable, logPath: project.log, children: ChildRegistry()) { _ in }
        } throws: { error in
            let reason = (error as? ScenarioError)?.reason ?? ""
            return reason.contains("exit 3") && reason.contains(project.log)
        }
    }

    @Test func anInterruptStopsTheSetupAndWhatItStarted() throws {
        let marker = "setup-sleeper-\(UUID().uuidString.prefix(8))"
        // The setup waits on a process of its own, as it waits on pip.
        let project = try FakeProject(setup: "echo 'downloading' >&2\nsh -c 'sleep 60; echo \(marker)' &\nwait\necho /bin/sh\n")
        defer { project.remove() }
        let children = ChildRegistry()
        let interrupter = Thread {
            usleep(1_000_000)
            children.close()
            children.stopEverything(graceMs: 2_000)
        }
        let started = Date()
        interrupter.start()
        #expect(throws: RunInterrupted.self) {
            try SparkJob.prepare(executable: project.executable, logPath: project.log, children: children) { _ in }
        }
        #expect(Date().timeIntervalSince(started) < 10)
        let left = ProcessEntry.all().filter { $0.commandLine.contains(marker) }
        #expect(left.isEmpty, "still running: \(left)")
    }
}
