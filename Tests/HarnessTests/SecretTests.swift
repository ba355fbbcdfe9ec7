import Foundation
import Testing

/// A secret passed with `-X` reaches the clients but no file of the run (not the logs of the generator,
/// detector or validator, not the resolved scenario, not the reports) and no command line of its children.
@Suite("Secrets stay out of results")
struct SecretTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let windtunnel = "\(packageRoot)/.build/debug/windtunnel"

    @Test func aPasswordGivenWithXIsInNoFileOfTheRun() throws {
        let folder = NSTemporaryDirectory() + "windtunnel-secret-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let secret = "sentinel-\(UUID().uuidString.prefix(8))"
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Self.windtunnel)
        // sasl.password is accepted and unused on the embedded broker's plaintext listener.
        run.arguments = [
            "run", "\(Self.packageRoot)/scenarios/smoke.yaml", "--results", "\(folder)/results", "--set", "duration=5s",
            "--set", "expectations.min_judged_alerts=0", "-X", "sasl.password=\(secret)", "-X", "sasl.username=me",
        ]
        let log = "\(folder)/run.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        run.standardOutput = handle
        run.standardError = handle
        try run.run()
        // While it runs, every process it started is looked at: the secret must be on no command line, which
        // any user of the machine can read; the children get the properties in their environment.
        var seen: [pid_t: String] = [:]
        while run.isRunning {
            // A process that has ended but is not reaped yet shows an empty command line; keep the one seen before.
            for process in ProcessEntry.descendants(of: run.processIdentifier) where !process.commandLine.isEmpty {
                seen[process.pid] = process.commandLine
            }
            usleep(100_000)
        }
        run.waitUntilExit()
        #expect(seen.values.contains { $0.contains(" detect ") }, "no detector was seen among \(seen.values.sorted())")
        #expect(seen.values.contains { $0.contains(" generate ") }, "no generator was seen among \(seen.values.sorted())")
        let exposed = seen.values.filter { $0.contains(secret) }
        #expect(exposed.isEmpty, "the secret is on the command lines \(exposed)")

        let root = "\(folder)/results"
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).map { "\(root)/\($0)" }
        #expect(files.contains { $0.hasSuffix("/validation.json") }, "the run should have been validated: \(files)")
        #expect(files.contains { $0.hasSuffix("/detector-0.log") } && files.contains { $0.hasSuffix("/generator.log") })
        let holding = (files + [log]).filter { path in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self).contains(secret) } ?? false
        }
        #expect(holding.isEmpty, "the secret was written to \(holding)")
    }
}
