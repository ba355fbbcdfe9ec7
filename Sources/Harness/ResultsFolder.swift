import Foundation

/// The layout of one run's results folder, `results/<scenario>-<UTC time>/` (DESIGN.md).
public struct ResultsFolder: Sendable {
    /// The folder itself.
    public let path: String

    /// Creates `<root>/<scenario>-<yyyyMMdd-HHmmss>Z/` (with a counter when that exists already).
    public static func create(root: String, scenario: String, at date: Date = Date()) throws -> ResultsFolder {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let base = "\(root)/\(scenario)-\(formatter.string(from: date))Z"
        var path = base
        var counter = 1
        while FileManager.default.fileExists(atPath: path) {
            counter += 1
            path = "\(base)-\(counter)"
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return ResultsFolder(path: path)
    }

    public init(path: String) {
        self.path = path
    }

    /// The resolved scenario.
    public var scenarioFile: String { "\(path)/scenario.json" }
    /// The generator's manifests and summary.
    public var manifestFolder: String { "\(path)/manifest" }
    /// The generator's log.
    public var generatorLog: String { "\(path)/generator.log" }
    /// The generator's figures, one JSON line per second (`generate --stats-log`): the live view's input.
    public var generatorStatsFile: String { "\(path)/generator-stats.jsonl" }
    /// Detector checkpoints.
    public var checkpointFolder: String { "\(path)/checkpoints" }
    /// What the run itself concluded (timings, expectation checks, exit code).
    public var runSummaryFile: String { "\(path)/run.json" }
    /// The live view's figures, one JSON line per second.
    public var monitorFile: String { "\(path)/monitor.jsonl" }
    /// The validator's reports go straight into the folder.
    public var reportFolder: String { path }

    /// Detector instance `index`'s alerts.
    public func alertsFile(instance index: Int) -> String { "\(path)/alerts-\(index).jsonl" }
    /// Detector instance `index`'s batch log.
    public func batchLogFile(instance index: Int) -> String { "\(path)/batch-log-\(index).jsonl" }
    /// Detector instance `index`'s log.
    public func detectorLog(instance index: Int) -> String { "\(path)/detector-\(index).log" }
}
