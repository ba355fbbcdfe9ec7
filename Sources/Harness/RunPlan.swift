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
            "--malformed-fraction", String(generator.malformedFraction),
            "--seed", String(generator.seed),
            "--compression", generator.compression,
            "--manifest", folder.manifestFolder,
            "--tail",
        ] + generator.extraArguments
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

    func validateArguments(instances: Int) -> [String] {
        var arguments = ["validate"] + connection + ["--topic", topic, "--manifest", folder.manifestFolder, "--report", folder.reportFolder]
        if scenario.detector.kind == .external {
            if let alerts = scenario.detector.alerts { arguments += ["--alerts", alerts] }
            if let batchLog = scenario.detector.batchLog { arguments += ["--batch-log", batchLog] }
        } else {
            for index in 0..<instances {
                arguments += ["--alerts", "jsonl:\(folder.alertsFile(instance: index))", "--batch-log", folder.batchLogFile(instance: index)]
            }
        }
        return arguments + rule
    }
}
