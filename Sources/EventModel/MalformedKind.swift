/// The kinds of malformed record the generator sends. None of them ever carries the crash term in any case,
/// so no reasonable detector can count one (DESIGN.md, "What counts as an event").
public enum MalformedKind: String, CaseIterable, Sendable, Codable {
    /// A well-formed value cut short: no JSON parser accepts it.
    case invalidJSON = "invalid-json"
    /// Valid JSON without one of `timestamp`, `severity`, `user_id`, `content`.
    case missingField = "missing-field"
    /// Valid JSON with a field of the wrong type: the timestamp as a string, the severity or the user as a number.
    case wrongType = "wrong-type"
    /// A value whose content holds bytes that are not UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// A schema-valid value with about 100 kB of content. By DESIGN.md's definition it is still an event (one
    /// that never matches); it is sent to check that a detector survives records far above the usual size.
    case oversize

    /// One byte for the manifest; 0 means well-formed. Spelled out, as `allCases` builds an array per use.
    public var code: UInt8 {
        switch self {
        case .invalidJSON: 1
        case .missingField: 2
        case .wrongType: 3
        case .invalidUTF8: 4
        case .oversize: 5
        }
    }

    /// The kind stored as `code`: nil for 0 (well-formed) and for bytes no kind has.
    public init?(code: UInt8) {
        switch code {
        case 1: self = .invalidJSON
        case 2: self = .missingField
        case 3: self = .wrongType
        case 4: self = .invalidUTF8
        case 5: self = .oversize
        default: return nil
        }
    }
}

/// Which malformed kinds are sent, in equal shares: `invalid-json,missing-field` or `all`.
public struct MalformedKinds: TextualSetting {
    /// The kinds, in `MalformedKind.allCases` order, without repeats.
    public let kinds: [MalformedKind]

    static let setting = "--malformed-kinds"

    /// Every kind.
    public static let all = MalformedKinds(checked: MalformedKind.allCases)

    private init(checked kinds: [MalformedKind]) {
        self.kinds = kinds
    }

    /// Reads a comma-separated list of kinds, or `all`.
    public init(parsing text: String) throws(SettingError) {
        if Substring(text).trimmingCharacters(in: " ") == "all" {
            self = .all
            return
        }
        var chosen = Set<MalformedKind>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: " ")
            guard let kind = MalformedKind(rawValue: String(name)) else {
                throw SettingError(
                    setting: Self.setting, input: text,
                    reason: "unknown kind '\(name)' (expected all or \(MalformedKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            chosen.insert(kind)
        }
        kinds = MalformedKind.allCases.filter(chosen.contains)
    }

    public var description: String {
        kinds == MalformedKind.allCases ? "all" : kinds.map(\.rawValue).joined(separator: ",")
    }
}
