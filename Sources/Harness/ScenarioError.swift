/// Why a scenario file could not be used: names the file, the line, and the key, in one line. A value that a
/// `--set` gave is blamed on that `--set` instead: `--set generator.rps=abc: expected a whole number, ...`.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The scenario file, or `--set key=value` for a value an override gave.
    public let source: String
    /// The line in `source`, when known.
    public let line: Int?
    /// The dotted key, such as `generator.rps`, when the problem belongs to one.
    public let key: String?
    /// What is wrong.
    public let reason: String

    public init(source: String, line: Int?, key: String?, reason: String) {
        self.source = source
        self.line = line
        self.key = key
        self.reason = reason
    }

    /// A problem with the override `text` (`key=value`, as given to `--set`).
    public init(override text: String, key: String?, reason: String) {
        self.init(source: "--set \(text)", line: nil, key: key, reason: reason)
    }

    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        // An override names its own key.
        if let key, !source.hasPrefix("--set \(key)=") { text += ": \(key)" }
        return text + ": " + reason
    }
}
