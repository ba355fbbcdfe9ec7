/// The spellings in which the crash term is injected. With the default term they are `crash`, `Crash`,
/// `CRASH` and `crashed`: a case-insensitive detector counts all four, a case-sensitive one only the first
/// and the last, which is what lets a scenario tell the two apart.
public enum TermVariant: String, CaseIterable, Sendable, Codable {
    /// The term in lower case: `crash`.
    case lower
    /// The first letter upper case: `Crash`.
    case capitalized
    /// All upper case: `CRASH`.
    case upper
    /// The term as given with `ed` after it: `crashed`.
    case suffixed

    /// This spelling of `term` (an ASCII word).
    public func spelling(of term: String) -> String {
        switch self {
        case .lower: term.lowercased()
        case .capitalized: term.prefix(1).uppercased() + term.dropFirst().lowercased()
        case .upper: term.uppercased()
        case .suffixed: term + "ed"
        }
    }
}

/// How often each `TermVariant` is used among term-bearing events: `lower=1,capitalized=1,upper=1,suffixed=1`.
/// A variant left out of the text gets weight 0, so `lower=1` injects only the lower-case term.
public struct TermVariantWeights: TextualSetting {
    /// The weights in `TermVariant.allCases` order.
    public private(set) var weights: [Double]

    static let setting = "--term-variants"

    /// Every spelling equally often.
    public static let even = TermVariantWeights(checked: [1, 1, 1, 1])

    private init(checked weights: [Double]) {
        self.weights = weights
    }

    /// Reads `variant=weight,...`; at least one weight must be positive.
    public init(parsing text: String) throws(SettingError) {
        var ordered = [Double](repeating: 0, count: TermVariant.allCases.count)
        var seen = Set<TermVariant>()
        for (name, value) in try parseAssignments(text, setting: Self.setting) {
            guard let variant = TermVariant(rawValue: name.lowercased()) else {
                throw SettingError(
                    setting: Self.setting, input: text,
                    reason: "unknown variant '\(name)' (expected \(TermVariant.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard seen.insert(variant).inserted else {
                throw SettingError(setting: Self.setting, input: text, reason: "\(variant.rawValue) is given twice")
            }
            ordered[TermVariant.allCases.firstIndex(of: variant) ?? 0] = try parseNonNegative(value, setting: Self.setting, input: text)
        }
        guard ordered.contains(where: { $0 > 0 }) else {
            throw SettingError(setting: Self.setting, input: text, reason: "at least one weight must be greater than 0")
        }
        weights = ordered
    }

    public var description: String {
        zip(TermVariant.allCases, weights).map { "\($0.rawValue)=\(formatWeight($1))" }.joined(separator: ",")
    }
}
