import EmbeddedBroker
import Foundation
import Testing

/// Bad input to any command: one line naming the input and what is wrong, with the command's usage code (64)
/// or 2 (could not judge, could not run), before any work is done; never a crash, a hang or a silent default.
@Suite("Bad input to every command")
struct BadInputTests {
    /// Runs `windtunnel arguments` for at most 60 s; returns its exit status and everything it printed.
    static func windtunnel(_ arguments: [String]) throws -> (status: Int32, output: String, signalled: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: EndToEndRunTests.windtunnel)
        process.arguments = arguments
        let output = NSTemporaryDirectory() + "windtunnel-bad-input-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text, process.terminationReason == .uncaughtSignal)
    }

    static func scratch(_ name: String, _ contents: String? = nil) throws -> String {
        let folder = NSTemporaryDirectory() + "windtunnel-bad-input-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = "\(folder)/\(name)"
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    static let nowhere = ["--brokers", "127.0.0.1:1"]

    /// Usage errors: refused before anything connects.
    static let usageErrors: [([String], String)] = [
        (["generate", "--duration", "99999999999h"] + nowhere, "it is longer than 720h, the longest duration windtunnel takes"),
        (["detect", "--trigger", "99999999999h"] + nowhere, "it is longer than 720h"),
        (["detect", "--trigger", "2h"] + nowhere, "is longer than 1h, the longest micro-batch interval"),
        (["detect", "--metrics-port=-1"] + nowhere, "a TCP port is a whole number from 0 (any free one) to 65535"),
        (["generate", "--metrics-port", "70000"] + nowhere, "a TCP port is a whole number from 0 (any free one) to 65535"),
        (["monitor", "--metrics-port", "70000"] + nowhere, "a TCP port is a whole number from 0 (any free one) to 65535"),
        (["run", "--metrics-port", "65536", "scenarios/smoke.yaml"], "a TCP port is a whole number from 0 (any free one) to 65535"),
        (["topic", "create", ""] + nowhere, "topic '': a topic name cannot be empty"),
        (["topic", "create", "bad name/.."] + nowhere, "a topic name holds only letters, digits, '.', '_' and '-'"),
        (["topic", "create", String(repeating: "a", count: 300)] + nowhere, "a topic name is at most 249 characters, not 300"),
    ]

    @Test(arguments: usageErrors)
    func badOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try Self.windtunnel(arguments)
        #expect(!result.signalled, "\(result.output)")
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test func pathsThatAreTheWrongKindAreRefusedBeforeAnyWork() throws {
        let file = try Self.scratch("a-file", "x")
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        for (arguments, message) in [
            (["run", "--results", file, "scenarios/smoke.yaml"], "--results \(file): is a file; give a folder"),
            (["bench", "--quick", "--results", file + "/under"], "is a file, so no folder can be made there"),
            (["generate", "--stats-log", folder] + Self.nowhere, "--stats-log \(folder): is a folder; give a file's path"),
        ] {
            let result = try Self.windtunnel(arguments)
            #expect(result.status == 64, "\(result.output)")
            #expect(result.output.contains(message), "\(result.output)")
            #expect(!result.output.contains("NSCocoaErrorDomain"), "\(result.output)")
        }
        // validate says so before it replays the topic: with brokers that do not answer, a later check would
        // have ended on the brokers instead.
        let alerts = try Self.scratch("alerts.jsonl", "")
        let result = try Self.windtunnel(["validate", "--topic", "logs", "--alerts", "jsonl:\(alerts)", "--report", file] + Self.nowhere)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("--report \(file): is a file"), "\(result.output)")
    }

    @Test func scenarioFilesThatSayNothingOrSayItTwiceAreRefused() throws {
        for (contents, message) in [
            ("", "holds no scenario (it is empty)"),
            ("# nothing but a comment\n", "holds no scenario (it is empty)"),
            ("duration: 20s\ngenerator:\n  rps: 100\n  rps: 200\n", ":4: 'generator.rps' is given twice (lines 3 and 4); keep one"),
            ("duration: 99999999999h\n", "duration: invalid duration '99999999999h': it is longer than 720h"),
            ("detector:\n  trigger: 2h\n", "the longest micro-batch interval"),
        ] {
            let result = try Self.windtunnel(["run", try Self.scratch("s.yaml", contents)])
            #expect(result.status == 2, "\(contents): \(result.output)")
            #expect(result.output.contains(message), "\(contents): \(result.output)")
        }
    }

    @Test func aRateWithoutRoomForDecoysIsNotRefusedForAFlagNobodyGave() throws {
        let result = try Self.windtunnel(["generate", "--rps", "100", "--crash-rate", "100", "--duration", "2s"] + Self.nowhere)
        #expect(!result.output.contains("--decoy-fraction"), "\(result.output)")
        #expect(result.status != 64, "\(result.output)")
    }

    @Test func monitorEndsWithAnErrorOnBrokersThatDoNotAnswerAndOnAMissingTopic() async throws {
        let unreachable = try Self.windtunnel(["monitor", "--duration", "3s"] + Self.nowhere)
        #expect(unreachable.status == 2, "\(unreachable.output)")
        #expect(unreachable.output.contains("did not answer"), "\(unreachable.output)")
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let missing = try Self.windtunnel(["monitor", "--brokers", broker.bootstrap, "--topic", "no-such-topic", "--duration", "3s"])
        #expect(missing.status == 2, "\(missing.output)")
        #expect(missing.output.contains("topic 'no-such-topic' does not exist"), "\(missing.output)")
        let alerts = try Self.scratch("garbage.jsonl", "not an alert\n{\"x\": 1}\n")
        _ = try Self.windtunnel(["topic", "create", "logs", "--brokers", broker.bootstrap])
        let garbage = try Self.windtunnel(
            ["monitor", "--brokers", broker.bootstrap, "--topic", "logs", "--alerts", "jsonl:\(alerts)", "--duration", "2s", "--plain"])
        #expect(garbage.status == 0, "\(garbage.output)")
        #expect(garbage.output.contains("(0; 2 unreadable not counted)"), "\(garbage.output)")
    }
}
