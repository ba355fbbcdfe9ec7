import Foundation
import Generator
import Kafka

/// Runs another program to completion with its standard output captured and its standard error kept in a
/// log file, so that a failure can be reported with the lines that explain it.
struct ProgramRun {
    let executable: String
    let arguments: [String]
    /// Where standard error goes; its last lines name a failure.
    let logPath: String
    /// Variables set for it on top of this process's environment.
    var environment: [String: String] = [:]

    /// Runs the program; returns its standard output. Throws when it cannot start or exits other than 0.
    func output(what: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        do {
            try process.run()
        } catch {
            throw BenchmarkError("\(what): cannot start \(executable): \(error)")
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: "; ")
            throw BenchmarkError("\(what) ended with status \(process.terminationStatus): \(tail)")
        }
        return String(decoding: printed, as: UTF8.self)
    }
}

/// `windtunnel generate` as a user runs it, with a manifest, in a folder of the benchmark's.
public struct GenerateRun {
    /// The `windtunnel` executable.
    public let executable: String
    public let brokers: String
    /// librdkafka properties, `key=value`, passed on in `$WINDTUNNEL_KAFKA_PROPERTIES` (off the command line).
    public let properties: [String]
    /// Holds the manifest and the log.
    public let folder: String

    public init(executable: String, brokers: String, properties: [String] = [], folder: String) {
        self.executable = executable
        self.brokers = brokers
        self.properties = properties
        self.folder = folder
    }

    /// Runs `generate` on `topic` with `arguments`; returns its summary.
    public func run(topic: String, arguments: [String]) throws -> GenerationSummary {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try ProgramRun(
            executable: executable,
            arguments: ["generate", "--brokers", brokers, "--topic", topic, "--manifest", folder] + arguments,
            logPath: folder + "/generate.log", environment: [ClientSettings.propertiesVariable: properties.joined(separator: "\n")]
        ).output(what: "windtunnel generate \(arguments.joined(separator: " "))")
        guard let data = FileManager.default.contents(atPath: folder + "/summary.json") else {
            throw BenchmarkError("windtunnel generate wrote no \(folder)/summary.json")
        }
        return try JSONDecoder().decode(GenerationSummary.self, from: data)
    }

    /// Unthrottled (a rate no machine reaches), `count` records over `processes` processes, 1% carrying the
    /// term; acknowledged records/s from the first send to the last delivery report.
    public func unthrottled(topic: String, processes: Int, count: Int) throws -> Double {
        let perProcess = count / processes
        let summary = try run(
            topic: topic, arguments: ["--processes", String(processes), "--rps", "100000000", "--count", String(perProcess), "--crash-rate", "100"])
        guard summary.acknowledged == UInt64(perProcess * processes) else {
            throw BenchmarkError("windtunnel generate acknowledged \(summary.acknowledged) of \(perProcess * processes) records")
        }
        return Double(summary.acknowledged) / (Double(summary.endedAtMs - summary.startedAtMs) / 1_000)
    }
}

/// `benchmarks/python_generator.py`: one Python process with confluent-kafka, sending the same kind of
/// events with the same producer properties.
public struct PythonGeneratorRun {
    public let python: String
    public let script: String
    public let brokers: String
    /// librdkafka properties, `key=value`, as the generator's producer sets them.
    public let properties: [String]
    public let logPath: String

    public init(python: String, script: String, brokers: String, properties: [String], logPath: String) {
        self.python = python
        self.script = script
        self.brokers = brokers
        self.properties = properties
        self.logPath = logPath
    }

    /// Sends `count` events unthrottled; acknowledged records/s.
    public func run(topic: String, count: Int) throws -> Double {
        var arguments = [script, "--brokers", brokers, "--topic", topic, "--count", String(count)]
        for property in properties { arguments += ["-X", property] }
        let printed = try ProgramRun(executable: python, arguments: arguments, logPath: logPath).output(what: "the Python generator")
        struct Printed: Decodable {
            let acknowledged: Int
            let records_per_second: Double
        }
        guard let line = printed.split(separator: "\n").last, let result = try? JSONDecoder().decode(Printed.self, from: Data(line.utf8)) else {
            throw BenchmarkError("the Python generator printed no result line")
        }
        guard result.acknowledged == count else {
            throw BenchmarkError("the Python generator had \(result.acknowledged) of \(count) records acknowledged")
        }
        return result.records_per_second
    }
}
