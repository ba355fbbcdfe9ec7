import Contracts

/// A (window, user) as alert outputs name it: the window's end is kept, so that a window of the wrong
/// length never matches an expected one.
struct AlertKey: Hashable, Comparable {
    let start: Int64
    let end: Int64
    let user: UserKey

    static func < (lhs: AlertKey, rhs: AlertKey) -> Bool {
        (lhs.start, lhs.end) != (rhs.start, rhs.end) ? (lhs.start, lhs.end) < (rhs.start, rhs.end) : lhs.user < rhs.user
    }
}

/// Everything one output said about one (window, user), with replays removed.
///
/// A replay is a line repeating an earlier one's batch id and count (Spark's foreachBatch is
/// at-least-once); `emitted_at` is ignored, since a replay is written later. Without batch ids, lines
/// repeating an earlier count are taken for replays: they cannot be told apart.
struct AlertHistory {
    private(set) var emissions: [ObservedAlert] = []
    private(set) var replays = 0

    mutating func add(_ alert: ObservedAlert) {
        if emissions.contains(where: { $0.batch == alert.batch && $0.count == alert.count }) {
            replays += 1
        } else {
            emissions.append(alert)
        }
    }

    /// The emissions in batch order (output order when any lacks a batch id).
    var ordered: [ObservedAlert] {
        guard emissions.allSatisfy({ $0.batch != nil }) else { return emissions }
        return emissions.enumerated().sorted { ($0.element.batch ?? 0, $0.offset) < ($1.element.batch ?? 0, $1.offset) }.map(\.element)
    }

    /// The final emission: the last one in batch order.
    var final: ObservedAlert? { ordered.last }

    /// What breaks the output mode's emission rule, if anything. Update mode: a count emitted again in
    /// another batch, two counts in one batch, or a count that goes down. Append mode: any second emission.
    func duplicate(mode: OutputMode, key: AlertKey) -> DuplicateFinding? {
        let ordered = self.ordered
        guard ordered.count > 1 else { return nil }
        var reason: String?
        var restart = false
        switch mode {
        case .append:
            reason = "emitted \(ordered.count) times in append mode (counts \(ordered.map { String($0.count) }.joined(separator: ", ")))"
            restart = Set(ordered.map(\.count)).count < ordered.count
        case .update:
            for (previous, next) in zip(ordered, ordered.dropFirst()) {
                if next.count < previous.count {
                    reason = "count went down from \(previous.count) to \(next.count)\(Self.batches(previous, next))"
                    restart = true
                } else if next.count == previous.count {
                    reason = "count \(next.count) emitted again\(Self.batches(previous, next))"
                    restart = true
                } else if let batch = next.batch, batch == previous.batch {
                    reason = "batch \(batch) emitted two counts, \(previous.count) and \(next.count)"
                }
                if reason != nil { break }
            }
        }
        guard let reason else { return nil }
        let shown = ordered.map { emission in
            var emission = emission
            emission.userId = ShownIdentifier.shown(emission.userId)
            return emission
        }
        return DuplicateFinding(
            windowStart: key.start, windowEnd: key.end, userId: ShownIdentifier.shown(key.user.description), reason: reason,
            emissions: shown, looksLikeRestart: restart)
    }

    private static func batches(_ previous: ObservedAlert, _ next: ObservedAlert) -> String {
        guard let first = previous.batch, let second = next.batch else { return " (lines \(previous.line) and \(next.line))" }
        return " (batches \(first) and \(second))"
    }
}
