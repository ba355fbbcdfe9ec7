/// Where each value of a scenario came from: the line of the scenario file that gave it, or the `--set`
/// that overrode it. The loader notes the lines while it reads, so that a problem found once the values are
/// decoded (an impossible combination, a value the generator refuses) is still reported against the file,
/// line and key, or against the `--set` that caused it.
final class ScenarioOrigins {
    /// The scenario file, as errors name it.
    let file: String
    /// Each `--set` as given (`generator.rps=2000`), by its dotted key.
    private let overrides: [String: String]
    /// The line of each key the file gives, by dotted key (`generator.rps`, `faults[0].at`).
    private var lines: [String: Int] = [:]

    init(file: String, overrides: [String: String]) {
        self.file = file
        self.overrides = overrides
    }

    /// Notes that the file gives `key` on `line`.
    func record(_ key: String, line: Int?) {
        if let line { lines[key] = line }
    }

    /// Whether the file or a `--set` gives `key` (rather than its default standing).
    func gives(_ key: String) -> Bool {
        lines[key] != nil || overrides[key] != nil
    }

    /// An error about `key` at `line` (where the faulty node is), unless a `--set` gave the value.
    func error(_ key: String, line: Int?, _ reason: String) -> ScenarioError {
        if let override = overrides[key] { return ScenarioError(override: override, key: key, reason: reason) }
        guard let line else { return error(key, reason) }
        return ScenarioError(source: file, line: line, key: key, reason: reason)
    }

    /// An error about `key`, reported where it was given, else where the first of `near` was (a combination
    /// names the key at fault even when only its partner was written), else at a `--set` beneath it, else
    /// where the section holding it was.
    func error(_ key: String, near: [String] = [], _ reason: String) -> ScenarioError {
        for candidate in [key] + near {
            if let override = overrides[candidate] { return ScenarioError(override: override, key: key, reason: reason) }
            if let line = lines[candidate] { return ScenarioError(source: file, line: line, key: key, reason: reason) }
        }
        if let beneath = overrides.keys.sorted().first(where: { $0.hasPrefix(key + ".") }), let override = overrides[beneath] {
            return ScenarioError(override: override, key: key, reason: reason)
        }
        var section = Substring(key)
        while let end = section.lastIndex(where: { $0 == "." || $0 == "[" }) {
            section = section[..<end]
            if let line = lines[String(section)] { return ScenarioError(source: file, line: line, key: key, reason: reason) }
        }
        return ScenarioError(source: file, line: nil, key: key, reason: reason)
    }
}
