import Foundation

/// What a scenario run concluded beside the validator's verdict (`run.json` in its results folder): its
/// outcome, its problems, and its expectations checked (no on-time event dropped, no stall, ...). The report
/// shows them first, since a run can fail where the validation passed. Read leniently by key, so that the
/// report does not depend on the harness that writes the file.
public struct RunChecks: Sendable, Equatable {
    /// One expectation, checked.
    public struct Check: Sendable, Equatable {
        public var name: String
        public var expected: String
        public var actual: String
        public var passed: Bool
    }

    /// `pass`, `FAIL` or `could not judge`.
    public var outcome: String
    public var problems: [String]
    public var checks: [Check]

    /// The name of the file in a results folder.
    public static let fileName = "run.json"

    /// Reads `folder/run.json`; nil when there is none (a validation run on its own) or it does not parse.
    public static func read(folder: String) -> RunChecks? {
        guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: folder).appendingPathComponent(fileName).path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
            let exitCode = (object["exit_code"] as? NSNumber)?.intValue
        else { return nil }
        let checks = (object["expectations"] as? [[String: Any]] ?? []).compactMap { entry -> Check? in
            guard let name = entry["name"] as? String, let expected = entry["expected"] as? String, let actual = entry["actual"] as? String,
                let passed = entry["passed"] as? Bool
            else { return nil }
            return Check(name: name, expected: expected, actual: actual, passed: passed)
        }
        let outcome = exitCode == 0 ? "pass" : exitCode == 1 ? "FAIL" : "could not judge"
        return RunChecks(outcome: outcome, problems: object["problems"] as? [String] ?? [], checks: checks)
    }
}
