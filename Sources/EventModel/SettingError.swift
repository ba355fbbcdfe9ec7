/// Why a generator setting was refused: which setting, the text or value given, and what is wrong with it.
public struct SettingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The setting as a user names it, e.g. `--user-distribution`.
    public let setting: String
    /// The input as given.
    public let input: String
    /// What is wrong with it, as a sentence fragment.
    public let reason: String

    public init(setting: String, input: String, reason: String) {
        self.setting = setting
        self.input = input
        self.reason = reason
    }

    public var description: String { "invalid \(setting) '\(input)': \(reason)" }
}

/// Parses a weight or fraction: a finite, non-negative decimal number.
func parseNonNegative(_ text: Substring, setting: String, input: String) throws(SettingError) -> Double {
    let trimmed = text.trimmingCharacters(in: " ")
    guard let value = Double(trimmed), value.isFinite else {
        throw SettingError(setting: setting, input: input, reason: "'\(trimmed)' is not a number")
    }
    guard value >= 0 else {
        throw SettingError(setting: setting, input: input, reason: "'\(trimmed)' is negative")
    }
    return value
}

/// Splits `name=value,name=value` into pairs, refusing empty parts and parts without `=`.
func parseAssignments(_ text: String, setting: String) throws(SettingError) -> [(name: Substring, value: Substring)] {
    var pairs: [(name: Substring, value: Substring)] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw SettingError(setting: setting, input: text, reason: "'\(part)' is not of the form name=weight")
        }
        pairs.append((pieces[0].trimmingCharacters(in: " "), pieces[1]))
    }
    return pairs
}

extension Substring {
    /// The slice without leading and trailing occurrences of `character`.
    func trimmingCharacters(in character: Character) -> Substring {
        var slice = self
        while slice.first == character { slice.removeFirst() }
        while slice.last == character { slice.removeLast() }
        return slice
    }
}
