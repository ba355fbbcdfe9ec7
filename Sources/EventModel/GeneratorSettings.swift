/// Everything that decides which events one generator worker sends, with the defaults of the `generate`
/// command. Codable (snake_case keys, textual forms for the structured settings) so that the resolved
/// settings can be written into each manifest header and into scenario results; a key left out when
/// decoding takes its default.
///
/// The same settings, seed and worker index always give byte-identical events.
public struct GeneratorSettings: Sendable, Equatable {
    // MARK: Load

    /// Records per second that each worker process sends (`--rps`). Default: 10,000.
    public var recordsPerSecond: Int = 10_000

    // MARK: Users

    /// How many users (`--users`): N users are `user_1000` … `user_{1000+N-1}`. Default: 1,000.
    public var users: Int = 1_000
    /// How events are spread over the users (`--user-distribution`). Default: uniform.
    public var userDistribution: UserDistribution = .uniform
    /// How often each severity is drawn (`--severity-weights`). Default: all four equally.
    public var severityWeights: SeverityWeights = .even

    // MARK: Crash term

    /// The injected term (`--crash-term`): ASCII letters, digits, `-` or `_`. Default: `crash`.
    public var crashTerm: String = "crash"
    /// Term-bearing records per second per worker (`--crash-rate`), placed exactly: that many in every second
    /// of the timetable. Default: 100, the course's `ADDITIONAL_TERM_RATE`.
    public var crashRate: Int = 100
    /// How often each spelling of the term is used (`--term-variants`). Default: all four equally.
    public var termVariants: TermVariantWeights = .even
    /// Fraction of all records whose content holds a near miss of the term (`crush`, `trash`, `cr ash`) that
    /// must not match (`--decoy-fraction`). Default: 0.01.
    public var decoyFraction: Double = 0.01

    // MARK: Late events

    /// Fraction of well-formed records sent late (`--late-fraction`). Default: 0.
    public var lateFraction: Double = 0
    /// How late they are (`--late-class`). Default: within.
    public var lateClass: LateClass = .within
    /// The watermark delay the late classes are measured against (`--watermark`). Default: 30 s.
    public var watermarkDelayMs: Int64 = 30_000
    /// The window length the late classes are measured against (`--window`). Default: 10 s.
    public var windowMs: Int64 = 10_000

    // MARK: Malformed records

    /// Fraction of all records that are malformed (`--malformed-fraction`). Default: 0.
    public var malformedFraction: Double = 0
    /// Which malformed kinds are sent, in equal shares (`--malformed-kinds`). Default: all.
    public var malformedKinds: MalformedKinds = .all

    // MARK: Reproducibility

    /// The run's seed (`--seed`); each worker splits its own stream from it. Default: 1.
    public var seed: UInt64 = 1

    /// The defaults; set properties to change them.
    public init() {}

    /// The longest accepted watermark delay, window or lateness: a week, far beyond any stream job's setting,
    /// small enough that no time arithmetic on it can overflow.
    public static let longestDurationMs: Int64 = 7 * 24 * 3_600_000
    /// The most users: their ids are rendered once per worker, a few bytes each.
    public static let mostUsers = 1_000_000
}

// MARK: - Checks

extension GeneratorSettings {
    /// Share of records that do not carry the term; decoys and malformed records are drawn among these.
    var termFreeShare: Double {
        Double(recordsPerSecond - crashRate) / Double(recordsPerSecond)
    }

    /// The decoy fraction to use when none is given: 0.01, or what the crash rate and the malformed fraction
    /// leave room for when that is less (a stream of nothing but term-bearing records has no room for decoys).
    public var defaultDecoyFraction: Double {
        guard recordsPerSecond > 0, crashRate <= recordsPerSecond else { return 0.01 }
        return min(0.01, max(0, termFreeShare - malformedFraction))
    }

    /// Checks every setting and their combinations; the error names the setting, the value and the problem.
    public func validate() throws(SettingError) {
        guard recordsPerSecond >= 1, recordsPerSecond <= 100_000_000 else {
            throw SettingError(setting: "--rps", input: "\(recordsPerSecond)", reason: "must be between 1 and 100000000")
        }
        guard users >= 1, users <= Self.mostUsers else {
            throw SettingError(setting: "--users", input: "\(users)", reason: "must be between 1 and \(Self.mostUsers)")
        }
        try TermSpellings.checkTerm(crashTerm)
        guard crashRate >= 0 else {
            throw SettingError(setting: "--crash-rate", input: "\(crashRate)", reason: "must not be negative")
        }
        guard crashRate <= recordsPerSecond else {
            throw SettingError(
                setting: "--crash-rate", input: "\(crashRate)",
                reason: "is more than the \(recordsPerSecond) records per second (--rps) that carry it")
        }
        for (name, value) in [("--decoy-fraction", decoyFraction), ("--late-fraction", lateFraction), ("--malformed-fraction", malformedFraction)] {
            guard value.isFinite, value >= 0, value <= 1 else {
                throw SettingError(setting: name, input: "\(value)", reason: "must be a fraction between 0 and 1")
            }
        }
        // Term-bearing positions are fixed by the crash rate; decoys and malformed records share the rest.
        guard decoyFraction + malformedFraction <= termFreeShare + 1e-9 else {
            throw SettingError(
                setting: "--decoy-fraction", input: "\(decoyFraction)",
                reason: "together with --malformed-fraction \(malformedFraction) it exceeds the \(termFreeShare) of records "
                    + "left after --crash-rate \(crashRate) of --rps \(recordsPerSecond)")
        }
        guard malformedFraction == 0 || !malformedKinds.kinds.isEmpty else {
            throw SettingError(setting: "--malformed-kinds", input: malformedKinds.description, reason: "names no kind, but --malformed-fraction is above 0")
        }
        for (name, value) in [("--watermark", watermarkDelayMs), ("--window", windowMs)] {
            guard value >= 0, value <= Self.longestDurationMs else {
                throw SettingError(setting: name, input: "\(value)ms", reason: "must be between 0 and 7 days")
            }
        }
        guard windowMs > 0 else {
            throw SettingError(setting: "--window", input: "\(windowMs)ms", reason: "must be longer than 0")
        }
        if lateFraction > 0 {
            let bounds = try lateClass.bounds(delayMs: watermarkDelayMs, windowMs: windowMs)
            guard bounds.upperBound <= Self.longestDurationMs else {
                throw SettingError(setting: "--late-class", input: lateClass.description, reason: "lateness beyond 7 days is not supported")
            }
        }
    }
}

// MARK: - Codable

extension GeneratorSettings: Codable {
    enum CodingKeys: String, CodingKey {
        case recordsPerSecond = "rps"
        case users
        case userDistribution = "user_distribution"
        case severityWeights = "severity_weights"
        case crashTerm = "crash_term"
        case crashRate = "crash_rate"
        case termVariants = "term_variants"
        case decoyFraction = "decoy_fraction"
        case lateFraction = "late_fraction"
        case lateClass = "late_class"
        case watermarkDelayMs = "watermark_ms"
        case windowMs = "window_ms"
        case malformedFraction = "malformed_fraction"
        case malformedKinds = "malformed_kinds"
        case seed
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var settings = GeneratorSettings()
        func read<Value: Decodable>(_ key: CodingKeys, into path: WritableKeyPath<GeneratorSettings, Value>) throws {
            if let value = try container.decodeIfPresent(Value.self, forKey: key) { settings[keyPath: path] = value }
        }
        try read(.recordsPerSecond, into: \.recordsPerSecond)
        try read(.users, into: \.users)
        try read(.userDistribution, into: \.userDistribution)
        try read(.severityWeights, into: \.severityWeights)
        try read(.crashTerm, into: \.crashTerm)
        try read(.crashRate, into: \.crashRate)
        try read(.termVariants, into: \.termVariants)
        try read(.decoyFraction, into: \.decoyFraction)
        try read(.lateFraction, into: \.lateFraction)
        try read(.lateClass, into: \.lateClass)
        try read(.watermarkDelayMs, into: \.watermarkDelayMs)
        try read(.windowMs, into: \.windowMs)
        try read(.malformedFraction, into: \.malformedFraction)
        try read(.malformedKinds, into: \.malformedKinds)
        try read(.seed, into: \.seed)
        self = settings
    }
}
