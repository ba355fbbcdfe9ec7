import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import Monitor

@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    private func snapshot() -> MonitorSnapshot {
        var snapshot = MonitorSnapshot(atMs: 1_769_000_000_000, topic: "logs", arrived: 123_456, inputSource: "topic")
        snapshot.inputRate = 10_000
        var consumer = ConsumerStatus(
            name: "windtunnel-smoke", source: "committed offsets", processed: 120_000, lagByPartition: [0: 1_000, 1: 2_456],
            verdict: .fallingBehind(records: 3_456, growingPerSecond: 800))
        consumer.processingRate = 9_200
        consumer.watermarkMs = 1_768_999_950_000
        consumer.lastBatchMs = 140
        snapshot.consumers = [consumer]
        snapshot.alerts = 42
        snapshot.alertRate = 3
        return snapshot
    }

    private func get(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The text format, strictly: comments are `# HELP name text` or `# TYPE name type`; samples are
    /// `name{label="value",...} number`. Returns the samples by name and labels.
    private func parsePrometheusText(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? (\S+)$/
        let type = /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/
        let help = /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                #expect(line.wholeMatch(of: type) != nil || line.wholeMatch(of: help) != nil, "bad comment: \(line)")
                continue
            }
            let match = try #require(line.wholeMatch(of: sample), "bad sample line: \(line)")
            let value = try #require(Double(match.4), "bad value: \(line)")
            samples[String(match.1) + String(match.2 ?? "")] = value
        }
        return samples
    }

    @Test func servesTheSnapshotInPrometheusTextFormat() async throws {
        let exposition = MetricsExposition()
        let server = try MetricsServer(port: 0) { exposition.text() }
        defer { server.stop() }
        exposition.update(snapshot())

        let (status, body) = try await get("http://127.0.0.1:\(server.port)/metrics")
        #expect(status == 200)
        let samples = try parsePrometheusText(body)
        #expect(samples["windtunnel_input_records{topic=\"logs\"}"] == 123_456)
        #expect(samples["windtunnel_input_records_per_second{topic=\"logs\"}"] == 10_000)
        #expect(samples["windtunnel_lag_records{topic=\"logs\",consumer=\"windtunnel-smoke\"}"] == 3_456)
        #expect(samples["windtunnel_partition_lag_records{topic=\"logs\",consumer=\"windtunnel-smoke\",partition=\"1\"}"] == 2_456)
        #expect(samples["windtunnel_falling_behind{topic=\"logs\",consumer=\"windtunnel-smoke\"}"] == 1)
        #expect(samples["windtunnel_batch_duration_ms{topic=\"logs\",consumer=\"windtunnel-smoke\"}"] == 140)
        #expect(samples["windtunnel_alerts{topic=\"logs\"}"] == 42)
    }

    @Test func laterScrapesSeeNewFigures() async throws {
        let exposition = MetricsExposition()
        let server = try MetricsServer(port: 0) { exposition.text() }
        defer { server.stop() }
        var figures = snapshot()
        exposition.update(figures)
        figures.arrived = 200_000
        figures.consumers[0].verdict = .keepingUp
        exposition.update(figures)
        let samples = try parsePrometheusText(try await get("http://127.0.0.1:\(server.port)/metrics").1)
        #expect(samples["windtunnel_input_records{topic=\"logs\"}"] == 200_000)
        #expect(samples["windtunnel_falling_behind{topic=\"logs\",consumer=\"windtunnel-smoke\"}"] == 0)
    }

    /// A stopped server's thread must never accept on a descriptor number that a new server's socket got,
    /// even when it starts only after the stop: the new server's scrapes would be answered with the old
    /// server's figures. Servers come and go on several tasks at once, as the tests of a suite do.
    @Test func aNewServerAnswersWithItsOwnFigures() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<300 { try MetricsServer(port: 0) { "stopped 1\n" }.stop() }
                }
            }
            group.addTask {
                for round in 0..<100 {
                    let mine = "scraped_round\(round) 1\n"
                    let server = try MetricsServer(port: 0) { mine }
                    defer { server.stop() }
                    #expect(try await get("http://127.0.0.1:\(server.port)/metrics").1 == mine)
                }
            }
            try await group.waitForAll()
        }
    }

    @Test func otherPathsAreNotFound() async throws {
        let server = try MetricsServer(port: 0) { "" }
        defer { server.stop() }
        #expect(try await get("http://127.0.0.1:\(server.port)/").0 == 404)
    }

    @Test func aTakenPortIsNamed() throws {
        let first = try MetricsServer(port: 0) { "" }
        defer { first.stop() }
        #expect(throws: MetricsServerError.self) { _ = try MetricsServer(port: first.port) { "" } }
    }
}
