/// Which events a detector counts, beyond the rule's own: the rows that buggy detectors the diagnosis
/// imagines would count too.
enum RowClass: Int, CaseIterable, Sendable {
    /// Term and severity as configured: the rule.
    case rule
    /// The term as configured, any severity ("severity filter missing").
    case anySeverity
    /// The term compared the other way round (case-sensitive instead of insensitive, or back), severity as
    /// configured.
    case otherCase
}

/// One way of counting a (window, user): the rule, or a detector with one specific bug. Each variant's
/// watermark is taken over its own rows, as the buggy detector's would be.
enum Variant: Int, CaseIterable, Sendable {
    case rule
    case anySeverity
    case otherCase
    /// The rule's rows, but a watermark without the delay ("events within the delay dropped").
    case zeroDelay
    /// The rule's rows, nothing ever dropped as late ("no watermark").
    case noWatermark

    var rows: RowClass {
        switch self {
        case .rule, .zeroDelay, .noWatermark: .rule
        case .anySeverity: .anySeverity
        case .otherCase: .otherCase
        }
    }

    /// The watermark delay this variant applies; nil when it drops nothing.
    func delay(ruleDelay: Int64) -> Int64? {
        switch self {
        case .rule, .anySeverity, .otherCase: ruleDelay
        case .zeroDelay: 0
        case .noWatermark: nil
        }
    }
}

/// Event counts by row class.
struct ClassCounts: Sendable {
    private var values = (0, 0, 0)

    subscript(rows: RowClass) -> Int {
        get {
            switch rows {
            case .rule: values.0
            case .anySeverity: values.1
            case .otherCase: values.2
            }
        }
        set {
            switch rows {
            case .rule: values.0 = newValue
            case .anySeverity: values.1 = newValue
            case .otherCase: values.2 = newValue
            }
        }
    }
}

/// The largest event time by row class; `Int64.min` stands for "none yet", a value no counted event can
/// have because its window would not fit in 64 bits.
struct ClassMaxima: Sendable {
    private var values = (Int64.min, Int64.min, Int64.min)

    subscript(rows: RowClass) -> Int64 {
        get {
            switch rows {
            case .rule: values.0
            case .anySeverity: values.1
            case .otherCase: values.2
            }
        }
        set {
            switch rows {
            case .rule: values.0 = newValue
            case .anySeverity: values.1 = newValue
            case .otherCase: values.2 = newValue
            }
        }
    }

    mutating func include(_ time: Int64, in membership: RowMembership) {
        for rows in RowClass.allCases where membership.includes(rows) {
            self[rows] = Swift.max(self[rows], time)
        }
    }

    mutating func merge(_ other: ClassMaxima) {
        for rows in RowClass.allCases {
            self[rows] = Swift.max(self[rows], other[rows])
        }
    }
}

/// The row classes one event belongs to.
struct RowMembership: OptionSet, Sendable {
    let rawValue: UInt8

    static let rule = RowMembership(rawValue: 1)
    static let anySeverity = RowMembership(rawValue: 2)
    static let otherCase = RowMembership(rawValue: 4)

    func includes(_ rows: RowClass) -> Bool {
        switch rows {
        case .rule: contains(RowMembership.rule)
        case .anySeverity: contains(RowMembership.anySeverity)
        case .otherCase: contains(RowMembership.otherCase)
        }
    }
}

/// The events of one (window, user), grouped by slot: the batch that read them (exact mode) or their
/// readability time at the model's resolution (interval mode). Events of a window arrive in few slots, so
/// this stays small, and whether each slot's events were dropped is decided only at the end, when all
/// watermarks are known.
struct KeyTally: Sendable {
    struct Slot: Sendable {
        let slot: Int64
        var counts = ClassCounts()
        /// The rule's rows among them that the generator sent on time.
        var onTime = 0
    }

    private(set) var slots: [Slot] = []

    mutating func add(slot: Int64, membership: RowMembership, onTime: Bool) {
        // A user's events come from one partition in offset order, so the slot is nearly always the last.
        var index = slots.count - 1
        while index >= 0, slots[index].slot != slot { index -= 1 }
        if index < 0 {
            slots.append(Slot(slot: slot))
            index = slots.count - 1
        }
        for rows in RowClass.allCases where membership.includes(rows) {
            slots[index].counts[rows] += 1
        }
        if onTime, membership.includes(.rule) { slots[index].onTime += 1 }
    }
}
