/// Why a scenario file could not be used: names the file, the line, and the key, in one line.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The scenario file, or `--set` for an override.
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

    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        if let key { text += ": \(key)" }
        return text + ": " + reason
    }
}
