import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The live view of a whole run of the real `windtunnel` binary (built by `swift build` before the tests):
/// what `run --metrics-port` serves while the run lasts, and what it leaves in `monitor.jsonl` and `report.html`.
@Suite("Run live view", .serialized)
struct RunLiveViewTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let windtunnel = "\(packageRoot)/.build/debug/windtunnel"

    /// One scrape of `/metrics` with a real HTTP client, as name-and-labels -> value; nil while nothing answers.
    /// Every line must be Prometheus text format. Blocking, on URLSession's own queue: an `await` here could
    /// wait for a thread of the shared pool until the run is over, when other tests of the process block theirs.
    private func scrape(port: Int) throws -> [String: Double]? {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
        let answered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var received: Data?
        let task = URLSession.shared.dataTask(with: URLRequest(url: url, timeoutInterval: 5)) { data, _, _ in
            received = data
            answered.signal()
        }
        task.resume()
        answered.wait()
        guard let data = received else { return nil }
        var samples: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("#") {
                #expect(line.wholeMatch(of: /# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+/) != nil, "bad comment: \(line)")
                continue
            }
            let match = try #require(
                line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})?) (\S+)/),
                "not Prometheus text format: \(line)")
            let value = Double(String(match.2))
            #expect(value != nil, "bad value: \(line)")
            samples[String(match.1)] = value
        }
        return samples
    }

    /// The monitor's JSON lines of a results folder.
    private func monitorLines(_ folder: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: "\(folder)/monitor.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// A short smoke run: while it lasts, its metrics endpoint serves the input and the Swift detector's lag and
    /// watermark; afterwards, `monitor.jsonl` holds the generator's input rate and the detector's watermark and
    /// batch durations (from its batch log) beside its committed-offset lag, and `report.html` charts them.
    @Test func aRunServesAndRecordsItsLiveFigures() throws {
        let folder = NSTemporaryDirectory() + "windtunnel-live-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Self.windtunnel)
        run.arguments = [
            "run", "\(Self.packageRoot)/scenarios/smoke.yaml", "--results", "\(folder)/results", "--set", "duration=5s",
            "--metrics-port", "0",
        ]
        _ = FileManager.default.createFile(atPath: "\(folder)/run.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(folder)/run.log"))
        run.standardOutput = log
        run.standardError = log
        try run.run()
        defer { if run.isRunning { run.interrupt() } }

        // Port 0: the system picks a free port and the run says which, so no other test can take it meanwhile.
        var announced: Int?
        while run.isRunning, announced == nil {
            usleep(200_000)
            let text = (try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? ""
            announced = text.firstMatch(of: /metrics on http:\/\/127\.0\.0\.1:([0-9]+)\/metrics/).flatMap { Int($0.1) }
        }
        let port = try #require(announced, "\((try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? "")")
        let consumer = "topic=\"logs\",consumer=\"windtunnel-smoke\""
        var scraped: [String: Double] = [:]
        while run.isRunning, scraped["windtunnel_watermark_ms{\(consumer)}"].map({ $0 <= 0 }) ?? true {
            usleep(500_000)
            scraped = try scrape(port: port) ?? scraped
        }
        #expect((scraped["windtunnel_input_records{topic=\"logs\"}"] ?? 0) > 0, "\(scraped)")
        #expect(scraped["windtunnel_lag_records{\(consumer)}"] != nil, "\(scraped)")
        #expect((scraped["windtunnel_watermark_ms{\(consumer)}"] ?? 0) > 0, "\(scraped)")
        #expect(scraped["windtunnel_batch_duration_ms{\(consumer)}"] != nil, "\(scraped)")

        run.waitUntilExit()
        let output = (try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? ""
        #expect([0, 1].contains(run.terminationStatus), "\(output)")
        let results = try #require(
            try FileManager.default.contentsOfDirectory(atPath: "\(folder)/results").first { !$0.hasSuffix(".html") }
                .map { "\(folder)/results/\($0)" })
        let lines = try monitorLines(results)
        let printed = output.split(separator: "\n").filter { $0.contains(" input ") && $0.contains("windtunnel-smoke") }
        #expect(printed.count >= lines.count * 7 / 10, "a live line a second in a pipe: \(printed.count) for \(lines.count) s")
        let fromGenerator = lines.filter { $0["input_source"] as? String == "generator" }
        #expect(fromGenerator.contains { (($0["input_rate"] as? NSNumber)?.doubleValue ?? 0) > 1_000 }, "\(lines.prefix(3))")
        let rows = lines.flatMap { ($0["consumers"] as? [[String: Any]]) ?? [] }
        #expect(rows.allSatisfy { $0["name"] as? String == "windtunnel-smoke" }, "one row for the detector's group")
        let described = rows.filter { ($0["watermark_ms"] as? NSNumber)?.int64Value ?? 0 > 0 && $0["last_batch_ms"] != nil }
        #expect(!described.isEmpty, "no watermark or batch duration in \(rows.suffix(2))")
        #expect(described.allSatisfy { $0["source"] as? String == "committed offsets" && $0["lag"] != nil })
        #expect(lines.contains { !(($0["alerts_per_window"] as? [Any]) ?? []).isEmpty })

        let report = try String(contentsOfFile: "\(results)/report.html", encoding: .utf8)
        for title in ["Input and processing rate", "Watermark behind the wall clock", "Batch duration", "Alerts written", "Alerts per window (by window start, UTC)"] {
            #expect(report.contains("<title>\(title)</title>"), "\(title) missing from report.html")
        }
    }
}
