import Foundation

/// Finds the Tansu broker binary that `scripts/setup` installs into `.deps/bin/tansu`.
public enum TansuBinary {
    /// Environment variable naming the binary explicitly.
    public static let environmentVariable = "WINDTUNNEL_TANSU"

    /// The binary's path: `$WINDTUNNEL_TANSU`, else `.deps/bin/tansu` in the nearest folder above this
    /// executable or the current directory, else `tansu` on `PATH`.
    public static func locate() throws(BrokerError) -> String {
        let environment = ProcessInfo.processInfo.environment
        let fileManager = FileManager.default
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            guard fileManager.isExecutableFile(atPath: explicit) else {
                throw BrokerError("\(environmentVariable)=\(explicit) is not an executable file")
            }
            return explicit
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let starts = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            executable.deletingLastPathComponent(),
            URL(fileURLWithPath: fileManager.currentDirectoryPath),
        ]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(".deps/bin/tansu").path
                if fileManager.isExecutableFile(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/tansu"
            if fileManager.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BrokerError(
            "the Tansu broker binary was not found: run scripts/setup (it installs .deps/bin/tansu) or set \(environmentVariable)")
    }
}
