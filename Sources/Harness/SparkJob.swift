import Foundation

/// Where the Spark detector lives and which Python runs it. The job and its setup script ship in the
/// project's `detectors/spark/`; the setup script makes a pinned virtual environment on first use and prints
/// its interpreter (FACTS.md: Spark runs here through a Python Kafka source).
public struct SparkJob: Sendable {
    /// The project folder holding `detectors/spark/`.
    public let root: String
    /// The virtual environment's Python.
    public let python: String

    /// Finds the project next to `executable` (a build under `.build/`) or in the working folder, and runs
    /// the setup script as a child of `children`, so that an interrupt stops it (and the downloads it runs)
    /// at once. Its output goes to `logPath`; its progress lines are passed to `progress` as they come.
    /// Throws `RunInterrupted` when `children` is closed before or during the setup, `ScenarioError` when
    /// the setup fails.
    public static func prepare(
        executable: String, logPath: String, children: ChildRegistry, progress: (String) -> Void
    ) throws -> SparkJob {
        guard let root = locateRoot(from: executable) else {
            throw ScenarioError(
                source: "detector.kind", line: nil, key: "spark",
                reason: "detectors/spark/crash_monitor.py was not found beside the windtunnel build or in the working folder")
        }
        let script = "\(root)/detectors/spark/setup"
        let setup: ChildProcess
        let logFolder = URL(fileURLWithPath: logPath).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
        } catch {
            throw ScenarioError(source: logPath, line: nil, key: "spark", reason: "cannot create its folder: \(error.localizedDescription)")
        }
        do {
            setup = try children.start(name: "spark-setup", executable: script, arguments: [], logPath: logPath, askWholeGroup: true)
        } catch let error as ChildProcessError {
            throw ScenarioError(source: script, line: nil, key: "spark", reason: "cannot start: \(error.reason)")
        }
        // The script prints its progress to standard error and, last, the environment's Python (a path)
        // to standard output; both go to the log.
        var relayed = 0
        func relay(finished: Bool) -> [String] {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            var lines = text.split(separator: "\n").map(String.init)
            if !finished, !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
            for line in lines.dropFirst(relayed) where !line.hasPrefix("/") { progress(line) }
            relayed = max(relayed, lines.count)
            return lines
        }
        while setup.isRunning {
            _ = relay(finished: false)
            usleep(200_000)
        }
        let lines = relay(finished: true)
        if children.isClosed { throw RunInterrupted() }
        let python = lines.last ?? ""
        guard setup.exitStatus == 0, !setup.endedBySignal, FileManager.default.isExecutableFile(atPath: python) else {
            let status = setup.endedBySignal ? "signal \(setup.exitStatus ?? 0)" : "exit \(setup.exitStatus ?? -1)"
            throw ScenarioError(
                source: script, line: nil, key: "spark", reason: "the Spark environment could not be set up (\(status); see \(logPath))")
        }
        return SparkJob(root: root, python: python)
    }

    /// The nearest folder above `executable`, or the working folder, that holds the job.
    static func locateRoot(from executable: String) -> String? {
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent().standardizedFileURL
        for _ in 0..<6 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("detectors/spark/crash_monitor.py").path) {
                return folder.path
            }
            folder.deleteLastPathComponent()
        }
        let here = FileManager.default.currentDirectoryPath
        return FileManager.default.fileExists(atPath: "\(here)/detectors/spark/crash_monitor.py") ? here : nil
    }
}
