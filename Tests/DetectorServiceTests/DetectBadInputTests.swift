import Foundation
import Testing

/// Bad options and files end `detect` at once with one line naming the input, never a crash or a hang.
@Suite("detect: bad input")
struct DetectBadInputTests {
    /// Runs `detect` with `arguments` against a port where no broker listens; returns status and output.
    func detect(_ arguments: [String], dieAt: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let folder = try makeTestFolder("bad-input")
        let process = try DetectProcess(
            ["--brokers", "127.0.0.1:1"] + arguments, dieAt: dieAt, environment: environment, logPath: "\(folder)/detect.log")
        let ended = process.wait(timeoutSeconds: 30)
        #expect(!ended.signalled)
        return (ended.status, process.log)
    }

    static let usageErrors: [([String], String)] = [
        (["--alerts", "file.jsonl"], "--alerts 'file.jsonl' is none of jsonl:PATH, kafka:TOPIC or console"),
        (["--window", "10"], "--window: invalid duration '10'"),
        (["--watermark", "30 seconds"], "--watermark: invalid duration"),
        (["--trigger", "0s"], "--trigger must be longer than 0 s"),
        (["--mode", "complete"], "--mode 'complete' is neither update nor append"),
        (["--match", "fuzzy"], "--match 'fuzzy' is neither case-insensitive nor case-sensitive"),
        (["--severities", "High,Severe"], "--severities: 'Severe' is not one of Low, Medium, High, Critical"),
        (["--threshold=-1"], "--threshold must not be negative"),
        (["--instance", "a/b"], "--instance 'a/b' must be a non-empty name"),
        (["--max-records-per-batch", "0"], "--max-records-per-batch must be at least 1"),
        (["-X", "novalue"], "'novalue' must be written key=value"),
    ]

    @Test(arguments: usageErrors)
    func badOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try detect(arguments)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }

    @Test func unreachableBrokersEndTheRunWithAnErrorNotAHang() throws {
        let result = try detect([])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("brokers 127.0.0.1:1 did not answer a metadata request within 10000 ms"), "\(result.output)")
    }

    @Test func anUnknownClientPropertyIsNamed() throws {
        let result = try detect(["-X", "no.such.property=1"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("-X no.such.property=1: unknown librdkafka property 'no.such.property'"), "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1, "\(result.output)")
    }

    @Test func propertiesFromTheEnvironmentReachTheClient() throws {
        let result = try detect([], environment: ["WINDTUNNEL_KAFKA_PROPERTIES": "acks=all\nno.such.property=1"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("unknown librdkafka property 'no.such.property'"), "\(result.output)")
        let refused = try detect([], environment: ["WINDTUNNEL_KAFKA_PROPERTIES": "novalue"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("'novalue' must be written key=value (in $WINDTUNNEL_KAFKA_PROPERTIES)"), "\(refused.output)")
    }

    @Test func aBadTestHookIsRefused() throws {
        let result = try detect([], dieAt: "after-lunch:3")
        #expect(result.status == 1)
        #expect(result.output.contains("WINDTUNNEL_DETECT_DIE_AT='after-lunch:3' must be <point>:<batch>"), "\(result.output)")
    }

    @Test func aDamagedCheckpointIsNamed() throws {
        let folder = try makeTestFolder("damaged")
        try FileManager.default.createDirectory(atPath: "\(folder)/detector-0", withIntermediateDirectories: true)
        try Data("{\"topic\": \"logs\", \"engine\": 12".utf8).write(to: URL(fileURLWithPath: "\(folder)/detector-0/checkpoint"))
        let result = try detect(["--checkpoint", folder])
        #expect(result.status == 1)
        #expect(result.output.contains("checkpoint file \(folder)/detector-0/checkpoint is damaged"), "\(result.output)")
        #expect(result.output.split(separator: "\n").count == 1, "\(result.output)")
    }

    @Test func aCheckpointOfAnotherTopicIsRefused() throws {
        let folder = try makeTestFolder("other-topic")
        try FileManager.default.createDirectory(atPath: "\(folder)/detector-0", withIntermediateDirectories: true)
        let checkpoint = #"{"topic": "other", "engine": "", "offsets": [], "alert_file_lengths": {}}"#
        try Data(checkpoint.utf8).write(to: URL(fileURLWithPath: "\(folder)/detector-0/checkpoint"))
        let result = try detect(["--checkpoint", folder, "--topic", "logs"])
        #expect(result.status == 1)
        #expect(result.output.contains("is of topic 'other', not 'logs'"), "\(result.output)")
    }
}
