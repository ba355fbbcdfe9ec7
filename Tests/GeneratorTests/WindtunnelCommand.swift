import EmbeddedBroker
import Foundation
import Testing

/// The `windtunnel` binary run as a child process, as a user runs it. It is the one next to this test bundle
/// (same build configuration), which `swift build` (or `scripts/test`, which runs `swift build --build-tests`)
/// makes before the tests run; a plain `swift test` does not build executables.
final class WindtunnelCommand {
    let process = Process()
    let outputPath: String
    let errorPath: String

    static var binary: String {
        let bundleFolder = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent()
        let beside = bundleFolder.appendingPathComponent("windtunnel").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/windtunnel").path
    }

    /// Starts `windtunnel arguments`; its standard output and error go to files in `folder`.
    init(_ arguments: [String], folder: String, environment: [String: String]? = nil) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary), "build windtunnel first: swift build (scripts/test does)")
        outputPath = folder + "/stdout-\(UUID().uuidString)"
        errorPath = folder + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
    }

    /// Runs `windtunnel arguments` to its end (at most `timeoutSeconds`).
    static func run(_ arguments: [String], folder: String, environment: [String: String]? = nil, timeoutSeconds: Double = 120) throws -> WindtunnelCommand {
        let command = try WindtunnelCommand(arguments, folder: folder, environment: environment)
        command.wait(timeoutSeconds: timeoutSeconds)
        return command
    }

    /// Waits for the end; kills the process when it takes longer than `timeoutSeconds` (a hang fails the test).
    func wait(timeoutSeconds: Double) {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning {
            Issue.record("windtunnel did not end within \(timeoutSeconds) s")
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Waits until standard error contains `text` (at most `timeoutSeconds`); returns whether it did.
    func awaitError(containing text: String, timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if errorText.contains(text) { return true }
            if !process.isRunning { return errorText.contains(text) }
            usleep(50_000)
        }
        return false
    }

    var status: Int32 { process.terminationStatus }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errorText: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
}

/// A fresh folder under the temporary folder, removed afterwards.
func withTemporaryFolder<R>(_ body: (String) async throws -> R) async throws -> R {
    let folder = NSTemporaryDirectory() + "windtunnel-generator-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// Runs `body` against a fresh embedded Tansu broker on a free port, and stops the broker afterwards.
func withEmbeddedBroker<R>(_ body: (TansuBroker) async throws -> R) async throws -> R {
    let broker = try TansuBroker.start()
    defer { broker.stop() }
    return try await body(broker)
}
