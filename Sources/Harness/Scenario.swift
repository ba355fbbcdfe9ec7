import Contracts

/// One end-to-end run, as a `scenarios/*.yaml` file describes it: the stream, the detector under test, the
/// faults to inject, and what must hold at the end. Every field has a default, so a scenario states only what
/// makes it special. The resolved scenario (defaults filled in, `--set` applied) is written to each results folder.
public struct Scenario: Sendable, Codable, Equatable {
    /// Short name, used in results folder names. Default: the file's name.
    public var name: String
    /// One or two sentences on what the scenario exercises.
    public var description: String = ""
    /// How long the measured stream runs, ms; a ramp's steps set it instead. Default: 20 s.
    public var durationMs: Int64 = 20_000
    /// Topic to produce to; a fresh suffix is added when the brokers are not our own. Default: `logs`.
    public var topic: String = "logs"
    /// Partitions of the topic. Default: 4.
    public var partitions: Int = 4
    /// The load.
    public var generator = GeneratorPlan()
    /// The detector under test.
    public var detector = DetectorPlan()
    /// Faults injected during the run, in time order.
    public var faults: [Fault] = []
    /// What must hold for the run to pass.
    public var expectations = Expectations()

    public init(name: String) {
        self.name = name
    }
}

/// The generator part of a scenario; each field is the `windtunnel generate` option of the same name.
public struct GeneratorPlan: Sendable, Codable, Equatable {
    /// Worker processes. Default: 2.
    public var processes: Int = 2
    /// Records per second per process. Default: 5 000.
    public var rps: Int = 5_000
    /// Records per second of all processes together, split evenly between them, instead of `rps`
    /// (`--total-rps`). Default: none.
    public var totalRps: Int?
    /// Number of users, `user_1000` onwards. Default: 1 000.
    public var users: Int = 1_000
    /// `uniform` or `zipf:S`. Default: uniform.
    public var userDistribution: String = "uniform"
    /// `Low=1,Medium=1,High=1,Critical=1` style weights. Default: equal.
    public var severityWeights: String = "Low=1,Medium=1,High=1,Critical=1"
    /// The injected term. Default: `crash`.
    public var crashTerm: String = "crash"
    /// Term-bearing records per second per process. Default: 100.
    public var crashRate: Int = 100
    /// Fraction of records carrying a near miss of the term (`crush`, `trash`) that must not match.
    /// Default (nil): 0.01, or what the crash rate and the malformed fraction leave room for when that is less.
    public var decoyFraction: Double?
    /// Fraction of records sent late. Default: 0.
    public var lateFraction: Double = 0
    /// `within`, `boundary`, `beyond` or `MIN..MAX`. Default: within.
    public var lateClass: String = "within"
    /// Fraction of malformed records. Default: 0.
    public var malformedFraction: Double = 0
    /// The random seed. Default: 42.
    public var seed: UInt64 = 42
    /// Record batch compression. Default: none.
    public var compression: String = "none"
    /// How many times faster than real time the watermark-advancing tail is sent. It carries no measured
    /// data, only event time, so sending it faster changes no verdict and saves most of a run's time.
    /// Default: 5.
    public var tailSpeedup: Int = 5
    /// When set, the run raises the rate step by step instead of holding `rps` for the scenario's duration,
    /// until the detector stops keeping up (see `Ramp`); a scenario with a ramp gives no `duration`, `rps` or
    /// `total_rps`. Default: none.
    public var ramp: Ramp?
    /// Extra `generate` options, passed as they are (for options a scenario rarely needs).
    public var extraArguments: [String] = []

    public init() {}

    /// Records per second of each process when the processes share `total` records per second.
    func processRate(ofTotal total: Int) -> Int { max(1, total / processes) }

    /// Records per second of the slowest process: `rps`, the smallest share of `totalRps`, or the share of a
    /// ramp's first step.
    var processRate: Int {
        if let ramp { return processRate(ofTotal: ramp.startRps) }
        return totalRps.map(processRate(ofTotal:)) ?? rps
    }
}

/// A rate that rises step by step, to find the highest one a detector sustains. Each step runs the
/// generator at `startRps + k * stepRps` records per second in all (split over the processes) for
/// `stepMs`; after each step the detector has a grace of three triggers (at least 3 s) to read everything
/// the step produced. The first step doubles as the detector's warm-up (a JVM detector compiles its first
/// batch for seconds): falling behind in it is reported but does not end the ramp. After that, the first
/// step the detector cannot finish in time ends the ramp, and the fastest step it kept up with is the
/// highest sustained rate.
public struct Ramp: Sendable, Codable, Equatable {
    /// Records per second of the first step, in all.
    public var startRps: Int
    /// How much each step adds, records per second.
    public var stepRps: Int
    /// How long each step lasts, ms.
    public var stepMs: Int64
    /// The ramp stops after the step that reaches this rate.
    public var maxRps: Int

    public init(startRps: Int, stepRps: Int, stepMs: Int64, maxRps: Int) {
        self.startRps = startRps
        self.stepRps = stepRps
        self.stepMs = stepMs
        self.maxRps = maxRps
    }

    /// The total rate of every step, in order.
    public var rates: [Int] { Array(stride(from: startRps, through: maxRps, by: stepRps)) }
}

/// Which detector a scenario tests, and with which rule.
public struct DetectorPlan: Sendable, Codable, Equatable {
    /// Who runs the detector.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// windtunnel's own `detect`.
        case swift
        /// The course's Spark Structured Streaming job (`detectors/spark`).
        case spark
        /// Somebody else's, already running; the run only reads its alerts.
        case external
    }

    /// Default: swift.
    public var kind: Kind = .swift
    /// The rule (window, watermark, threshold, match, severities, mode). Default: the course's.
    public var rule = RuleSettings()
    /// Micro-batch interval, ms. Default: 1 s.
    public var triggerMs: Int64 = 1_000
    /// Detector instances in one consumer group at the start. Default: 1.
    public var instances: Int = 1
    /// For `external`: where its alerts are (`jsonl:PATH`, `kafka:TOPIC`, `csv:PATH`, `spark-console:PATH`).
    public var alerts: String?
    /// For `external`: its batch log, if it writes one. The run then waits until the log has read the whole
    /// topic before it validates, and judges in exact mode.
    public var batchLog: String?
    /// For `external`: a shell command that starts the detector, run with `/bin/sh -c` and stopped with
    /// SIGTERM after the stream (and the wait for its batch log). `{brokers}`, `{topic}` and `{results}` in
    /// it are replaced by the run's brokers, topic and results folder. Without it, the detector runs on
    /// its own and the run only reads its output.
    public var command: String?
    /// How long to wait after the stream (and the drain) before stopping the detector and validating, ms.
    /// Default: 3 triggers, at most 10 s.
    public var settleMs: Int64?

    public init() {}
}

/// A fault injected at a time after the stream starts.
public struct Fault: Sendable, Codable, Equatable {
    /// What happens.
    public enum Action: String, Sendable, Codable, CaseIterable {
        /// SIGKILL a detector instance, then restart it with the same checkpoint after `restartAfterMs`.
        case killDetector = "kill-detector"
        /// Start one more detector instance in the group.
        case addInstance = "add-instance"
        /// Stop a detector instance gracefully; the group moves its partitions.
        case removeInstance = "remove-instance"
    }

    /// When, ms after the stream starts.
    public var atMs: Int64
    /// What.
    public var action: Action
    /// Which instance (for kill and remove). Default: 0.
    public var instance: Int = 0
    /// For kill: the pause before the restart, ms. Default: 2 s.
    public var restartAfterMs: Int64 = 2_000

    public init(atMs: Int64, action: Action) {
        self.atMs = atMs
        self.action = action
    }
}

/// What must hold at the end of a run, besides the validator's verdict.
public struct Expectations: Sendable, Codable, Equatable {
    /// The verdict the validator must give. Default: pass.
    public var verdict: String = "pass"
    /// The least number of judged alerts: a run that judged nothing cannot pass. Default: 50.
    public var minJudgedAlerts: Int = 50
    /// Upper bound on alert latency p99 (emission minus window end), ms, when set.
    public var latencyP99MaxMs: Int64?
    /// Upper bound on the generator's schedule-lag p99, ms, when set.
    public var scheduleLagP99MaxMs: Int64?
    /// Lower bound on the achieved rate as a fraction of the target, when set.
    public var minAchievedRateFraction: Double?
    /// Upper bound on the detectors' memory growth from minute 2 to minute 9 of the run, as a fraction, when
    /// set (a soak's check that closed windows are evicted).
    public var maxMemoryGrowthFraction: Double?
    /// Lower bound on late records the detector dropped, when set.
    public var minLateDropped: Int?
    /// Upper bound on late records the detector dropped, when set.
    public var maxLateDropped: Int?
    /// Upper bound on events the generator sent on time that a correct detector with the logged batches
    /// drops as late (in interval mode, those certainly dropped). A detector that reads its partitions
    /// together drops none; one whose watermark ran ahead on some of them (after a restart or a rebalance)
    /// does, even where its own batch log makes the drop legal. Default: 0.
    public var maxOnTimeDropped: Int = 0
    /// Upper bound on the longest time a detector instance completed no batch while it had records to read
    /// (from the stream's start until it had read the whole topic), ms; a Spark job's wait for its first
    /// batch (its JVM's warm-up) does not count. A run without a batch log has no such figure, and then the
    /// default is not checked. Default: the window plus the watermark delay.
    public var maxStallMs: Int64?

    public init() {}
}
