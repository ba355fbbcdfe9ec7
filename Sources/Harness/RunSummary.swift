import Foundation

/// The highest rate a ramp's detector kept up with, records per second (0 when it kept up with none).
public func sustainedRate(of steps: [RampStep]) -> Double {
    steps.filter(\.keptUp).map(\.achievedRps).max() ?? 0
}

/// One step of a ramp.
public struct RampStep: Sendable, Codable, Equatable {
    /// Records per second asked of the generator, in all.
    public var targetRps: Int
    /// Records per second it sent.
    public var achievedRps: Double
    /// Whether the detector read everything the step produced within its grace.
    public var keptUp: Bool
    /// Whether the generator sent at least 90% of the target: below that, the generator or the broker is
    /// the limit, not the detector, and the ramp stops.
    public var generatorReachedTarget: Bool
    /// How long after the step the detector had read it all, ms.
    public var catchUpMs: Int64?
}

/// What a run concluded, written to `run.json` in its results folder and read back by the results index.
public struct RunSummary: Sendable, Codable, Equatable {
    public var scenario: String
    public var description: String
    /// When the run started, ms since the epoch.
    public var startedAt: Int64
    /// How long the whole run took, ms.
    public var elapsedMs: Int64
    /// 0 pass, 1 fail, 2 could not judge.
    public var exitCode: Int32
    /// Findings of the run itself: a child that failed, a drain that timed out.
    public var problems: [String]
    /// The scenario's expectations, checked.
    public var expectations: [ExpectationResult]
    /// The figures the expectations were checked against.
    public var figures: RunFigures
    /// Records the broker acknowledged to the generator.
    public var acknowledged: Int?
    /// A ramp's steps, when the scenario has one.
    public var ramp: [RampStep]? = nil

    /// `pass`, `FAIL` or `could not judge`.
    public var outcome: String { RunSummary.outcome(exitCode: exitCode) }

    /// The words for an exit code.
    public static func outcome(exitCode: Int32) -> String {
        switch exitCode {
        case 0: "pass"
        case 1: "FAIL"
        default: "could not judge"
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    /// Writes it as `run.json` into `folder`.
    func write(to folder: ResultsFolder) throws {
        try RunSummary.encoder.encode(self).write(to: URL(fileURLWithPath: folder.runSummaryFile))
    }

    /// Reads `run.json` from a results folder; nil when it is missing or unreadable.
    public static func read(folder: String) -> RunSummary? {
        guard let data = FileManager.default.contents(atPath: ResultsFolder(path: folder).runSummaryFile) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(RunSummary.self, from: data)
    }
}
