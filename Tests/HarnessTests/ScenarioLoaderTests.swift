import Contracts
@testable import Harness
import Foundation
import Testing

@Suite("Scenario files")
struct ScenarioLoaderTests {
    let full = """
        name: late-beyond
        description: late events beyond the delay
        duration: 30s
        partitions: 8
        generator:
          processes: 3
          rps: 20_000
          crash_rate: 150
          late_fraction: 0.02
          late_class: beyond
          seed: 7
        detector:
          kind: swift
          watermark: 45s
          severities: [High, Critical, Medium]
          mode: append
          trigger: 500ms
          instances: 2
        faults:
          - at: 10s
            action: kill-detector
            instance: 1
            restart_after: 3s
          - at: 12s
            action: add-instance
        expectations:
          min_judged_alerts: 80
          latency_p99_max: 45s
          min_late_dropped: 1
        """

    @Test func readsEveryField() throws {
        let scenario = try ScenarioLoader.parse(full, source: "late.yaml", defaultName: "late")
        #expect(scenario.name == "late-beyond")
        #expect(scenario.durationMs == 30_000)
        #expect(scenario.partitions == 8)
        #expect(scenario.generator.processes == 3)
        #expect(scenario.generator.rps == 20_000)
        #expect(scenario.generator.lateClass == "beyond")
        #expect(scenario.generator.seed == 7)
        #expect(scenario.detector.rule.watermarkDelayMs == 45_000)
        #expect(scenario.detector.rule.severities == [.high, .critical, .medium])
        #expect(scenario.detector.rule.mode == .append)
        #expect(scenario.detector.triggerMs == 500)
        #expect(scenario.faults.count == 2)
        #expect(scenario.faults[0].action == .killDetector)
        #expect(scenario.faults[0].restartAfterMs == 3_000)
        #expect(scenario.faults[1].action == .addInstance)
        #expect(scenario.expectations.minJudgedAlerts == 80)
        #expect(scenario.expectations.latencyP99MaxMs == 45_000)
        #expect(scenario.expectations.minLateDropped == 1)
    }

    @Test func defaultsFillWhatIsNotSaid() throws {
        let scenario = try ScenarioLoader.parse("duration: 20s\n", source: "smoke.yaml", defaultName: "smoke")
        #expect(scenario.name == "smoke")
        #expect(scenario.detector.rule == RuleSettings())
        #expect(scenario.expectations.verdict == "pass")
    }

    @Test func overridesApplyBeforeChecks() throws {
        let scenario = try ScenarioLoader.parse(
            full, source: "late.yaml", defaultName: "late",
            overrides: ["generator.rps=1000", "detector.mode=update", "expectations.min_judged_alerts=5"])
        #expect(scenario.generator.rps == 1_000)
        #expect(scenario.detector.rule.mode == .update)
        #expect(scenario.expectations.minJudgedAlerts == 5)
    }

    @Test("errors name the file, the line and the key", arguments: [
        ("duration: 20s\ngenrator:\n  rps: 5\n", "s.yaml:2: genrator: unknown key"),
        ("generator:\n  rps: fast\n", "s.yaml:2: generator.rps: expected a whole number, got 'fast'"),
        ("duration: 10\n", "s.yaml:1: duration: invalid duration '10'"),
        ("detector:\n  mode: complete\n", "s.yaml:2: detector.mode: 'complete' is not one of: update, append"),
        ("detector:\n  severities: High,Severe\n", "s.yaml:2: detector.severities: 'Severe' is not one of"),
        ("generator:\n  late_fraction: 1.5\n", "s.yaml:2: generator.late_fraction: expected a fraction"),
        ("faults:\n  - at: 5s\n    action: explode\n", "s.yaml:3: faults[0].action: 'explode' is not one of"),
        ("faults:\n  - action: add-instance\n", "s.yaml:2: faults[0].at: missing"),
        ("detector:\n  kind: swift\n  trigger: [1s]\n", "s.yaml:3: detector.trigger: expected a single value"),
        ("duration: [\n", "s.yaml:2: not valid YAML"),
    ])
    func errors(yaml: String, expected: String) {
        expectRefusal(yaml, expected)
    }

    @Test("impossible combinations name the file, the line and the key", arguments: [
        ("generator:\n  rps: 50\n  crash_rate: 100\n", "s.yaml:3: generator.crash_rate: '100': is more than the 50 records per second"),
        ("generator:\n  rps: 50\n", "s.yaml:2: generator.crash_rate: '100': is more than the 50 records per second"),
        ("detector:\n  kind: external\n", "s.yaml:2: detector.alerts: an external detector needs"),
        ("duration: 10s\nfaults:\n  - at: 12s\n    action: add-instance\n", "s.yaml:3: faults[0].at: 12s is not within"),
        ("faults:\n  - at: 5s\n    action: kill-detector\n    instance: 1\n", "s.yaml:4: faults[0].instance: instance 1 does not exist"),
        ("faults:\n  - at: 5s\n    action: remove-instance\n", "s.yaml:2: faults[0]: removing the only instance"),
        ("faults:\n  - at: 5s\n    action: add-instance\n  - at: 4s\n    action: add-instance\n", "s.yaml:4: faults[1].at: faults must be"),
        ("detector:\n  kind: spark\n  instances: 2\n", "s.yaml:3: detector.instances: the Spark job runs as one query"),
        ("detector:\n  kind: swift\n  command: my-detector\n", "s.yaml:3: detector.command: only an external detector"),
        ("generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 50\n", "s.yaml:6: generator.ramp.max: 50 is below"),
        ("generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n", "s.yaml:2: generator.ramp: a ramp needs start, step"),
        (
            "generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 200\nfaults:\n  - at: 5s\n    action: add-instance\n",
            "s.yaml:7: faults: a ramp measures the detector undisturbed"
        ),
        ("detector:\n  kind: external\n  alerts: jsonl:a\n  instances: 2\n", "s.yaml:4: detector.instances: an external detector is one command"),
        ("detector:\n  kind: spark\nfaults:\n  - at: 5s\n    action: add-instance\n", "s.yaml:4: faults[0]: a Spark query cannot"),
        ("generator:\n  processes: 4\n  total_rps: 3\n", "s.yaml:3: generator.total_rps: 3 records per second cannot be split over 4"),
        ("generator:\n  rps: 100\n  total_rps: 400\n", "s.yaml:3: generator.total_rps: contradicts generator.rps"),
        ("duration: 60s\ngenerator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 200\n", "s.yaml:1: duration: a ramp sets"),
        ("generator:\n  rps: 900\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 200\n", "s.yaml:2: generator.rps: a ramp sets"),
    ])
    func combinations(yaml: String, expected: String) {
        expectRefusal(yaml, expected)
    }

    @Test("generator values are read by generate's own parsers at load", arguments: [
        ("generator:\n  user_distribution: zipf:-1\n", "s.yaml:2: generator.user_distribution: 'zipf:-1': "),
        ("generator:\n  severity_weights: Low=1,Severe=2\n", "s.yaml:2: generator.severity_weights: 'Low=1,Severe=2': "),
        ("generator:\n  late_class: later\n", "s.yaml:2: generator.late_class: 'later': expected within, boundary, beyond"),
        ("generator:\n  compression: brotli\n", "s.yaml:2: generator.compression: 'brotli' is not one of: none, gzip"),
        ("generator:\n  crash_term: two words\n", "s.yaml:2: generator.crash_term: 'two words': may hold only"),
        ("generator:\n  decoy_fraction: 1.5\n", "s.yaml:2: generator.decoy_fraction: expected a fraction"),
        ("generator:\n  decoy_fraction: 0.6\n  malformed_fraction: 0.5\n", "s.yaml:2: generator.decoy_fraction: '0.6': together with"),
        // `within` needs a watermark longer than the window plus 3 s: the detector's watermark is the culprit's line.
        ("generator:\n  late_fraction: 0.1\ndetector:\n  watermark: 5s\n", "s.yaml:4: generator.late_class: 'within': with a 5s watermark"),
        // The crash rate must fit in each process's share of the total.
        ("generator:\n  processes: 4\n  total_rps: 200\n", "s.yaml:3: generator.crash_rate: '100': is more than the 50 records per second"),
    ])
    func generatorValues(yaml: String, expected: String) {
        expectRefusal(yaml, expected)
    }

    @Test func decoysAndATotalRateReachTheGenerator() throws {
        let yaml = "generator:\n  processes: 3\n  total_rps: 30000\n  decoy_fraction: 0.05\n"
        let scenario = try ScenarioLoader.parse(yaml, source: "s.yaml", defaultName: "s")
        let arguments = RunPlan(scenario: scenario, folder: ResultsFolder(path: "r"), brokers: "b:9092", topic: "t")
            .generatorArguments
        #expect(value(of: "--total-rps", in: arguments) == "30000")
        #expect(value(of: "--rps", in: arguments) == nil)
        #expect(value(of: "--decoy-fraction", in: arguments) == "0.05")

        let defaults = try ScenarioLoader.parse("name: x\n", source: "s.yaml", defaultName: "s")
        let defaultArguments = RunPlan(scenario: defaults, folder: ResultsFolder(path: "r"), brokers: "b:9092", topic: "t")
            .generatorArguments
        #expect(value(of: "--total-rps", in: defaultArguments) == nil)
        #expect(value(of: "--rps", in: defaultArguments) == "5000")
        // The generator's own default (0.01, or less where the crash rate leaves less room) applies.
        #expect(value(of: "--decoy-fraction", in: defaultArguments) == nil)
    }

    @Test func aStreamOfOnlyTermBearingRecordsLeavesNoRoomForDecoysAndIsNotRefusedForIt() throws {
        let scenario = try ScenarioLoader.parse("generator:\n  rps: 100\n  crash_rate: 100\n", source: "s.yaml", defaultName: "s")
        #expect(scenario.generator.decoyFraction == nil)
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.parse("generator:\n  rps: 100\n  crash_rate: 100\n  decoy_fraction: 0.01\n", source: "s.yaml", defaultName: "s")
        }
    }

    /// The value after `option` in a command line.
    private func value(of option: String, in arguments: [String]) -> String? {
        arguments.firstIndex(of: option).map { arguments[$0 + 1] }
    }

    @Test("a bad --set names itself as the source", arguments: [
        ("generator.rps", "--set generator.rps: write it as key=value"),
        ("=5", "--set =5: the key is empty"),
        ("name.first=x", "--set name.first=x: 'first' is inside something that is not a mapping"),
        ("generator.rps=abc", "--set generator.rps=abc: expected a whole number, got 'abc'"),
        ("generator.rsp=5", "--set generator.rsp=5: unknown key"),
        ("generator.late_class=later", "--set generator.late_class=later: 'later': expected within"),
        ("generator.crash_rate=9000", "--set generator.crash_rate=9000: '9000': is more than the 5000 records per second"),
        // The key at fault is another than the one set: both are named.
        ("detector.kind=external", "--set detector.kind=external: detector.alerts: an external detector needs"),
    ])
    func badOverride(override: String, expected: String) {
        expectRefusal("name: x\ngenerator:\n  rps: 5000\n", overrides: [override], expected)
    }

    /// Records an issue unless `yaml` with `overrides` is refused with an error that begins with `expected`.
    private func expectRefusal(_ yaml: String, overrides: [String] = [], _ expected: String) {
        do {
            _ = try ScenarioLoader.parse(yaml, source: "s.yaml", defaultName: "s", overrides: overrides)
            Issue.record("accepted: \(yaml) with \(overrides)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func aRampListsItsSteps() throws {
        let yaml = "generator:\n  processes: 2\n  ramp:\n    start: 20000\n    step: 20000\n    every: 8s\n    max: 100000\n"
        let scenario = try ScenarioLoader.parse(yaml, source: "s.yaml", defaultName: "s")
        let ramp = try #require(scenario.generator.ramp)
        #expect(ramp.rates == [20_000, 40_000, 60_000, 80_000, 100_000])
        #expect(ramp.stepMs == 8_000)
    }

    @Test func missingFileIsNamed() {
        do {
            _ = try ScenarioLoader.load(path: "/nonexistent/smoke.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.source == "/nonexistent/smoke.yaml")
        }
    }
}

@Suite("The scenario library")
struct ScenarioLibraryTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scenarios").path

    @Test func everyScenarioLoadsAndIsNamedAfterItsFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 10)
        for file in files {
            let scenario = try ScenarioLoader.load(path: "\(Self.folder)/\(file)")
            #expect(scenario.name + ".yaml" == file)
            #expect(scenario.expectations.minJudgedAlerts > 0, "\(file) could pass without judging anything")
        }
    }
}
