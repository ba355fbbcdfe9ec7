import Contracts

/// How late the late events are, measured against the detector's watermark delay and window
/// (`--late-class within|boundary|beyond|MIN..MAX`). A late event's event time is its scheduled time minus a
/// lateness drawn uniformly from the class's range.
public enum LateClass: TextualSetting {
    /// 1 s .. delay − window − 2 s: a detector that keeps up never drops these.
    case within
    /// delay − window .. delay + window: around the delay, where dropping depends on batch timing.
    case boundary
    /// delay + window + 5 s .. 3 × delay: a correct detector drops these (unless they land in its first batches).
    case beyond
    /// An explicit range of lateness in milliseconds, both ends included.
    case range(minMs: Int64, maxMs: Int64)

    static let setting = "--late-class"

    /// Reads `within`, `boundary`, `beyond` or `MIN..MAX` with durations such as `5s..20s`.
    public init(parsing text: String) throws(SettingError) {
        let trimmed = Substring(text).trimmingCharacters(in: " ")
        switch trimmed {
        case "within": self = .within
        case "boundary": self = .boundary
        case "beyond": self = .beyond
        default:
            let ends = trimmed.split(separator: "..", maxSplits: 1, omittingEmptySubsequences: false)
            guard ends.count == 2 else {
                throw SettingError(setting: Self.setting, input: text, reason: "expected within, boundary, beyond or a range such as 5s..20s")
            }
            let bounds: (Int64, Int64)
            do {
                bounds = (try DurationText.milliseconds(String(ends[0])), try DurationText.milliseconds(String(ends[1])))
            } catch {
                throw SettingError(setting: Self.setting, input: text, reason: error.description)
            }
            guard bounds.0 <= bounds.1 else {
                throw SettingError(setting: Self.setting, input: text, reason: "the lower end is above the upper end")
            }
            self = .range(minMs: bounds.0, maxMs: bounds.1)
        }
    }

    public var description: String {
        switch self {
        case .within: "within"
        case .boundary: "boundary"
        case .beyond: "beyond"
        case .range(let minMs, let maxMs):
            "\(DurationText.render(milliseconds: minMs))..\(DurationText.render(milliseconds: maxMs))"
        }
    }

    /// What the manifest records for an event made late by this class.
    public var lateness: Lateness {
        switch self {
        case .within: .within
        case .boundary: .boundary
        case .beyond: .beyond
        case .range: .explicitRange
        }
    }

    /// The lateness range in milliseconds for a watermark `delayMs` and window `windowMs`; an error when the
    /// class makes no sense for them (e.g. `within` when the delay is shorter than the window plus 3 s).
    public func bounds(delayMs: Int64, windowMs: Int64) throws(SettingError) -> ClosedRange<Int64> {
        let longest = GeneratorSettings.longestDurationMs
        guard (0...longest).contains(delayMs), (0...longest).contains(windowMs) else {
            throw SettingError(setting: Self.setting, input: description, reason: "the watermark and window must be between 0 and 7 days")
        }
        let (lower, upper): (Int64, Int64)
        switch self {
        case .within: (lower, upper) = (1_000, delayMs - windowMs - 2_000)
        case .boundary: (lower, upper) = (max(1, delayMs - windowMs), delayMs + windowMs)
        case .beyond: (lower, upper) = (delayMs + windowMs + 5_000, 3 * delayMs)
        case .range(let minMs, let maxMs): (lower, upper) = (minMs, maxMs)
        }
        guard lower >= 0, lower <= upper else {
            throw SettingError(
                setting: Self.setting, input: description,
                reason: "with a \(DurationText.render(milliseconds: delayMs)) watermark and a "
                    + "\(DurationText.render(milliseconds: windowMs)) window this class has no lateness in it")
        }
        return lower...upper
    }
}

/// How late an event was made, as recorded in its facts and the manifest.
public enum Lateness: String, CaseIterable, Sendable, Codable {
    /// Event time is the scheduled time.
    case onTime = "on-time"
    /// Late by the `within` class.
    case within
    /// Late by the `boundary` class.
    case boundary
    /// Late by the `beyond` class.
    case beyond
    /// Late by an explicit `MIN..MAX` range.
    case explicitRange = "range"

    // Codes are spelled out rather than derived from `allCases`, which builds an array on every use: the
    // manifest writer encodes one per record.

    /// One byte for the manifest.
    public var code: UInt8 {
        switch self {
        case .onTime: 0
        case .within: 1
        case .boundary: 2
        case .beyond: 3
        case .explicitRange: 4
        }
    }

    /// The lateness stored as `code`, or nil for a byte no lateness has.
    public init?(code: UInt8) {
        switch code {
        case 0: self = .onTime
        case 1: self = .within
        case 2: self = .boundary
        case 3: self = .beyond
        case 4: self = .explicitRange
        default: return nil
        }
    }
}
