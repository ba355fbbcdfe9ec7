/// How events are spread over users: `uniform`, or `zipf:S` where user k (from 1) is drawn with weight 1/k^S,
/// so a few users send most events, as real traffic does.
public enum UserDistribution: TextualSetting {
    /// Every user equally often.
    case uniform
    /// Zipf's law with the given exponent (greater than 0; 1 is the classic law, larger is more skewed).
    case zipf(exponent: Double)

    static let setting = "--user-distribution"

    /// Reads `uniform` or `zipf:S`.
    public init(parsing text: String) throws(SettingError) {
        let trimmed = Substring(text).trimmingCharacters(in: " ")
        if trimmed == "uniform" {
            self = .uniform
            return
        }
        guard trimmed.hasPrefix("zipf:") else {
            throw SettingError(setting: Self.setting, input: text, reason: "expected 'uniform' or 'zipf:S' with an exponent S, e.g. zipf:1.1")
        }
        let exponent = try parseNonNegative(trimmed.dropFirst("zipf:".count), setting: Self.setting, input: text)
        guard exponent > 0 else {
            throw SettingError(setting: Self.setting, input: text, reason: "the exponent must be greater than 0")
        }
        self = .zipf(exponent: exponent)
    }

    /// The text form that `init(parsing:)` reads back.
    public var description: String {
        switch self {
        case .uniform: "uniform"
        case .zipf(let exponent): "zipf:\(exponent)"
        }
    }
}
