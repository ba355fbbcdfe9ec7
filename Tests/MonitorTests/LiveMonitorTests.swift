import EmbeddedBroker
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kafka
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The monitor against real processes: the generator and the Swift detector of the `windtunnel` binary
/// (built by `swift build` before the tests), on an embedded broker.
@Suite("Live monitor", .serialized)
struct LiveMonitorTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let windtunnel = "\(packageRoot)/.build/debug/windtunnel"

    /// A `windtunnel` child process whose output goes to a file.
    final class Child {
        let process = Process()
        let output: String

        init(_ arguments: [String], output: String, executable: String = LiveMonitorTests.windtunnel) throws {
            self.output = output
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    private func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "windtunnel-monitor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func detect(_ broker: TansuBroker, group: String, folder: String, extra: [String] = []) throws -> Child {
        try Child(
            ["detect", "--brokers", broker.bootstrap, "--topic", "logs", "--group", group, "--instance", group,
             "--alerts", "jsonl:\(folder)/\(group).jsonl", "--batch-log", "\(folder)/\(group)-batches.jsonl",
             "--checkpoint", "\(folder)/\(group)-checkpoint"] + extra,
            output: "\(folder)/\(group).log")
    }

    /// Lines the monitor printed in a pipe, one per refresh.
    private func monitorLines(_ broker: TansuBroker, group: String, seconds: Int, folder: String) throws -> [String] {
        let monitor = try Child(
            ["monitor", "--brokers", broker.bootstrap, "--topic", "logs", "--group", group, "--duration", "\(seconds)s"],
            output: "\(folder)/monitor-\(group).log")
        monitor.process.waitUntilExit()
        return monitor.text.split(separator: "\n").map(String.init).filter { $0.contains(group) }
    }

    /// The lag the monitor printed for `group` in one of its lines.
    private func lag(in line: String, group: String) -> Int? {
        line.firstMatch(of: try! Regex("\(group) [0-9,-]+/s lag ([0-9]+)")).flatMap { Int($0.output[1].substring ?? "") }
    }

    /// One scrape of `/metrics` on `port`, with a real HTTP client, as name-and-labels -> value.
    private func scrape(port: Int) throws -> [String: Double] {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: Data?
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        URLSession.shared.dataTask(with: url) { data, _, _ in
            body = data
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        let text = String(decoding: try #require(body, "no answer on port \(port)"), as: UTF8.self)
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let match = try #require(
                line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)/), "not Prometheus text format: \(line)")
            samples[String(match.1)] = Double(match.2)
        }
        return samples
    }

    @Test func generateAndDetectServeTheirFiguresToPrometheus() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        try KafkaAdmin(client: ClientSettings(brokers: broker.bootstrap)).createTopic("logs", partitions: 4)
        let generatorPort = try #require(LocalPort.pickFree())
        let generator = try Child(
            ["generate", "--brokers", broker.bootstrap, "--topic", "logs", "--rps", "2000", "--duration", "30s",
             "--manifest", "\(folder)/manifest", "--metrics-port", String(generatorPort)],
            output: "\(folder)/generator.log")
        defer { generator.stop() }
        let detectorPort = try #require(LocalPort.pickFree().map { $0 == generatorPort ? $0 + 1 : $0 })
        let detector = try detect(broker, group: "scraped", folder: folder, extra: ["--metrics-port", String(detectorPort)])
        defer { detector.stop() }
        sleep(12)

        let generated = try scrape(port: generatorPort)
        #expect(generated["windtunnel_generator_target_records_per_second"] == 2_000)
        #expect((generated["windtunnel_generator_acknowledged_records"] ?? 0) > 10_000)
        let detected = try scrape(port: detectorPort)
        #expect((detected["windtunnel_detector_records{instance=\"scraped\"}"] ?? 0) > 10_000, "\(detected)")
        #expect((detected["windtunnel_detector_batches{instance=\"scraped\"}"] ?? 0) >= 3)
        #expect(detected["windtunnel_detector_eviction_watermark_ms{instance=\"scraped\"}"] != nil)
    }

    @Test func aThrottledDetectorFallsBehindAndAnUnthrottledOneKeepsUp() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        try KafkaAdmin(client: ClientSettings(brokers: broker.bootstrap)).createTopic("logs", partitions: 4)
        let generator = try Child(
            ["generate", "--brokers", broker.bootstrap, "--topic", "logs", "--rps", "4000", "--duration", "60s",
             "--manifest", "\(folder)/manifest"],
            output: "\(folder)/generator.log")
        defer { generator.stop() }

        let slow = try detect(broker, group: "throttled", folder: folder, extra: ["--max-records-per-batch", "1000"])
        let slowLines = try monitorLines(broker, group: "throttled", seconds: 14, folder: folder)
        slow.stop()
        let verdicts = slowLines.suffix(4)
        #expect(verdicts.allSatisfy { $0.contains("throttled") && $0.contains("falling behind by") }, "\(slowLines)")
        let lags = verdicts.compactMap { lag(in: $0, group: "throttled") }
        #expect(lags.count == 4 && zip(lags, lags.dropFirst()).allSatisfy { $0 < $1 }, "lag should grow: \(lags)")

        let fast = try detect(broker, group: "unthrottled", folder: folder)
        defer { fast.stop() }
        let fastLines = try monitorLines(broker, group: "unthrottled", seconds: 22, folder: folder)
        #expect(fastLines.suffix(3).allSatisfy { $0.contains("unthrottled") && $0.contains("keeping up") }, "\(fastLines)")
    }

    /// The terminal view, captured under `script` as a terminal would show it: its input and processing
    /// rates agree within 10% with the rate measured from the topic itself.
    @Test func theTerminalViewShowsTheTopicsRate() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let client = ClientSettings(brokers: broker.bootstrap)
        try KafkaAdmin(client: client).createTopic("logs", partitions: 4)
        let generator = try Child(
            ["generate", "--brokers", broker.bootstrap, "--topic", "logs", "--rps", "6000", "--duration", "40s",
             "--manifest", "\(folder)/manifest"],
            output: "\(folder)/generator.log")
        defer { generator.stop() }
        // Commits four times a second, so that the group's committed offsets, from which the processing rate
        // is taken, move in small steps: with one commit a second, one step more or less in the view's 6 s
        // window is a sixth of the rate.
        let detector = try detect(broker, group: "watched", folder: folder, extra: ["--trigger", "250ms"])
        defer { detector.stop() }
        sleep(6)

        let reader = try KafkaConsumer(configuration: ConsumerConfiguration(client: client))
        func arrived() throws -> Int64 {
            try (0..<4).map { try reader.watermarkOffsets(topic: "logs", partition: Int32($0)).high }.reduce(0, +)
        }
        let firstCount = try arrived()
        let firstTime = Date()
        let command = "\(Self.windtunnel) monitor --brokers \(broker.bootstrap) --topic logs --group watched --duration 10s"
        let terminal = try Child(["-q", "-e", "-c", command, "/dev/null"], output: "\(folder)/terminal.txt", executable: "/usr/bin/script")
        terminal.process.waitUntilExit()
        let measured = Double(try arrived() - firstCount) / Date().timeIntervalSince(firstTime)

        let frames = terminal.text.components(separatedBy: "\u{1B}[H\u{1B}[2J")
        let frame = try #require(frames.last { $0.contains("processing") }, "no frame in: \(terminal.text.prefix(500))")
        func shownRate(_ label: String) throws -> Double {
            let match = try #require(frame.firstMatch(of: try Regex("\(label) +([0-9,]+) rec/s")), "no \(label) rate in: \(frame)")
            return Double((match.output[1].substring ?? "").replacingOccurrences(of: ",", with: "")) ?? -1
        }
        let input = try shownRate("input")
        let processing = try shownRate("processing")
        #expect(abs(input - measured) <= 0.1 * measured, "shown input \(input)/s, measured \(measured)/s")
        #expect(abs(processing - measured) <= 0.1 * measured, "shown processing \(processing)/s, measured \(measured)/s")
        #expect(frame.contains("keeping up"))
    }
}
