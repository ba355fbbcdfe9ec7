import Contracts
import EmbeddedBroker
import Foundation
import Kafka
import Monitor
import Report
#if canImport(Glibc)
import Glibc
#endif

/// Runs one scenario end to end: broker, topic, detector instances, generator with its tail, faults on time,
/// the wait for the last windows, validation, and the results folder. Every process it starts is stopped
/// when it ends, fails, or is interrupted.
public struct ScenarioRun: Sendable {
    /// Where and how to run.
    public struct Options: Sendable {
        /// The `windtunnel` executable to start children from (this process's own by default).
        public var executable: String
        /// The folder under which the run's results folder is made. Default: `results`.
        public var resultsRoot: String = "results"
        /// Brokers to use; nil starts an embedded Tansu broker for the run.
        public var brokers: String?
        /// librdkafka properties for every client, `key=value`. The run's children get them in
        /// `$WINDTUNNEL_KAFKA_PROPERTIES`, not on their command lines, which any user of the machine can read.
        public var properties: [String] = []
        /// How long to wait for the detector to finish after the stream ends. Default: 120 s.
        public var drainTimeoutMs: Int = 120_000
        /// Serve the live figures in Prometheus text format on this port while the run lasts.
        public var metricsPort: Int?

        public init(executable: String) {
            self.executable = executable
        }
    }

    /// What a run produced.
    public struct Outcome: Sendable {
        /// The results folder.
        public var folder: ResultsFolder
        /// 0 pass, 1 fail, 2 could not judge (the validator's convention).
        public var exitCode: Int32
        /// One line per finding of the run itself (a worker died, a drain that timed out).
        public var problems: [String]
        /// What was written to `run.json`.
        public var summary: RunSummary
    }

    public let scenario: Scenario
    public let options: Options
    private let children: ChildRegistry
    private let progress: @Sendable (String) -> Void

    public init(scenario: Scenario, options: Options, progress: @escaping @Sendable (String) -> Void) {
        self.scenario = scenario
        self.options = options
        self.progress = progress
        children = ChildRegistry(environment: [ClientSettings.propertiesVariable: options.properties.joined(separator: "\n")])
    }

    /// Stops every process the run started and refuses to start any more; safe to call from a signal
    /// handler's queue while `run()` goes on, and more than once: it returns when everything is stopped.
    public func interrupt() {
        children.close()
        children.stopEverything(graceMs: 3_000)
    }

    /// Whether `interrupt()` was called; `run()` may then have ended early, with `RunInterrupted` or a
    /// failure of a stage whose processes were stopped under it.
    public var wasInterrupted: Bool { children.isClosed }

    /// Runs the scenario. Throws when the run could not be set up at all, and `RunInterrupted` when it would
    /// start a process after `interrupt()`.
    public func run() throws -> Outcome {
        let startedAt = Date()
        // A detector the run does not start reads a topic it was told about beforehand: the scenario's, on
        // brokers that are already running.
        let detectorRunsOnItsOwn = scenario.detector.kind == .external && scenario.detector.command == nil
        if detectorRunsOnItsOwn && options.brokers == nil {
            throw ScenarioError(
                source: scenario.name, line: nil, key: "detector.kind",
                reason: "an external detector without a command runs on its own: give the brokers it reads (--brokers)")
        }
        let folder = try ResultsFolder.create(root: options.resultsRoot, scenario: scenario.name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(scenario).write(to: URL(fileURLWithPath: folder.scenarioFile))
        progress("results: \(folder.path)")
        let spark =
            scenario.detector.kind == .spark
            ? try SparkJob.prepare(executable: options.executable, logPath: folder.path + "/spark-setup.log", children: children, progress: progress)
            : nil

        defer { children.stopEverything() }
        let brokers: String
        let topic: String
        if let given = options.brokers {
            brokers = given
            topic = detectorRunsOnItsOwn ? scenario.topic : "\(scenario.topic)-\(URL(fileURLWithPath: folder.path).lastPathComponent)"
        } else {
            let started = try children.startBroker()
            brokers = started.bootstrap
            topic = scenario.topic
            progress("embedded broker on \(brokers)")
        }
        let client = ClientSettings(brokers: brokers, properties: try ClientSettings.parseProperties(options.properties))
        try KafkaAdmin(client: client).createTopic(topic, partitions: scenario.partitions, ifMissing: options.brokers == nil || detectorRunsOnItsOwn)
        progress("topic \(topic) with \(scenario.partitions) partitions")

        let plan = RunPlan(scenario: scenario, folder: folder, brokers: brokers, topic: topic)
        var problems: [String] = []
        var detectors: [Int: ChildProcess] = [:]
        if scenario.detector.kind != .external || scenario.detector.command != nil {
            for index in 0..<scenario.detector.instances {
                detectors[index] = try startDetector(index, plan: plan, spark: spark)
            }
        }
        if scenario.detector.kind == .swift { waitUntilAssigned(detectors, problems: &problems) }
        let exposition = MetricsExposition()
        let server = try options.metricsPort.map { port in try MetricsServer(port: port) { exposition.text() } }
        defer { server?.stop() }
        if let server { progress("metrics on http://127.0.0.1:\(server.port)/metrics") }
        let children = children
        let watch = RunWatch.start(
            settings: watchSettings(plan: plan, client: client), folder: folder, exposition: exposition,
            processes: { children.running().filter { $0.name.hasPrefix("detector") } }, progress: progress)
        defer { watch?.stop() }
        var nextInstance = scenario.detector.instances
        var rampSteps: [RampStep]?
        var stream: StreamSpan?
        let summaryFolder: String
        if let ramp = scenario.generator.ramp {
            rampSteps = try runRamp(ramp, plan: plan, batchLogs: detectors.keys.sorted().map { folder.batchLogFile(instance: $0) }, problems: &problems)
            summaryFolder = plan.rampManifest(step: rampSteps?.count ?? 0)
        } else {
            let span = try runStream(plan: plan, client: client, detectors: &detectors, spark: spark, problems: &problems)
            nextInstance = span.nextInstance
            stream = span
            summaryFolder = folder.manifestFolder
        }
        let summary = GeneratorSummaryFile.read(folder: summaryFolder)
        if let stream, stream.brokersLost {
            return try endWithoutBrokers(plan: plan, detectors: detectors, summary: summary, problems: problems, startedAt: startedAt)
        }
        progress("generator finished; waiting for the detector to read the whole topic")

        let batchLogs = scenario.detector.kind == .external
            ? plan.externalBatchLog.map { [$0] } ?? [] : detectors.keys.sorted().map { folder.batchLogFile(instance: $0) }
        if let summary, !batchLogs.isEmpty {
            if !waitUntilDrained(ends: summary.partitionEndOffsets, batchLogs: batchLogs) {
                problems.append("the detector did not read the whole topic within \(options.drainTimeoutMs / 1_000) s")
            }
        }
        // Until here the detector had records to read: the stream, then the backlog it left.
        let readUntilMs = Self.epochMs(Date())
        // Time for a no-data batch to close what the last data batch moved.
        usleep(UInt32(scenario.detector.settleMs ?? min(scenario.detector.triggerMs * 3, 10_000)) * 1_000)
        // The Spark job finishes its running batch before it stops, and its batches can take a while.
        let graceMs = scenario.detector.kind == .spark ? 90_000 : 10_000
        for (index, detector) in detectors.sorted(by: { $0.key < $1.key }) {
            detector.stop(graceMs: graceMs)
            // A command the run starts for an external detector may well end by the SIGTERM it was sent.
            let stoppedAsAsked = plan.externalCommand != nil && detector.endedBySignal && detector.exitStatus == SIGTERM
            if detector.exitStatus != 0 && !stoppedAsAsked {
                problems.append("detector-\(index) exited with status \(detector.exitStatus ?? -1): \(detector.logTail(lines: 3))")
            }
        }

        watch?.stop()
        progress("validating")
        let validator = try children.start(
            name: "validate", executable: options.executable, arguments: plan.validateArguments(instances: nextInstance),
            logPath: "\(folder.path)/validate.log")
        validator.wait(timeoutMs: Int.max)
        var figures = RunFiguresReader.read(folder: folder)
        if let rampSteps {
            figures.sustainedRps = sustainedRate(of: rampSteps)
        }
        if let stream, scenario.detector.kind != .external || plan.externalBatchLog != nil {
            figures.longestStall = longestStall(in: stream, plan: plan, untilMs: readUntilMs)
            figures.longestStallMs = figures.longestStall?.lengthMs
        }
        let expectations = ExpectationCheck.check(
            scenario.expectations, against: figures, defaultStallMs: scenario.detector.rule.windowMs + scenario.detector.rule.watermarkDelayMs)
        var exitCode: Int32 = 0
        if validator.exitStatus.map({ $0 != 0 && $0 != 1 }) ?? true {
            exitCode = 2
            problems.append("the validator could not judge the run: \(validator.logTail(lines: 2))")
        } else if !problems.isEmpty || expectations.contains(where: { !$0.passed }) {
            exitCode = 1
        }
        let record = RunSummary(
            scenario: scenario.name, description: scenario.description,
            startedAt: Int64(startedAt.timeIntervalSince1970 * 1_000), elapsedMs: Int64(-startedAt.timeIntervalSinceNow * 1_000),
            exitCode: exitCode, problems: problems, expectations: expectations, figures: figures,
            acknowledged: summary?.acknowledged, ramp: rampSteps)
        try record.write(to: folder)
        // The validator wrote its reports before the run knew its own outcome: they are rendered again with it.
        if let document = try? ReportFiles.read(folder: folder.reportFolder) { try ReportFiles.renderings(document, to: folder.reportFolder) }
        try ResultsIndex.write(root: options.resultsRoot)
        return Outcome(folder: folder, exitCode: exitCode, problems: problems, summary: record)
    }

    /// What the live view watches: the generator's stats log for the input; the detectors' group (the Swift
    /// detector commits its offsets) with its members' batch logs, or the batch logs alone of detectors that
    /// commit nothing; and the alerts, of every instance the run may start, including those that join later.
    private func watchSettings(plan: RunPlan, client: ClientSettings) -> MonitorSession.Settings {
        var settings = MonitorSession.Settings(client: client, topic: plan.topic)
        settings.generatorStatsLog = plan.folder.generatorStatsFile
        let instances = scenario.detector.instances + scenario.faults.filter { $0.action == .addInstance }.count
        switch scenario.detector.kind {
        case .swift:
            settings.groups = [plan.group]
            settings.groupBatchLogs = [plan.group: (0..<instances).map { plan.folder.batchLogFile(instance: $0) }]
            settings.alerts = (0..<instances).map { .jsonLines(path: plan.folder.alertsFile(instance: $0)) }
        case .spark:
            settings.batchLogs = (0..<instances).map { plan.folder.batchLogFile(instance: $0) }
            settings.alerts = (0..<instances).map { .jsonLines(path: plan.folder.alertsFile(instance: $0)) }
        case .external:
            settings.batchLogs = plan.externalBatchLog.map { [$0] } ?? []
            settings.alerts = plan.externalAlerts.flatMap(AlertRecordSource.init(parsing:)).map { [$0] } ?? []
        }
        return settings
    }

    /// When the stream ran and which instances were meant to read it when.
    struct StreamSpan {
        var startMs: Int64
        /// Per instance, when it joined (the stream's start for those started before it) and left, epoch ms.
        var instances: [Int: (fromMs: Int64, untilMs: Int64?)]
        /// The next free instance number.
        var nextInstance: Int
        /// The brokers stopped answering and the stream was cut short.
        var brokersLost = false
    }

    /// How long the brokers may stay silent during the stream before the run gives up on them.
    static let brokerOutageLimitMs: Int64 = 10_000

    /// Ends a run whose brokers vanished: stops the detectors, validates nothing (the topic is gone with
    /// them), and records what the generator could still say: the records that failed delivery or were
    /// never acknowledged, and the rate that was really delivered. Exit 2: nothing could be judged.
    private func endWithoutBrokers(
        plan: RunPlan, detectors: [Int: ChildProcess], summary: GeneratorSummaryFile?, problems: [String], startedAt: Date
    ) throws -> Outcome {
        var problems = problems
        progress("the brokers are gone; stopping the detectors")
        for (index, detector) in detectors.sorted(by: { $0.key < $1.key }) {
            detector.stop(graceMs: 3_000)
            progress("stopped detector-\(index)")
        }
        var figures = RunFigures()
        if let summary {
            figures.achievedRateFraction = summary.deliveredRateFraction
            let lost = summary.deliveryFailures + summary.unacknowledged
            problems.append(
                "the generator sent \(summary.sent) records: \(summary.acknowledged) acknowledged, \(summary.deliveryFailures) failed delivery, "
                    + "\(summary.unacknowledged) never acknowledged (\(lost) not delivered)")
            problems += summary.problems.map { "generator: \($0)" }
        } else {
            problems.append("the generator wrote no summary: \(plan.folder.generatorLog) has what it said")
        }
        let record = RunSummary(
            scenario: scenario.name, description: scenario.description,
            startedAt: Int64(startedAt.timeIntervalSince1970 * 1_000), elapsedMs: Int64(-startedAt.timeIntervalSinceNow * 1_000),
            exitCode: 2, problems: problems, expectations: [], figures: figures, acknowledged: summary?.acknowledged, ramp: nil)
        try record.write(to: plan.folder)
        try ResultsIndex.write(root: options.resultsRoot)
        return Outcome(folder: plan.folder, exitCode: 2, problems: problems, summary: record)
    }

    /// The longest stall of the run's detector instances while they had records to read (from the stream's
    /// start to `untilMs`, when they had read it all or the drain gave up), from their batch logs.
    private func longestStall(in stream: StreamSpan, plan: RunPlan, untilMs: Int64) -> StallFinding? {
        let measured = stream.instances.sorted { $0.key < $1.key }.map { index, span in
            let path = scenario.detector.kind == .external ? plan.externalBatchLog ?? "" : plan.folder.batchLogFile(instance: index)
            return StallMeasure.Instance(
                name: "detector-\(index)", fromMs: span.fromMs, untilMs: span.untilMs ?? untilMs,
                batchEnds: BatchLogFile.entries(path: path).map(\.endedAt), countsFirstGap: scenario.detector.kind != .spark)
        }
        return StallMeasure.longest(measured, streamStartMs: stream.startMs)
    }

    /// The measured stream with its tail, and the faults on time.
    private func runStream(
        plan: RunPlan, client: ClientSettings, detectors: inout [Int: ChildProcess], spark: SparkJob?, problems: inout [String]
    ) throws -> StreamSpan {
        let folder = plan.folder
        let brokers = try BrokerWatch(client: client, outageLimitMs: Self.brokerOutageLimitMs)
        defer { brokers.stop() }
        let streamStart = Date()
        var span = StreamSpan(startMs: Self.epochMs(streamStart), instances: [:], nextInstance: 0)
        for index in detectors.keys { span.instances[index] = (span.startMs, nil) }
        let generator = try children.start(
            name: "generator", executable: options.executable, arguments: plan.generatorArguments, logPath: folder.generatorLog)
        let generatorPlan = scenario.generator
        let rate = generatorPlan.totalRps.map { "\($0) records/s in all" } ?? "\(generatorPlan.rps) records/s"
        progress("generator started: \(generatorPlan.processes) processes, \(rate) for \(DurationText.render(milliseconds: scenario.durationMs))")

        var pendingFaults = scenario.faults[...]
        var restarts: [(at: Date, index: Int)] = []
        var nextInstance = scenario.detector.instances
        while generator.isRunning || !restarts.isEmpty {
            let elapsedMs = Int64(Date().timeIntervalSince(streamStart) * 1_000)
            if let outage = brokers.outage {
                let silentFor = DurationText.render(milliseconds: Self.epochMs(Date()) - outage.lastAnswerMs)
                let since = DurationText.render(milliseconds: max(0, outage.lastAnswerMs - span.startMs))
                problems.append(
                    "the brokers \(client.brokers) stopped answering \(since) into the stream and have been silent for \(silentFor): "
                        + "\(outage.error); the run was stopped")
                progress("the brokers stopped answering; stopping the generator (it reports what was not delivered)")
                span.brokersLost = true
                // SIGTERM: the generator flushes for up to 10 s, then writes its summary with what was not delivered.
                generator.stop(graceMs: 20_000)
                break
            }
            while let fault = pendingFaults.first, fault.atMs <= elapsedMs {
                pendingFaults = pendingFaults.dropFirst()
                switch fault.action {
                case .killDetector:
                    detectors[fault.instance]?.send(SIGKILL)
                    detectors[fault.instance]?.wait(timeoutMs: 5_000)
                    progress("fault at \(DurationText.render(milliseconds: elapsedMs)): killed detector-\(fault.instance) (SIGKILL)")
                    restarts.append((Date().addingTimeInterval(Double(fault.restartAfterMs) / 1_000), fault.instance))
                case .addInstance:
                    detectors[nextInstance] = try startDetector(nextInstance, plan: plan, spark: spark)
                    span.instances[nextInstance] = (Self.epochMs(Date()), nil)
                    progress("fault at \(DurationText.render(milliseconds: elapsedMs)): added detector-\(nextInstance)")
                    nextInstance += 1
                case .removeInstance:
                    detectors[fault.instance]?.stop()
                    detectors[fault.instance] = nil
                    span.instances[fault.instance]?.untilMs = Self.epochMs(Date())
                    progress("fault at \(DurationText.render(milliseconds: elapsedMs)): removed detector-\(fault.instance)")
                }
            }
            for (position, restart) in restarts.enumerated().reversed() where restart.at <= Date() {
                detectors[restart.index] = try startDetector(restart.index, plan: plan, spark: spark)
                progress("restarted detector-\(restart.index) from its checkpoint")
                restarts.remove(at: position)
            }
            usleep(50_000)
        }
        if generator.exitStatus != 0 && !span.brokersLost {
            problems.append("the generator failed (exit \(generator.exitStatus ?? -1)): \(Self.generatorProblem(folder: folder.manifestFolder, generator: generator))")
        }
        span.nextInstance = nextInstance
        return span
    }

    private static func epochMs(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1_000) }

    /// What went wrong with a generator, in its own words: the problems of its summary, or the last lines of
    /// its log when it wrote none (its table ends the log, so the lines before it are the ones to quote).
    static func generatorProblem(folder: String, generator: ChildProcess) -> String {
        if let summary = GeneratorSummaryFile.read(folder: folder), !summary.problems.isEmpty {
            return summary.problems.joined(separator: "; ")
        }
        return generator.logTail(lines: 3)
    }

    /// Raises the rate step by step until the detector cannot read a step's records within its grace, then
    /// sends the tail; returns the steps run.
    private func runRamp(_ ramp: Ramp, plan: RunPlan, batchLogs: [String], problems: inout [String]) throws -> [RampStep] {
        var steps: [RampStep] = []
        let graceMs = Int(max(3_000, scenario.detector.triggerMs * 3))
        for (index, rate) in ramp.rates.enumerated() {
            let generator = try children.start(
                name: "generator", executable: options.executable,
                arguments: plan.rampStepArguments(index: index, totalRps: rate, stepMs: ramp.stepMs), logPath: plan.folder.generatorLog)
            progress("ramp step \(index + 1): \(rate) records/s for \(DurationText.render(milliseconds: ramp.stepMs))")
            generator.wait(timeoutMs: Int.max)
            let summary = GeneratorSummaryFile.read(folder: plan.rampManifest(step: index))
            guard generator.exitStatus == 0, let summary else {
                problems.append("ramp step \(index + 1): the generator failed (exit \(generator.exitStatus ?? -1)): \(generator.logTail(lines: 3))")
                break
            }
            let started = Date()
            let keptUp = waitUntilDrained(ends: summary.partitionEndOffsets, batchLogs: batchLogs, timeoutMs: graceMs)
            let achieved = summary.achievedRps ?? Double(rate)
            let reached = achieved >= 0.9 * Double(rate)
            steps.append(
                RampStep(
                    targetRps: rate, achievedRps: achieved, keptUp: keptUp, generatorReachedTarget: reached,
                    catchUpMs: keptUp ? Int64(-started.timeIntervalSinceNow * 1_000) : nil))
            progress("ramp step \(index + 1): sent \(Int(achieved)) records/s; the detector \(keptUp ? "kept up" : "fell behind")")
            if !keptUp {
                guard index == 0 else { break }
                // The first step is the warm-up: the detector gets until the drain timeout to catch up.
                progress("ramp step 1 is the warm-up; waiting for the detector to catch up before the next step")
                guard waitUntilDrained(ends: summary.partitionEndOffsets, batchLogs: batchLogs) else {
                    problems.append("ramp step 1: the detector did not catch up within the drain timeout")
                    break
                }
            }
            if !reached {
                progress("ramp stops: the generator sent less than 90% of \(rate) records/s, so it or the broker is the limit here")
                break
            }
        }
        let tail = try children.start(
            name: "generator", executable: options.executable, arguments: plan.rampTailArguments(after: steps.count),
            logPath: plan.folder.generatorLog)
        progress("ramp done; sending the tail")
        tail.wait(timeoutMs: Int.max)
        if tail.exitStatus != 0 {
            problems.append("the generator's tail failed (exit \(tail.exitStatus ?? -1)): \(tail.logTail(lines: 3))")
        }
        return steps
    }

    private func startDetector(_ index: Int, plan: RunPlan, spark: SparkJob?) throws -> ChildProcess {
        var executable = spark?.python ?? options.executable
        var arguments = spark.map { plan.sparkArguments(instance: index, root: $0.root) } ?? plan.detectorArguments(instance: index)
        if let command = plan.externalCommand {
            executable = "/bin/sh"
            arguments = ["-c", command]
        }
        return try children.start(
            name: "detector-\(index)", executable: executable, arguments: arguments, logPath: plan.folder.detectorLog(instance: index),
            askWholeGroup: plan.externalCommand != nil)
    }

    /// Waits until every Swift detector instance has joined its group and been given partitions, so that the
    /// stream (and a fault timed against it) does not begin while the group is still forming: a kill in the
    /// middle of a first join leaves a group that takes long to settle. At most 60 s; an instance that is
    /// not reading by then is a problem of the run.
    private func waitUntilAssigned(_ detectors: [Int: ChildProcess], problems: inout [String]) {
        let deadline = Date().addingTimeInterval(60)
        for (index, detector) in detectors.sorted(by: { $0.key < $1.key }) {
            while detector.isRunning, Date() < deadline {
                let log = (try? String(contentsOfFile: detector.logPath, encoding: .utf8)) ?? ""
                if log.contains("assigned partitions") { break }
                usleep(100_000)
            }
            let log = (try? String(contentsOfFile: detector.logPath, encoding: .utf8)) ?? ""
            if !log.contains("assigned partitions") {
                problems.append("detector-\(index) was given no partitions within 60 s of its start: \(detector.logTail(lines: 2))")
            }
        }
        progress("the detectors are reading; starting the stream")
    }

    /// Waits until the detectors' batch logs together reach every partition's end, at most `timeoutMs`
    /// (default: the drain timeout).
    private func waitUntilDrained(ends: [Int32: Int64], batchLogs: [String], timeoutMs: Int? = nil) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeoutMs ?? options.drainTimeoutMs) / 1_000)
        while Date() < deadline {
            var reached: [Int32: Int64] = [:]
            for path in batchLogs {
                for entry in BatchLogFile.entries(path: path) {
                    for (partition, offset) in entry.endOffsets { reached[partition] = max(reached[partition] ?? 0, offset) }
                }
            }
            if ends.allSatisfy({ reached[$0.key, default: 0] >= $0.value }) { return true }
            usleep(200_000)
        }
        return false
    }
}
