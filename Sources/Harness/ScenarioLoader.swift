import Contracts
import EventModel
import Foundation
import Kafka
import Yams

/// Reads scenario files strictly: unknown keys, bad durations, out-of-range numbers, generator values that
/// `windtunnel generate` would refuse and impossible combinations are refused with the file, line and key (or
/// the `--set` that gave the value); `--set key=value` overrides are applied first.
public enum ScenarioLoader {
    /// Loads the scenario at `path`, with `overrides` (`generator.rps=2000`, dotted keys) applied on top.
    public static func load(path: String, overrides: [String] = []) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(source: path, line: nil, key: nil, reason: "cannot read the file (\(error.localizedDescription))")
        }
        let defaultName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text, source: path, defaultName: defaultName, overrides: overrides)
    }

    /// Parses scenario YAML held in memory; `source` names it in errors.
    public static func parse(_ text: String, source: String, defaultName: String, overrides: [String] = []) throws(ScenarioError)
        -> Scenario
    {
        var root: Node
        do {
            guard let document = try Yams.compose(yaml: text) else {
                throw ScenarioError(
                    source: source, line: nil, key: nil,
                    reason: "the file holds no scenario (it is empty); a scenario names at least what makes it special, e.g. 'duration: 20s'")
            }
            root = document
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError(source: source, line: yamlErrorLine(error), key: nil, reason: "not valid YAML (\(error))")
        } catch {
            throw ScenarioError(source: source, line: nil, key: nil, reason: "not valid YAML (\(error))")
        }
        if let (key, first, second) = firstRepeatedKey(in: root) {
            throw ScenarioError(
                source: source, line: second, key: nil,
                reason: "'\(key)' is given twice (lines \(first.map(String.init) ?? "?") and \(second.map(String.init) ?? "?")); keep one")
        }
        var overridden: [String: String] = [:]
        for override in overrides {
            let key: String
            (root, key) = try apply(override, to: root)
            overridden[key] = override
        }
        let origins = ScenarioOrigins(file: source, overrides: overridden)
        let scenario = try decode(root, origins: origins, defaultName: defaultName)
        try check(scenario, origins: origins)
        try checkGenerator(scenario, origins: origins)
        return scenario
    }

    /// The first key that a mapping anywhere in `node` holds twice, with the lines of both: YAML parsers
    /// keep one of them silently, and which one the user meant is anybody's guess.
    private static func firstRepeatedKey(in node: Node, path: String = "") -> (key: String, first: Int?, second: Int?)? {
        switch node {
        case .mapping(let mapping):
            var seen: [String: Int?] = [:]
            for (key, value) in mapping {
                let name = key.string ?? "?"
                let dotted = path.isEmpty ? name : "\(path).\(name)"
                if let first = seen[name] { return (dotted, first, key.mark?.line) }
                seen[name] = key.mark?.line
                if let repeated = firstRepeatedKey(in: value, path: dotted) { return repeated }
            }
            return nil
        case .sequence(let sequence):
            for (index, item) in sequence.enumerated() {
                if let repeated = firstRepeatedKey(in: item, path: "\(path)[\(index)]") { return repeated }
            }
            return nil
        default:
            return nil
        }
    }

    // MARK: Overrides

    /// `root` with `override` applied, and the dotted key it set.
    private static func apply(_ override: String, to root: Node) throws(ScenarioError) -> (Node, String) {
        guard let equals = override.firstIndex(of: "=") else {
            throw ScenarioError(override: override, key: nil, reason: "write it as key=value, e.g. generator.rps=2000")
        }
        let path = override[..<equals].split(separator: ".").map(String.init)
        let value = String(override[override.index(after: equals)...])
        guard !path.isEmpty else {
            throw ScenarioError(override: override, key: nil, reason: "the key is empty")
        }
        let key = path.joined(separator: ".")
        return (try replacing(path[...], in: root, with: value, override: override), key)
    }

    private static func replacing(_ path: ArraySlice<String>, in node: Node, with value: String, override: String) throws(ScenarioError)
        -> Node
    {
        guard let first = path.first else { return Node(value) }
        guard case .mapping(var mapping) = node else {
            throw ScenarioError(override: override, key: nil, reason: "'\(first)' is inside something that is not a mapping")
        }
        let child = mapping[first] ?? .mapping(Node.Mapping([]))
        mapping[first] = try replacing(path.dropFirst(), in: child, with: value, override: override)
        return .mapping(mapping)
    }

    // MARK: Decoding

    private static func decode(_ root: Node, origins: ScenarioOrigins, defaultName: String) throws(ScenarioError) -> Scenario {
        var fields = try YAMLFields(origins: origins, path: "", node: root)
        var scenario = Scenario(name: try fields.string("name") ?? defaultName)
        if let description = try fields.string("description") { scenario.description = description }
        if let duration = try fields.durationMs("duration", minimum: 1_000) { scenario.durationMs = duration }
        if let topic = try fields.string("topic") { scenario.topic = topic }
        if let partitions = try fields.int("partitions", in: 1...1_024) { scenario.partitions = partitions }
        if var generator = try fields.section("generator") {
            scenario.generator = try decodeGenerator(&generator)
            try generator.finish()
        }
        if var detector = try fields.section("detector") {
            scenario.detector = try decodeDetector(&detector)
            try detector.finish()
        }
        for var fault in try fields.sections("faults") {
            scenario.faults.append(try decodeFault(&fault))
            try fault.finish()
        }
        if var expectations = try fields.section("expectations") {
            scenario.expectations = try decodeExpectations(&expectations)
            try expectations.finish()
        }
        try fields.finish()
        return scenario
    }

    private static func decodeGenerator(_ fields: inout YAMLFields) throws(ScenarioError) -> GeneratorPlan {
        var plan = GeneratorPlan()
        if let value = try fields.int("processes", in: 1...64) { plan.processes = value }
        if let value = try fields.int("rps", in: 1...10_000_000) { plan.rps = value }
        plan.totalRps = try fields.int("total_rps", in: 1...100_000_000)
        if let value = try fields.int("users", in: 1...1_000_000) { plan.users = value }
        if let value = try fields.string("user_distribution") { plan.userDistribution = value }
        if let value = try fields.string("severity_weights") { plan.severityWeights = value }
        if let value = try fields.string("crash_term") { plan.crashTerm = value }
        if let value = try fields.int("crash_rate", in: 0...10_000_000) { plan.crashRate = value }
        if let value = try fields.fraction("decoy_fraction") { plan.decoyFraction = value }
        if let value = try fields.fraction("late_fraction") { plan.lateFraction = value }
        if let value = try fields.string("late_class") { plan.lateClass = value }
        if let value = try fields.fraction("malformed_fraction") { plan.malformedFraction = value }
        if let value = try fields.unsigned("seed") { plan.seed = value }
        if let value = try fields.choice("compression", ProducerConfiguration.Compression.self) { plan.compression = value.rawValue }
        if let value = try fields.int("tail_speedup", in: 1...1_000) { plan.tailSpeedup = value }
        if var ramp = try fields.section("ramp") {
            guard let start = try ramp.int("start", in: 1...100_000_000), let step = try ramp.int("step", in: 1...100_000_000),
                let every = try ramp.durationMs("every", minimum: 2_000), let max = try ramp.int("max", in: 1...100_000_000)
            else {
                throw fields.origins.error(
                    fields.key("ramp"), "a ramp needs start, step, every and max (e.g. start: 20000, step: 20000, every: 10s, max: 400000)")
            }
            plan.ramp = Ramp(startRps: start, stepRps: step, stepMs: every, maxRps: max)
            try ramp.finish()
        }
        if let value = try fields.strings("extra_arguments") { plan.extraArguments = value }
        return plan
    }

    private static func decodeDetector(_ fields: inout YAMLFields) throws(ScenarioError) -> DetectorPlan {
        var plan = DetectorPlan()
        if let value = try fields.choice("kind", DetectorPlan.Kind.self) { plan.kind = value }
        if let value = try fields.durationMs("window", minimum: 1) { plan.rule.windowMs = value }
        if let value = try fields.durationMs("watermark") { plan.rule.watermarkDelayMs = value }
        if let value = try fields.int("threshold", in: 0...1_000_000) { plan.rule.threshold = value }
        if let value = try fields.string("term") { plan.rule.term = value }
        if let value = try fields.choice("match", TermMatching.self) { plan.rule.matching = value }
        if let value = try fields.strings("severities") {
            var severities = Set<Severity>()
            for text in value.flatMap({ $0.split(separator: ",") }) {
                let name = text.trimmingCharacters(in: .whitespaces)
                guard let severity = Severity(rawValue: name) else {
                    throw fields.error("severities", fields.mapping["severities"], "'\(name)' is not one of: Low, Medium, High, Critical")
                }
                severities.insert(severity)
            }
            plan.rule.severities = severities
        }
        if let value = try fields.choice("mode", OutputMode.self) { plan.rule.mode = value }
        if let value = try fields.durationMs("trigger", minimum: 10) {
            guard value <= MicroBatchTrigger.longestMs else {
                throw fields.error(
                    "trigger", fields.mapping["trigger"],
                    "\(DurationText.render(milliseconds: value)) is longer than \(DurationText.render(milliseconds: MicroBatchTrigger.longestMs)), the longest micro-batch interval")
            }
            plan.triggerMs = value
        }
        if let value = try fields.int("instances", in: 1...16) { plan.instances = value }
        plan.alerts = try fields.string("alerts")
        plan.batchLog = try fields.string("batch_log")
        plan.command = try fields.string("command")
        plan.settleMs = try fields.durationMs("settle")
        return plan
    }

    private static func decodeFault(_ fields: inout YAMLFields) throws(ScenarioError) -> Fault {
        guard let at = try fields.durationMs("at") else {
            throw fields.error("at", nil, "missing: when the fault happens")
        }
        guard let action = try fields.choice("action", Fault.Action.self) else {
            throw fields.error("action", nil, "missing: one of \(Fault.Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var fault = Fault(atMs: at, action: action)
        if let value = try fields.int("instance", in: 0...15) { fault.instance = value }
        if let value = try fields.durationMs("restart_after") { fault.restartAfterMs = value }
        return fault
    }

    private static func decodeExpectations(_ fields: inout YAMLFields) throws(ScenarioError) -> Expectations {
        var expectations = Expectations()
        if let value = try fields.string("verdict") {
            guard ["pass", "fail"].contains(value) else {
                throw fields.error("verdict", fields.mapping["verdict"], "'\(value)' is not one of: pass, fail")
            }
            expectations.verdict = value
        }
        if let value = try fields.int("min_judged_alerts", in: 0...100_000_000) { expectations.minJudgedAlerts = value }
        expectations.latencyP99MaxMs = try fields.durationMs("latency_p99_max")
        expectations.scheduleLagP99MaxMs = try fields.durationMs("schedule_lag_p99_max")
        expectations.minAchievedRateFraction = try fields.fraction("min_achieved_rate")
        expectations.maxMemoryGrowthFraction = try fields.fraction("max_memory_growth")
        expectations.minLateDropped = try fields.int("min_late_dropped", in: 0...Int.max)
        expectations.maxLateDropped = try fields.int("max_late_dropped", in: 0...Int.max)
        if let value = try fields.int("max_on_time_dropped", in: 0...Int.max) { expectations.maxOnTimeDropped = value }
        expectations.maxStallMs = try fields.durationMs("max_stall")
        return expectations
    }

    /// Combinations that each field alone cannot refuse.
    private static func check(_ scenario: Scenario, origins: ScenarioOrigins) throws(ScenarioError) {
        let generator = scenario.generator
        let detector = scenario.detector
        if detector.kind == .external && detector.alerts == nil {
            throw origins.error(
                "detector.alerts", near: ["detector.kind"],
                "an external detector needs the place its alerts are read from (jsonl:PATH, kafka:TOPIC, csv:PATH, spark-console:PATH)")
        }
        if detector.kind != .external && detector.alerts != nil {
            throw origins.error("detector.alerts", "only an external detector's alerts are read from elsewhere")
        }
        if detector.kind != .external && detector.command != nil {
            throw origins.error("detector.command", "only an external detector is started from a command")
        }
        if detector.kind == .external && detector.instances != 1 {
            throw origins.error("detector.instances", near: ["detector.kind"], "an external detector is one command; use 1 instance")
        }
        if detector.kind == .spark && detector.instances != 1 {
            throw origins.error(
                "detector.instances", near: ["detector.kind"], "the Spark job runs as one query (Spark splits the partitions itself); use 1 instance")
        }
        if generator.totalRps != nil && origins.gives("generator.rps") {
            throw origins.error("generator.total_rps", near: ["generator.rps"], "contradicts generator.rps: give one of them")
        }
        if let totalRps = generator.totalRps, totalRps < generator.processes {
            throw origins.error(
                "generator.total_rps", near: ["generator.processes"],
                "\(totalRps) records per second cannot be split over \(generator.processes) processes")
        }
        if let ramp = generator.ramp {
            if ramp.maxRps < ramp.startRps {
                throw origins.error("generator.ramp.max", "\(ramp.maxRps) is below the start rate \(ramp.startRps)")
            }
            if ramp.startRps < generator.processes {
                throw origins.error(
                    "generator.ramp.start", "\(ramp.startRps) records per second cannot be split over \(generator.processes) processes")
            }
            // A ramp's steps set the rate and the length of the stream: these would be silently ignored.
            for key in ["duration", "generator.rps", "generator.total_rps"] where origins.gives(key) {
                throw origins.error(key, "a ramp sets the rate and length of every step (ramp.step, ramp.every, ramp.max); drop \(key)")
            }
            if !scenario.faults.isEmpty {
                throw origins.error("faults", "a ramp measures the detector undisturbed; drop the faults")
            }
        }
        var instances = detector.instances
        for (index, fault) in scenario.faults.enumerated() {
            let key = "faults[\(index)]"
            if fault.atMs >= scenario.durationMs {
                throw origins.error(
                    "\(key).at", near: ["duration"],
                    "\(DurationText.render(milliseconds: fault.atMs)) is not within the \(DurationText.render(milliseconds: scenario.durationMs)) stream")
            }
            if index > 0 && fault.atMs < scenario.faults[index - 1].atMs {
                throw origins.error("\(key).at", "faults must be listed in time order")
            }
            if detector.kind == .external {
                throw origins.error(key, "faults need a detector that the run starts (swift or spark)")
            }
            switch fault.action {
            case .killDetector, .removeInstance:
                if fault.instance >= instances {
                    throw origins.error("\(key).instance", "instance \(fault.instance) does not exist then (\(instances) running)")
                }
                if fault.action == .removeInstance {
                    if instances == 1 {
                        throw origins.error(key, "removing the only instance leaves no detector")
                    }
                    instances -= 1
                }
            case .addInstance:
                if detector.kind == .spark {
                    throw origins.error(key, "a Spark query cannot take a second instance")
                }
                instances += 1
            }
        }
    }

    /// The generator's values, read by the parsers and checked by the rules `windtunnel generate` applies, at
    /// the rate each of its processes runs, so that a value the generator would refuse stops the scenario
    /// here rather than the run midway.
    private static func checkGenerator(_ scenario: Scenario, origins: ScenarioOrigins) throws(ScenarioError) {
        let plan = scenario.generator
        // Where the per-process rate comes from: the smallest share of a total or a ramp's first step.
        let rateKey = plan.ramp != nil ? "generator.ramp.start" : plan.totalRps != nil ? "generator.total_rps" : "generator.rps"
        var settings = GeneratorSettings()
        settings.recordsPerSecond = plan.processRate
        settings.users = plan.users
        settings.crashTerm = plan.crashTerm
        settings.crashRate = plan.ramp == nil ? plan.crashRate : min(plan.crashRate, plan.processRate)
        settings.lateFraction = plan.lateFraction
        settings.malformedFraction = plan.malformedFraction
        settings.decoyFraction = plan.decoyFraction ?? settings.defaultDecoyFraction
        settings.seed = plan.seed
        settings.watermarkDelayMs = scenario.detector.rule.watermarkDelayMs
        settings.windowMs = scenario.detector.rule.windowMs
        do {
            settings.userDistribution = try UserDistribution(parsing: plan.userDistribution)
            settings.severityWeights = try SeverityWeights(parsing: plan.severityWeights)
            settings.lateClass = try LateClass(parsing: plan.lateClass)
            try settings.validate()
        } catch {
            // The scenario key of each `generate` option, and the keys a combination's problem may stem from.
            let (key, near): (String, [String]) =
                switch error.setting {
                case "--rps": (rateKey, [])
                case "--watermark", "--window": ("detector.\(error.setting.dropFirst(2))", [])
                case "--crash-rate": ("generator.crash_rate", [rateKey])
                case "--decoy-fraction": ("generator.decoy_fraction", ["generator.malformed_fraction", "generator.crash_rate", rateKey])
                case "--late-class": ("generator.late_class", ["detector.watermark", "detector.window", "generator.late_fraction"])
                default: ("generator." + error.setting.dropFirst(2).replacingOccurrences(of: "-", with: "_"), [])
                }
            throw origins.error(key, near: near, "'\(error.input)': \(error.reason)")
        }
    }

    private static func yamlErrorLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
