import Foundation

/// One `windtunnel detect` process, the real binary built next to this test bundle.
///
/// Unchecked Sendable: `Process` is safe to query and signal from any thread, and nothing else changes.
final class DetectProcess: @unchecked Sendable {
    let process = Process()
    /// Standard error: what the detector says.
    let logPath: String
    /// Standard output: the console sink's tables.
    var outputPath: String { logPath + ".out" }

    /// The `windtunnel` executable in the same build folder as the running test bundle.
    static var executable: String {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("windtunnel").path
    }

    /// Starts `windtunnel detect <arguments>`; `dieAt` sets the crash test hook.
    init(_ arguments: [String], dieAt: String? = nil, environment extra: [String: String] = [:], logPath: String) throws {
        self.logPath = logPath
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["detect"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["WINDTUNNEL_DETECT_DIE_AT"] = dieAt
        environment.merge(extra) { _, given in given }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        try process.run()
    }

    /// Waits for the process to end, killing it after `timeoutSeconds`; returns its termination status and
    /// whether a signal ended it.
    @discardableResult
    func wait(timeoutSeconds: Double = 120) -> (status: Int32, signalled: Bool) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}
