import Contracts
import Harness
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
        do {
            _ = try ScenarioLoader.parse(yaml, source: "s.yaml", defaultName: "s")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test("impossible combinations are refused", arguments: [
        ("generator:\n  rps: 50\n  crash_rate: 100\n", "generator.crash_rate"),
        ("detector:\n  kind: external\n", "detector.alerts"),
        ("duration: 10s\nfaults:\n  - at: 12s\n    action: add-instance\n", "faults[0].at"),
        ("faults:\n  - at: 5s\n    action: kill-detector\n    instance: 1\n", "faults[0].instance"),
        ("faults:\n  - at: 5s\n    action: remove-instance\n", "faults[0]"),
        ("faults:\n  - at: 5s\n    action: add-instance\n  - at: 4s\n    action: add-instance\n", "faults[1].at"),
        ("detector:\n  kind: spark\n  instances: 2\n", "detector.instances"),
        ("detector:\n  kind: swift\n  command: my-detector\n", "detector.command"),
        ("generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 50\n", "generator.ramp.max"),
        ("generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n", "generator.ramp"),
        ("generator:\n  ramp:\n    start: 100\n    step: 10\n    every: 5s\n    max: 200\nfaults:\n  - at: 5s\n    action: add-instance\n", "faults"),
        ("detector:\n  kind: external\n  alerts: jsonl:a\n  instances: 2\n", "detector.instances"),
        ("detector:\n  kind: spark\nfaults:\n  - at: 5s\n    action: add-instance\n", "faults[0]"),
    ])
    func combinations(yaml: String, key: String) {
        do {
            _ = try ScenarioLoader.parse(yaml, source: "s.yaml", defaultName: "s")
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.key == key, "\(error.description)")
        }
    }

    @Test("a bad --set names itself", arguments: ["generator.rps", "=5", "name.first=x"])
    func badOverride(override: String) {
        #expect(throws: ScenarioError.self) {
            _ = try ScenarioLoader.parse("name: x\n", source: "s.yaml", defaultName: "s", overrides: [override])
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
