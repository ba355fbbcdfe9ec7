import ArgumentParser
import Contracts
import Foundation
import Validator

/// The detector rule as `validate` takes it: the same options and defaults as `detect` and the scenarios.
/// Values are read as text and checked in `rule()`, so that a bad one is an input error with exit code 2
/// ("could not judge") rather than a usage error.
struct ValidationRuleOptions: ParsableArguments {
    @Option(help: "Tumbling window length (e.g. 10s).")
    var window = "10s"

    @Option(help: "Watermark delay behind the largest event time (e.g. 30s).")
    var watermark = "30s"

    @Option(help: "A (window, user) alerts when its count is greater than this.")
    var threshold = "2"

    @Option(help: "The crash term an event's content must contain.")
    var term = "crash"

    @Option(help: "How the term is compared: case-insensitive or case-sensitive.")
    var match = TermMatching.caseInsensitive.rawValue

    @Option(help: "Severities that count, comma-separated (Low, Medium, High, Critical).")
    var severities = "High,Critical"

    @Option(help: "Output mode of the detector: update (last emission is final) or append (one emission per alert).")
    var mode = OutputMode.update.rawValue

    /// The rule, or an error naming the option and what is wrong.
    func rule() throws(ValidatorError) -> RuleSettings {
        var rule = RuleSettings()
        rule.windowMs = try Self.duration(window, "--window")
        guard rule.windowMs > 0 else { throw ValidatorError("--window must be longer than 0 (got '\(window)')") }
        rule.watermarkDelayMs = try Self.duration(watermark, "--watermark")
        guard let threshold = Int(threshold), threshold >= 0 else {
            throw ValidatorError("--threshold '\(threshold)' must be a whole number, 0 or more")
        }
        rule.threshold = threshold
        guard !term.isEmpty else { throw ValidatorError("--term must not be empty") }
        rule.term = term
        guard let matching = TermMatching(rawValue: match) else {
            throw ValidatorError("--match '\(match)' must be one of \(TermMatching.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        rule.matching = matching
        var chosen: Set<Severity> = []
        for name in severities.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let severity = Severity.allCases.first(where: { $0.rawValue.lowercased() == trimmed.lowercased() }) else {
                throw ValidatorError("--severities '\(severities)': '\(trimmed)' is not one of Low, Medium, High, Critical")
            }
            chosen.insert(severity)
        }
        rule.severities = chosen
        guard let mode = OutputMode(rawValue: mode) else {
            throw ValidatorError("--mode '\(mode)' must be one of \(OutputMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        rule.mode = mode
        return rule
    }

    /// A duration option in milliseconds.
    static func duration(_ text: String, _ option: String) throws(ValidatorError) -> Int64 {
        do {
            return try DurationText.milliseconds(text)
        } catch {
            throw ValidatorError("\(option): \(error.description)")
        }
    }
}
