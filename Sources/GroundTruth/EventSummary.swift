/// What the replayed topic held (part of `ValidationResult`).
public struct EventSummary: Sendable, Codable, Equatable {
    /// Records read from the topic.
    public var records = 0
    /// Records that are events (the rest are malformed).
    public var events = 0
    /// Events that match the rule (term and severity), counted or dropped.
    public var matching = 0
    /// Malformed records by kind.
    public var malformed = MalformedCounts()
    /// Matching events the detector is expected to have dropped as late: exact in exact mode, a range in
    /// interval mode. Events the detector never read are not included.
    public var lateDropped = CountRange(exactly: 0)
    /// Exact mode: records beyond the batch log (no logged batch read them).
    public var unreadByDetector = 0
    /// Records that came with manifest facts.
    public var generatorChecked = 0
    /// Where the generator's own flags disagree with this decoding.
    public var generatorDisagreements = GeneratorDisagreements()
    /// Records by the generator's lateness class, when the manifest gives one.
    public var latenessClasses: [LatenessClassSummary] = []

    public init() {}
}

/// Records whose generator flags disagree with the validator's own reading of them.
public struct GeneratorDisagreements: Sendable, Codable, Equatable {
    /// Meant to be malformed but decoded as an event, or the reverse.
    public var malformed = 0
    /// Meant to match but decoded as not matching, or the reverse.
    public var matching = 0

    public init() {}
}

/// Records of one lateness class of the generator.
public struct LatenessClassSummary: Sendable, Codable, Equatable {
    public var name: String
    public var records = 0
    public var events = 0
    public var matching = 0

    public init(name: String) {
        self.name = name
    }

    mutating func add(event: Bool, matching: Bool) {
        records += 1
        if event { events += 1 }
        if matching { self.matching += 1 }
    }
}

/// A count that is known exactly (lower == upper) or only within bounds.
public struct CountRange: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    public var lower: Int
    public var upper: Int

    public init(lower: Int, upper: Int) {
        self.lower = lower
        self.upper = upper
    }

    public init(exactly count: Int) {
        self.init(lower: count, upper: count)
    }

    public var isExact: Bool { lower == upper }

    public func contains(_ count: Int) -> Bool { lower <= count && count <= upper }

    public var description: String { isExact ? "\(lower)" : "\(lower)...\(upper)" }

    static func + (lhs: CountRange, rhs: CountRange) -> CountRange {
        CountRange(lower: lhs.lower + rhs.lower, upper: lhs.upper + rhs.upper)
    }
}
