import Contracts

/// Names the likely bugs behind a failure, most likely first.
///
/// Most hypotheses are tested by recomputing what a detector with that bug would have output (counting
/// every severity, comparing the term the other way, dropping nothing, a watermark without delay,
/// processing-time windows, a threshold one lower) and seeing how many findings it accounts for: a
/// finding is accounted for when the buggy detector's output agrees with what was observed. Alerts the
/// correct rule gets right but the buggy one would not count against it. The rest are recognised by
/// their signature: windows far in the future whose start divided by 1000 falls among the events (seconds
/// read as milliseconds), window starts off the epoch grid, repeated emissions (a restart), and missing
/// alerts that all come after the last observed one (output stopped early).
struct Diagnostician {
    let judge: AlertJudge
    /// The (window, user) pairs whose outcome fails under the rule.
    let failing: Set<AlertKey>
    let duplicates: [DuplicateFinding]
    let findings: [WatermarkFinding]
    let observed: ObservedAlerts

    private var rule: RuleSettings { judge.expected.rule }
    private var total: Int { failing.count + duplicates.count + findings.count }

    private struct Evidence {
        let bug: SuspectedBug
        let explained: Int
        let contradicted: Int
        let sentence: String
        /// Of the explained alerts, those the bug predicts with an exact count: breaks ties in favour of the
        /// sharper hypothesis, since in interval mode a loose one can "explain" much by being vague.
        var sharp = 0
    }

    func diagnose() -> [Diagnosis] {
        guard total > 0 else { return [] }
        var candidates: [Evidence] = [
            recomputed(.severityFilterMissing, .variant(.anySeverity), "counting every severity rather than only \(severityList)"),
            recomputed(
                .termCaseSensitivity, .variant(.otherCase),
                "comparing '\(rule.term)' \(rule.matching == .caseInsensitive ? "case-sensitively" : "case-insensitively")"),
            recomputed(.noWatermark, .variant(.noWatermark), "counting late events beyond the \(seconds(rule.watermarkDelayMs)) delay too"),
            recomputed(
                .eventsWithinDelayDropped, .variant(.zeroDelay),
                "dropping events as soon as they are behind the largest event time (a watermark without the \(seconds(rule.watermarkDelayMs)) delay)"),
            recomputed(.processingTimeWindows, .processingTime, "windowing events by when they were processed instead of their timestamps"),
            secondsForMilliseconds(),
            recomputed(.thresholdOffByOne, .thresholdLowered, "alerting at a count >= \(rule.threshold) instead of > \(rule.threshold)"),
            unalignedWindows(),
            restart(),
            stoppedEarly(),
        ].compactMap { $0 }
        candidates = candidates.filter { $0.explained > $0.contradicted }
        let order = SuspectedBug.allCases
        candidates.sort {
            let left = $0.explained - $0.contradicted
            let right = $1.explained - $1.contradicted
            if left != right { return left > right }
            if $0.sharp != $1.sharp { return $0.sharp > $1.sharp }
            return (order.firstIndex(of: $0.bug) ?? 0) < (order.firstIndex(of: $1.bug) ?? 0)
        }
        return candidates.map {
            Diagnosis(bug: $0.bug, sentence: $0.sentence, explained: $0.explained, contradicted: $0.contradicted, findings: total)
        }
    }

    // MARK: Recomputed hypotheses

    private func recomputed(_ bug: SuspectedBug, _ counting: AlertJudge.Counting, _ how: String) -> Evidence? {
        var explained = 0
        var sharp = 0
        var contradicted = 0
        for key in judge.keys {
            let fails = judge.outcome(key, counting: counting)?.fails ?? false
            if failing.contains(key) {
                if !fails {
                    explained += 1
                    if judge.predictsExactly(key, counting: counting) { sharp += 1 }
                }
            } else if fails {
                contradicted += 1
            }
        }
        let watermarks = findings.filter { $0.explainedBy.contains(bug) }.count
        guard explained + watermarks > 0 else { return nil }
        var reproduced: [String] = []
        if !failing.isEmpty { reproduced.append("\(explained) of the \(failing.count) failing alerts") }
        if watermarks > 0 { reproduced.append("the logged watermarks of \(watermarks) of \(findings.count) disagreeing batches") }
        var sentence = "\(title(bug)): \(how) reproduces " + reproduced.joined(separator: " and ")
        sentence += contradicted > 0 ? ", but would break \(contradicted) alerts the rule gets right." : ", and breaks none the rule gets right."
        return Evidence(bug: bug, explained: explained + watermarks, contradicted: contradicted, sentence: sentence, sharp: sharp)
    }

    // MARK: Signatures

    private func secondsForMilliseconds() -> Evidence? {
        guard let times = judge.expected.matchingTimes else { return nil }
        let low = times.lowerBound.clampedSubtracting(rule.windowMs)
        let high = times.upperBound.clampedAdding(rule.windowMs)
        let shifted = failing.filter { key in
            judge.histories[key] != nil && key.start > high && (low...high).contains(key.start / 1000)
        }
        let watermarks = findings.filter { $0.explainedBy.contains(.timestampAsSeconds) }.count
        guard !shifted.isEmpty || watermarks > 0 else { return nil }
        let missing = failing.filter { judge.histories[$0] == nil }.count
        let explained = shifted.count + (shifted.count * 2 >= judge.histories.count ? missing : 0) + watermarks
        var sentence = "\(title(.timestampAsSeconds)): "
        if let example = shifted.min() {
            sentence += "\(shifted.count) observed windows lie about 1000 times too far from the epoch (for example one starting \(example.start) ms, year \(year(of: example.start))), and divided by 1000 they fall among the events' timestamps"
        } else {
            sentence += "no alert came out at all near the events' times"
        }
        if watermarks > 0 { sentence += "; \(watermarks) logged watermarks are the rule's on timestamps multiplied by 1000" }
        return Evidence(bug: .timestampAsSeconds, explained: explained, contradicted: 0, sentence: sentence + ".")
    }

    private func unalignedWindows() -> Evidence? {
        let size = rule.windowMs
        let offGrid = failing.filter { key in
            judge.histories[key] != nil && key.end.clampedSubtracting(key.start) == size
                && key.start - key.start.flooredDivision(by: size) * size != 0
        }
        guard let example = offGrid.min() else { return nil }
        let missing = failing.filter { judge.histories[$0] == nil }.count
        let explained = offGrid.count + (offGrid.count * 2 >= judge.histories.count ? missing : 0)
        let offset = example.start - example.start.flooredDivision(by: size) * size
        return Evidence(
            bug: .windowsNotAligned, explained: explained, contradicted: 0,
            sentence: "\(title(.windowsNotAligned)): \(offGrid.count) of \(judge.histories.count) observed windows start off the epoch's \(seconds(size)) grid (for example \(offset) ms past it, at \(example.start)), so they match none of the expected windows.")
    }

    private func restart() -> Evidence? {
        let restarts = duplicates.filter(\.looksLikeRestart)
        guard let example = restarts.first else { return nil }
        return Evidence(
            bug: .duplicateEmissionsAfterRestart, explained: restarts.count, contradicted: 0,
            sentence: "\(title(.duplicateEmissionsAfterRestart)): \(restarts.count) (window, user) pairs were emitted again under another batch id or with a lower count, as a detector that restarted without its state or offsets would (for example \(example.userId) at \(example.windowStart): \(example.reason)).")
    }

    private func stoppedEarly() -> Evidence? {
        let observedEnds = judge.histories.keys.map(\.end)
        guard let lastEnd = observedEnds.max() else { return nil }
        // Windows still counting when output stopped: those ending up to a window and a delay before the
        // last observed one may have been cut short too.
        let cutoff = lastEnd.clampedSubtracting(rule.windowMs).clampedSubtracting(rule.watermarkDelayMs)
        var explained = 0
        for key in failing where key.end > cutoff {
            let observedCount = judge.histories[key]?.final?.count
            guard let expectation = judge.expectation(key) else { continue }
            if observedCount == nil || observedCount.map({ $0 < expectation.count.lower }) == true { explained += 1 }
        }
        let after = failing.filter { judge.histories[$0] == nil && $0.start >= lastEnd }.count
        guard after > 0 else { return nil }
        var sentence = "\(title(.outputStoppedEarly)): the last observed alert is for a window ending at \(lastEnd), and \(after) missing alerts are for windows after it"
        let unread = judge.expected.events.unreadByDetector
        if unread > 0 { sentence += "; \(unread) records lie beyond the batch log" }
        return Evidence(bug: .outputStoppedEarly, explained: explained, contradicted: 0, sentence: sentence + ".")
    }

    // MARK: Wording

    private func title(_ bug: SuspectedBug) -> String {
        switch bug {
        case .severityFilterMissing: "Severity filter missing"
        case .termCaseSensitivity:
            rule.matching == .caseInsensitive ? "Term matched case-sensitively" : "Term matched case-insensitively"
        case .noWatermark: "No watermark (events beyond the delay counted)"
        case .eventsWithinDelayDropped: "Events within the delay dropped"
        case .processingTimeWindows: "Processing-time instead of event-time windows"
        case .timestampAsSeconds: "Timestamp read as seconds instead of milliseconds"
        case .thresholdOffByOne: "Threshold off by one (>= instead of >)"
        case .windowsNotAligned: "Windows not aligned to the epoch"
        case .duplicateEmissionsAfterRestart: "Duplicate emissions after a restart"
        case .outputStoppedEarly: "Output stopped early"
        }
    }

    private var severityList: String {
        Severity.allCases.filter { rule.severities.contains($0) }.map(\.rawValue).joined(separator: " and ")
    }

    private func seconds(_ milliseconds: Int64) -> String {
        DurationText.render(milliseconds: milliseconds)
    }

    /// The civil year holding `milliseconds` (proleptic Gregorian), for messages.
    private func year(of milliseconds: Int64) -> String {
        let days = milliseconds.flooredDivision(by: 86_400_000)
        // H. Hinnant's civil_from_days, year part only.
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let year = yearOfEra + era * 400 + (monthIndex >= 10 ? 1 : 0)
        return year > 9999 ? "+\(year)" : "\(year)"
    }
}
