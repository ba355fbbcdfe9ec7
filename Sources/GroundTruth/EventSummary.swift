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
    /// Of `lateDropped`, the events the generator sent on time (by the manifest): a correct detector that
    /// reads its partitions together drops none of them, so any is a finding. 0 without a manifest.
    public var onTimeDropped = CountRange(exactly: 0)
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

extension EventSummary {
    enum CodingKeys: String, CodingKey {
        case records, events, matching, malformed, lateDropped, onTimeDropped, unreadByDetector, generatorChecked
        case generatorDisagreements, latenessClasses
    }

    /// Reads a summary; one written before `onTimeDropped` existed reads as having dropped none on time.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decode(Int.self, forKey: .records)
        events = try container.decode(Int.self, forKey: .events)
        matching = try container.decode(Int.self, forKey: .matching)
        malformed = try container.decode(MalformedCounts.self, forKey: .malformed)
        lateDropped = try container.decode(CountRange.self, forKey: .lateDropped)
        onTimeDropped = try container.decodeIfPresent(CountRange.self, forKey: .onTimeDropped) ?? CountRange(exactly: 0)
        unreadByDetector = try container.decode(Int.self, forKey: .unreadByDetector)
        generatorChecked = try container.decode(Int.self, forKey: .generatorChecked)
        generatorDisagreements = try container.decode(GeneratorDisagreements.self, forKey: .generatorDisagreements)
        latenessClasses = try container.decode([LatenessClassSummary].self, forKey: .latenessClasses)
    }
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
