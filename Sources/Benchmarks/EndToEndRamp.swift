import Contracts
import Foundation
import Harness

/// Generator, broker and detector together on one machine, as `windtunnel run` runs them: a ramp raises the
/// input rate step by step until the detector cannot read a step's records within three triggers of the
/// step's end (or the generator falls below 90% of the rate asked), and the whole run is validated.
public struct EndToEndRamp {
    public let executable: String
    /// Where the run's results folder is made.
    public let resultsRoot: String
    public let detector: DetectorPlan.Kind
    public let ramp: Ramp
    /// How long the detector gets to start before the first step (the Spark job needs tens of seconds).
    public var settleMs: Int64?

    public init(executable: String, resultsRoot: String, detector: DetectorPlan.Kind, ramp: Ramp) {
        self.executable = executable
        self.resultsRoot = resultsRoot
        self.detector = detector
        self.ramp = ramp
    }

    /// What the run measured.
    public struct Measured {
        /// The highest rate the detector kept up with, records/s sent (0 when none).
        public var sustainedRps: Double
        /// The steps run.
        public var steps: [RampStep]
        /// Alert latency p99 over the whole run (emission minus window end), ms.
        public var latencyP99Ms: Int64?
        /// The run's verdict: its alerts judged against ground truth.
        public var outcome: String
        public var folder: String
    }

    /// Runs the ramp; `started` receives the run before it begins, so that it can be interrupted.
    public func run(started: (ScenarioRun) -> Void, progress: @escaping @Sendable (String) -> Void) throws -> Measured {
        var scenario = Scenario(name: "bench-end-to-end-\(detector.rawValue)")
        scenario.description = "windtunnel bench: the highest rate generator, broker and the \(detector.rawValue) detector sustain together."
        scenario.partitions = 4
        scenario.generator.processes = 2
        scenario.generator.crashRate = 100
        scenario.generator.ramp = ramp
        scenario.detector.kind = detector
        scenario.detector.settleMs = settleMs
        scenario.expectations.minJudgedAlerts = 1
        let run = ScenarioRun(scenario: scenario, options: ScenarioRun.Options(executable: executable).with(resultsRoot: resultsRoot), progress: progress)
        started(run)
        let outcome = try run.run()
        return Measured(
            sustainedRps: outcome.summary.figures.sustainedRps ?? 0, steps: outcome.summary.ramp ?? [],
            latencyP99Ms: outcome.summary.figures.latencyP99Ms, outcome: outcome.summary.outcome, folder: outcome.folder.path)
    }
}

extension ScenarioRun.Options {
    fileprivate func with(resultsRoot: String) -> ScenarioRun.Options {
        var options = self
        options.resultsRoot = resultsRoot
        return options
    }
}
