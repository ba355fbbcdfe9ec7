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

/// How often each `TermVariant` is used among term-bearing events, written `name=weight,...` with the same
/// syntax as `--severity-weights`. A name is a variant (`lower`, `capitalized`, `upper`, `suffixed`, in any
/// letter case) or, where the term is known, one of its spellings exactly as injected: for the term `crash`,
/// `crash=1,Crash=1,CRASH=1,crashed=1` is the default. A variant left out of the text gets weight 0, so
/// `crash=1` injects only the lower-case term. The stored text form uses the variant names, which do not
/// depend on the term.
public struct TermVariantWeights: TextualSetting {
    /// The weights in `TermVariant.allCases` order.
    public private(set) var weights: [Double]

    static let setting = "--term-variants"

    /// Every spelling equally often.
    public static let even = TermVariantWeights(checked: [1, 1, 1, 1])

    private init(checked weights: [Double]) {
        self.weights = weights
    }

    /// Reads `variant=weight,...` with variant names only; at least one weight must be positive.
    public init(parsing text: String) throws(SettingError) {
        try self.init(parsing: text, term: nil)
    }

    /// Reads `name=weight,...` where a name is a variant name or one of `term`'s spellings (matched exactly,
    /// since the spellings differ only in case); at least one weight must be positive.
    public init(parsing text: String, term: String?) throws(SettingError) {
        var ordered = [Double](repeating: 0, count: TermVariant.allCases.count)
        var seen = Set<TermVariant>()
        for (name, value) in try parseAssignments(text, setting: Self.setting) {
            let variant = try Self.variant(named: name, term: term, input: text)
            guard seen.insert(variant).inserted else {
                throw SettingError(setting: Self.setting, input: text, reason: "\(Self.label(variant, term: term)) is given twice")
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

    /// The one variant `name` stands for. A spelling shared by two variants (`X` is both the capitalized and
    /// the upper-case spelling of the term `x`) is refused: the variant names tell them apart.
    private static func variant(named name: Substring, term: String?, input: String) throws(SettingError) -> TermVariant {
        var matches = TermVariant.allCases.filter { $0.rawValue == name.lowercased() }
        if let term {
            for variant in TermVariant.allCases where variant.spelling(of: term) == name && !matches.contains(variant) {
                matches.append(variant)
            }
        }
        guard matches.count <= 1 else {
            throw SettingError(
                setting: setting, input: input,
                reason: "'\(name)' names both \(matches.map(\.rawValue).joined(separator: " and ")); use the variant names instead")
        }
        guard let variant = matches.first else {
            let names = TermVariant.allCases.map(\.rawValue).joined(separator: ", ")
            let spellings = term.map { term in TermVariant.allCases.map { $0.spelling(of: term) }.joined(separator: ", ") + ", or " } ?? ""
            throw SettingError(setting: setting, input: input, reason: "unknown variant '\(name)' (expected \(spellings)\(names))")
        }
        return variant
    }

    /// How an error names `variant`: by the spelling the user most likely typed, with its name.
    private static func label(_ variant: TermVariant, term: String?) -> String {
        term.map { "\(variant.spelling(of: $0)) (\(variant.rawValue))" } ?? variant.rawValue
    }
}
