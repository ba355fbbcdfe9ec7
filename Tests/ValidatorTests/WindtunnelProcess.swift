import Foundation

/// Runs the real `windtunnel` binary that `swift build` made, as `windtunnel run` does, and captures what
/// it printed and its exit code.
struct WindtunnelProcess {
    struct Finished {
        let exitCode: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary of the configuration these tests were built in (`swift test` does not build it: run
    /// `swift build` first, with `-c release` for the benchmark).
    static var executable: URL {
        #if DEBUG
        packageRoot.appendingPathComponent(".build/debug/windtunnel")
        #else
        packageRoot.appendingPathComponent(".build/release/windtunnel")
        #endif
    }

    static func run(_ arguments: [String]) throws -> Finished {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read both pipes to their ends before waiting, so that a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Finished(
            exitCode: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}

/// A fresh temporary folder, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("windtunnel-validator-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        return file(name)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
