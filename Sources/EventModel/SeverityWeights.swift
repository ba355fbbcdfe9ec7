import Contracts

/// How often each severity is drawn, relative to the others: `Low=1,Medium=1,High=1,Critical=1`.
/// A severity left out of the text gets weight 0, so `High=1` makes every event `High`.
public struct SeverityWeights: TextualSetting {
    /// The weights in `Severity.allCases` order.
    public private(set) var weights: [Double]

    static let setting = "--severity-weights"

    /// Every severity equally often, as the course's generator draws them.
    public static let even = SeverityWeights(checked: [1, 1, 1, 1])

    private init(checked weights: [Double]) {
        self.weights = weights
    }

    /// Weights for `severities`; a severity not named gets 0. At least one weight must be positive.
    public init(_ weights: [Severity: Double]) throws(SettingError) {
        let ordered = Severity.allCases.map { weights[$0] ?? 0 }
        let text = Self.render(ordered)
        guard ordered.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw SettingError(setting: Self.setting, input: text, reason: "weights must be finite and non-negative")
        }
        guard ordered.contains(where: { $0 > 0 }) else {
            throw SettingError(setting: Self.setting, input: text, reason: "at least one weight must be greater than 0")
        }
        self.weights = ordered
    }

    /// Reads `Name=weight,...` with severity names in any letter case.
    public init(parsing text: String) throws(SettingError) {
        var byName: [Severity: Double] = [:]
        for (name, value) in try parseAssignments(text, setting: Self.setting) {
            guard let severity = Severity.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                throw SettingError(
                    setting: Self.setting, input: text,
                    reason: "unknown severity '\(name)' (expected \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard byName[severity] == nil else {
                throw SettingError(setting: Self.setting, input: text, reason: "\(severity.rawValue) is given twice")
            }
            byName[severity] = try parseNonNegative(value, setting: Self.setting, input: text)
        }
        do {
            try self.init(byName)
        } catch {
            throw SettingError(setting: Self.setting, input: text, reason: error.reason)
        }
    }

    /// The weight of one severity.
    public subscript(severity: Severity) -> Double {
        weights[Int(severity.code)]
    }

    public var description: String { Self.render(weights) }

    private static func render(_ weights: [Double]) -> String {
        zip(Severity.allCases, weights).map { "\($0.rawValue)=\(formatWeight($1))" }.joined(separator: ",")
    }
}

/// `1` rather than `1.0`, so a rendered setting reads like the one typed.
func formatWeight(_ weight: Double) -> String {
    if weight == weight.rounded(), abs(weight) < 1e15 { return String(Int64(weight)) }
    return "\(weight)"
}

extension Severity {
    /// The severity's position in `allCases`, as a manifest stores it in one byte.
    public var code: UInt8 {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    /// The severity stored as `code`, or nil for a byte no severity has.
    public init?(code: UInt8) {
        switch code {
        case 0: self = .low
        case 1: self = .medium
        case 2: self = .high
        case 3: self = .critical
        default: return nil
        }
    }
}
