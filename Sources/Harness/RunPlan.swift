import Contracts

/// The command lines of a run's children, derived from the scenario: the same commands a user would type.
struct RunPlan {
    let scenario: Scenario
    let folder: ResultsFolder
    let brokers: String
    let topic: String

    /// Client properties reach the children through their environment (`ChildRegistry`), not from here.
    private var connection: [String] { ["--brokers", brokers] }

    private var rule: [String] {
        let rule = scenario.detector.rule
        return [
            "--window", DurationText.render(milliseconds: rule.windowMs),
            "--watermark", DurationText.render(milliseconds: rule.watermarkDelayMs),
            "--threshold", String(rule.threshold),
            "--term", rule.term,
            "--match", rule.matching.rawValue,
            "--severities", Severity.allCases.filter(rule.severities.contains).map(\.rawValue).joined(separator: ","),
            "--mode", rule.mode.rawValue,
        ]
    }

    /// The Swift detectors' consumer group.
    var group: String { "windtunnel-\(scenario.name)" }

    /// The generator for the whole measured stream with its tail.
    var generatorArguments: [String] {
        let generator = scenario.generator
        return generatorArguments(
            rate: generator.totalRps.map { ["--total-rps", String($0)] } ?? ["--rps", String(generator.rps)],
            crashRate: generator.crashRate, durationMs: scenario.durationMs, seed: generator.seed, manifest: folder.manifestFolder, tail: true)
    }

    /// Step `index` of a ramp at `totalRps` in all, without a tail, in a manifest folder of its own.
    func rampStepArguments(index: Int, totalRps: Int, stepMs: Int64) -> [String] {
        rampArguments(
            totalRps: totalRps, durationMs: stepMs, seed: scenario.generator.seed &+ UInt64(index), manifest: rampManifest(step: index),
            tail: false)
    }

    /// After a ramp: a short stream at the first step's rate, then the tail that closes every window.
    func rampTailArguments(after steps: Int) -> [String] {
        rampArguments(
            totalRps: scenario.generator.ramp?.startRps ?? scenario.generator.rps, durationMs: 2_000,
            seed: scenario.generator.seed &+ UInt64(steps), manifest: rampManifest(step: steps), tail: true)
    }

    /// A ramp's generator at `totalRps` in all, as a rate per process; the crash rate is capped at it, as a
    /// slow first step may be below the scenario's crash rate.
    private func rampArguments(totalRps: Int, durationMs: Int64, seed: UInt64, manifest: String, tail: Bool) -> [String] {
        let rps = scenario.generator.processRate(ofTotal: totalRps)
        return generatorArguments(
            rate: ["--rps", String(rps)], crashRate: min(scenario.generator.crashRate, rps), durationMs: durationMs, seed: seed,
            manifest: manifest, tail: tail)
    }

    /// The manifest folder of a ramp's step.
    func rampManifest(step: Int) -> String { "\(folder.manifestFolder)/step-\(step)" }

    /// `rate` is `--rps R` or `--total-rps R`.
    private func generatorArguments(rate: [String], crashRate: Int, durationMs: Int64, seed: UInt64, manifest: String, tail: Bool)
        -> [String]
    {
        let generator = scenario.generator
        var arguments = ["generate"] + connection + ["--topic", topic, "--processes", String(generator.processes)] + rate + [
            "--duration", DurationText.render(milliseconds: durationMs),
            "--users", String(generator.users),
            "--user-distribution", generator.userDistribution,
            "--severity-weights", generator.severityWeights,
            "--crash-term", generator.crashTerm,
            "--crash-rate", String(crashRate),
            "--late-fraction", String(generator.lateFraction),
            "--late-class", generator.lateClass,
            "--watermark", DurationText.render(milliseconds: scenario.detector.rule.watermarkDelayMs),
            "--window", DurationText.render(milliseconds: scenario.detector.rule.windowMs),
            "--malformed-fraction", String(generator.malformedFraction),
            "--seed", String(seed),
            "--compression", generator.compression,
            "--manifest", manifest,
            "--stats-log", folder.generatorStatsFile,
        ]
        if let decoys = generator.decoyFraction { arguments += ["--decoy-fraction", String(decoys)] }
        if tail { arguments += ["--tail", "--tail-speedup", String(generator.tailSpeedup)] }
        return arguments + generator.extraArguments
    }

    /// The Spark job (`detectors/spark/crash_monitor.py`) as instance `index`, run by `python` from the
    /// project at `root`. It reads through its Python Kafka source (FACTS.md) and keeps its checkpoint in a
    /// folder of its own, so that a restart after a kill resumes from it.
    func sparkArguments(instance index: Int, root: String) -> [String] {
        let rule = scenario.detector.rule
        var arguments = ["\(root)/detectors/spark/crash_monitor.py", "--source", "pykafka", "--brokers", brokers]
        arguments += [
            "--topic", topic,
            "--instance", "spark-\(index)",
            "--trigger", DurationText.render(milliseconds: scenario.detector.triggerMs),
            "--alerts", folder.alertsFile(instance: index),
            "--batch-log", folder.batchLogFile(instance: index),
            "--checkpoint", "\(folder.checkpointFolder)/spark-\(index)",
            "--window", DurationText.render(milliseconds: rule.windowMs),
            "--watermark", DurationText.render(milliseconds: rule.watermarkDelayMs),
            "--threshold", String(rule.threshold),
            "--term", rule.term,
            "--severities", Severity.allCases.filter(rule.severities.contains).map(\.rawValue).joined(separator: ","),
            "--mode", rule.mode.rawValue,
        ]
        if rule.matching == .caseSensitive { arguments.append("--case-sensitive") }
        return arguments
    }

    func detectorArguments(instance index: Int) -> [String] {
        ["detect"] + connection + [
            "--topic", topic,
            "--group", group,
            "--instance", "detector-\(index)",
            "--trigger", DurationText.render(milliseconds: scenario.detector.triggerMs),
            "--alerts", "jsonl:\(folder.alertsFile(instance: index))",
            "--batch-log", folder.batchLogFile(instance: index),
            "--checkpoint", folder.checkpointFolder,
        ] + rule
    }

    /// `{brokers}`, `{topic}` and `{results}` in an external detector's settings, replaced.
    private func expand(_ text: String) -> String {
        text.replacingOccurrences(of: "{brokers}", with: brokers).replacingOccurrences(of: "{topic}", with: topic)
            .replacingOccurrences(of: "{results}", with: folder.path)
    }

    /// The external detector's command, placeholders replaced.
    var externalCommand: String? { scenario.detector.kind == .external ? scenario.detector.command.map(expand) : nil }

    /// The external detector's alert source (`jsonl:PATH`, `kafka:TOPIC`, ...), placeholders replaced.
    var externalAlerts: String? { scenario.detector.kind == .external ? scenario.detector.alerts.map(expand) : nil }

    /// The external detector's batch log, placeholders replaced.
    var externalBatchLog: String? { scenario.detector.kind == .external ? scenario.detector.batchLog.map(expand) : nil }

    func validateArguments(instances: Int) -> [String] {
        var arguments = ["validate"] + connection + ["--topic", topic, "--report", folder.reportFolder]
        // A ramp's steps each have a manifest of their own; the replay then reads the topic until it is idle.
        arguments += scenario.generator.ramp == nil ? ["--manifest", folder.manifestFolder] : ["--until-idle", "5s"]
        if scenario.detector.kind == .external {
            if let alerts = externalAlerts { arguments += ["--alerts", alerts] }
            if let batchLog = externalBatchLog { arguments += ["--batch-log", batchLog] }
        } else {
            for index in 0..<instances {
                arguments += ["--alerts", "jsonl:\(folder.alertsFile(instance: index))", "--batch-log", folder.batchLogFile(instance: index)]
            }
        }
        return arguments + rule
    }
}
