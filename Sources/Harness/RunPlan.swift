import Contracts

/// The command lines of a run's children, derived from the scenario: the same commands a user would type.
struct RunPlan {
    let scenario: Scenario
    let folder: ResultsFolder
    let brokers: String
    let topic: String
    let properties: [String]

    private var connection: [String] { ["--brokers", brokers] + properties.flatMap { ["-X", $0] } }

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

    var generatorArguments: [String] {
        let generator = scenario.generator
        return ["generate"] + connection + [
            "--topic", topic,
            "--processes", String(generator.processes),
            "--rps", String(generator.rps),
            "--duration", DurationText.render(milliseconds: scenario.durationMs),
            "--users", String(generator.users),
            "--user-distribution", generator.userDistribution,
            "--severity-weights", generator.severityWeights,
            "--crash-term", generator.crashTerm,
            "--crash-rate", String(generator.crashRate),
            "--late-fraction", String(generator.lateFraction),
            "--late-class", generator.lateClass,
            "--watermark", DurationText.render(milliseconds: scenario.detector.rule.watermarkDelayMs),
            "--window", DurationText.render(milliseconds: scenario.detector.rule.windowMs),
            "--malformed-fraction", String(generator.malformedFraction),
            "--seed", String(generator.seed),
            "--compression", generator.compression,
            "--manifest", folder.manifestFolder,
            "--tail",
            "--tail-speedup", String(generator.tailSpeedup),
        ] + generator.extraArguments
    }

    /// The Spark job (`detectors/spark/crash_monitor.py`) as instance `index`, run by `python` from the
    /// project at `root`. It reads through its Python Kafka source (FACTS.md) and keeps its checkpoint in a
    /// folder of its own, so that a restart after a kill resumes from it.
    func sparkArguments(instance index: Int, root: String) -> [String] {
        let rule = scenario.detector.rule
        var arguments = ["\(root)/detectors/spark/crash_monitor.py", "--source", "pykafka", "--brokers", brokers]
        arguments += properties.flatMap { ["-X", $0] }
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
            "--group", "windtunnel-\(scenario.name)",
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

    /// The external detector's batch log, placeholders replaced.
    var externalBatchLog: String? { scenario.detector.kind == .external ? scenario.detector.batchLog.map(expand) : nil }

    func validateArguments(instances: Int) -> [String] {
        var arguments = ["validate"] + connection + ["--topic", topic, "--manifest", folder.manifestFolder, "--report", folder.reportFolder]
        if scenario.detector.kind == .external {
            if let alerts = scenario.detector.alerts { arguments += ["--alerts", expand(alerts)] }
            if let batchLog = externalBatchLog { arguments += ["--batch-log", batchLog] }
        } else {
            for index in 0..<instances {
                arguments += ["--alerts", "jsonl:\(folder.alertsFile(instance: index))", "--batch-log", folder.batchLogFile(instance: index)]
            }
        }
        return arguments + rule
    }
}
