import Foundation
import Testing

@testable import Benchmarks

@Suite("Benchmark figures and report files")
struct BenchmarkReportTests {
    @Test func spreadTakesTheMedianAndRange() {
        let odd = Spread([3, 1, 2])
        #expect(odd.median == 2)
        #expect(odd.min == 1 && odd.max == 3)
        let even = Spread([4, 1, 3, 2])
        #expect(even.median == 2.5)
        #expect(abs(even.relativeHalfRange - 0.6) < 1e-9)
        #expect(Spread([]).median == 0)
    }

    @Test func ratiosPairTheRoundsRatherThanTheMedians() {
        // Round by round the numerator is always half the denominator, though their medians differ more.
        let ratio = Spread(ratiosOf: Spread([50, 10, 200]), to: Spread([100, 20, 400]))
        #expect(ratio.samples == [0.5, 0.5, 0.5])
        #expect(Spread(ratiosOf: Spread([1]), to: Spread([0])).samples.isEmpty)
    }

    @Test func aRatioMeetsItsTargetOnlyAtOrAboveIt() {
        #expect(RatioFinding(name: "a", value: Spread([0.9]), target: 0.9).met)
        #expect(!RatioFinding(name: "a", value: Spread([0.89, 0.95, 0.7]), target: 0.9).met)
        // Just under the target is shown as under it.
        #expect(BenchmarkFiles.ratio(0.4997) == "0.499" && !RatioFinding(name: "a", value: Spread([0.4997]), target: 0.5).met)
    }

    @Test func filesSayWhatWasMeasuredAndWhatWasMissed() throws {
        let report = sample()
        let markdown = BenchmarkFiles.markdown(report)
        #expect(markdown.contains("| Generator: generate / client limit | 0.950 (0.900 .. 1.000) | >= 0.90 | yes |"))
        #expect(markdown.contains("| Detector: detect / consume limit | 0.500 | >= 0.80 | **no** |"))
        #expect(markdown.contains("| client limit | limit | 1,000,000 | 900,000 .. 1,100,000 | 2 |"))
        #expect(markdown.contains("Test CPU, 2 logical cores"))
        let html = BenchmarkFiles.html(report)
        #expect(html.contains("<svg"))
        #expect(html.contains("tr class=\"missed\""))
        #expect(html.contains("R&amp;D note"))
        // A quick run says its ratios judge no target; a full run does not.
        #expect(markdown.contains("A quick run:") && html.contains("A quick run:"))
        var full = report
        full.mode = "full"
        #expect(BenchmarkFiles.caveat(full) == nil && !BenchmarkFiles.markdown(full).contains("A quick run:"))
        let decoded = try BenchmarkReport.read(try report.json())
        #expect(decoded.sections.map(\.id) == ["generator", "detector"])
        #expect(decoded.sections[1].ratios[0].met == false)
        let json = String(decoding: try report.json(), as: UTF8.self)
        #expect(json.contains("\"records_per_second\""))
    }

    private func sample() -> BenchmarkReport {
        let machine = MachineDescription(
            cpu: "Test CPU", logicalCores: 2, memoryGigabytes: 24, operatingSystem: "Debian", librdkafka: "2.16.1", build: "release", loadAverage: 0.5)
        return BenchmarkReport(
            mode: "quick", startedAt: 1_769_000_000_000, elapsedSeconds: 100, machine: machine,
            sections: [
                BenchmarkSection(
                    id: "generator", title: "Generator", method: "m",
                    contenders: [
                        Contender(name: "client limit", role: .limit, recordsPerSecond: Spread([900_000, 1_100_000])),
                        Contender(name: "generate", role: .windtunnel, recordsPerSecond: Spread([900_000, 1_000_000])),
                    ],
                    ratios: [RatioFinding(name: "generate / client limit", value: Spread([0.9, 1.0]), target: 0.9)],
                    notes: ["R&D note"]),
                BenchmarkSection(
                    id: "detector", title: "Detector", method: "m",
                    contenders: [Contender(name: "detect", role: .windtunnel, recordsPerSecond: Spread([5]), figures: ["startup_seconds": 12])],
                    ratios: [RatioFinding(name: "detect / consume limit", value: Spread([0.5]), target: 0.8)]),
            ])
    }
}
