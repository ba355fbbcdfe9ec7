import Foundation

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
