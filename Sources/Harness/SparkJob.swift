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
    /// the setup script, whose progress goes to standard error.
    public static func prepare(executable: String) throws(ScenarioError) -> SparkJob {
        guard let root = locateRoot(from: executable) else {
            throw ScenarioError(
                source: "detector.kind", line: nil, key: "spark",
                reason: "detectors/spark/crash_monitor.py was not found beside the windtunnel build or in the working folder")
        }
        let setup = Process()
        setup.executableURL = URL(fileURLWithPath: "\(root)/detectors/spark/setup")
        let output = Pipe()
        setup.standardOutput = output
        do {
            try setup.run()
        } catch {
            throw ScenarioError(source: "\(root)/detectors/spark/setup", line: nil, key: "spark", reason: "cannot start: \(error)")
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        setup.waitUntilExit()
        let python = printed.split(separator: "\n").last.map(String.init) ?? ""
        guard setup.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: python) else {
            throw ScenarioError(
                source: "detectors/spark/setup", line: nil, key: "spark",
                reason: "the Spark environment could not be set up (exit \(setup.terminationStatus))")
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
