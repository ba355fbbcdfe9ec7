import Contracts

extension ValidationResult {
    /// Compares a detector's observed alerts with ground truth; `exampleLimit` bounds every list of
    /// examples.
    public init(expected: ExpectedOutcome, observed: ObservedAlerts, exampleLimit: Int = 10) {
        let rule = expected.rule
        var histories: [AlertKey: AlertHistory] = [:]
        for alert in observed.alerts {
            histories[AlertKey(start: alert.windowStart, end: alert.windowEnd, user: UserKey(alert.userId)), default: AlertHistory()]
                .add(alert)
        }
        let judge = AlertJudge(expected: expected, histories: histories, partialBatches: observed.partialBatches)

        var outcomes = OutcomeCounts()
        var examples: [AlertOutcome: [AlertFinding]] = [:]
        var failing: Set<AlertKey> = []
        var points: [Int64: WindowSeriesPoint] = [:]
        var sinceEnd: [Int64] = []
        var sinceWatermark: [Int64] = []
        var withoutTime = 0
        var mustAlert = 0
        for key in judge.keys.sorted() {
            let expectation = judge.expectation(key)
            let history = histories[key]
            if let expectation, !expectation.isOpen, expectation.count.lower > rule.threshold { mustAlert += 1 }
            guard let outcome = judge.outcome(key, counting: .rule) else { continue }
            outcomes[outcome] += 1
            if outcome.fails { failing.insert(key) }
            var point = points[key.start] ?? WindowSeriesPoint(windowStart: key.start, expected: 0, observed: 0, outcomes: OutcomeCounts())
            point.outcomes[outcome] += 1
            if let expectation, expectation.count.lower > rule.threshold { point.expected += 1 }
            if history != nil { point.observed += 1 }
            points[key.start] = point
            if examples[outcome, default: []].count < exampleLimit {
                examples[outcome, default: []].append(judge.finding(key, outcome: outcome))
            }
            if let first = history?.ordered.first, outcome == .matched || outcome == .countMismatch || outcome == .ambiguous {
                if let emittedAt = first.emittedAt {
                    sinceEnd.append(emittedAt.clampedSubtracting(key.end))
                    if let passed = expectation?.watermarkPassedAt { sinceWatermark.append(emittedAt.clampedSubtracting(passed)) }
                } else {
                    withoutTime += 1
                }
            }
        }

        let duplicates = histories.keys.sorted().compactMap { histories[$0]?.duplicate(mode: rule.mode, key: $0) }
        let findings = expected.watermarkFindings
        let noWatermark = !findings.isEmpty && expected.loggedWatermarksAllZero

        var failures: [String] = []
        for outcome in AlertOutcome.allCases where outcome.fails && outcomes[outcome] > 0 {
            failures.append("\(outcomes[outcome]) \(outcome == .countMismatch ? "count mismatches" : "\(outcome.rawValue) alerts")")
        }
        if !duplicates.isEmpty { failures.append("\(duplicates.count) duplicate emissions") }
        if !findings.isEmpty {
            failures.append(
                noWatermark
                    ? "no watermark: the batch log shows 0 in all \(expected.checkedBatches) batches"
                    : "\(findings.count) of \(expected.checkedBatches) batches logged other watermarks than the rule gives")
        }

        verdict = failures.isEmpty ? .pass : .fail
        self.failures = failures
        mode = expected.mode
        self.rule = rule
        model = expected.model
        alertSource = AlertSourceSummary(
            source: observed.source, format: observed.format, emissions: observed.alerts.count,
            partialBatches: observed.partialBatches.sorted())
        events = expected.events
        alerts = AlertSummary(
            expected: mustAlert, observed: histories.count, replays: histories.values.reduce(0) { $0 + $1.replays },
            outcomes: outcomes, duplicates: duplicates.count,
            examples: AlertOutcome.allCases.flatMap { examples[$0] ?? [] }, duplicateExamples: Array(duplicates.prefix(exampleLimit)))
        latency = LatencySummary(
            sinceWindowEnd: LatencyStats(sinceEnd), sinceWatermark: LatencyStats(sinceWatermark), withoutEmissionTime: withoutTime)
        watermarks = WatermarkSummary(
            checkedBatches: expected.checkedBatches, disagreements: findings.count, noWatermark: noWatermark,
            examples: Array(findings.prefix(exampleLimit)), finalWatermarks: expected.finalWatermarks)
        diagnosis =
            verdict == .fail
            ? Diagnostician(judge: judge, failing: failing, duplicates: duplicates, findings: findings, observed: observed).diagnose()
            : []
        series = points.keys.sorted().compactMap { points[$0] }
        manifestAudit = nil
        notes = Self.notes(expected: expected, observed: observed, outcomes: outcomes)
    }

    private static func notes(expected: ExpectedOutcome, observed: ObservedAlerts, outcomes: OutcomeCounts) -> [String] {
        var notes: [String] = []
        let events = expected.events
        if events.unreadByDetector > 0 {
            notes.append("\(events.unreadByDetector) records lie beyond the batch log: no logged batch read them")
        }
        if !observed.partialBatches.isEmpty {
            notes.append(
                "the output showed only part of batches \(observed.partialBatches.sorted().map(String.init).joined(separator: ", ")): they cannot prove an alert missing")
        }
        if outcomes.ambiguous > 0 {
            notes.append("\(outcomes.ambiguous) alerts are ambiguous: without a batch log the detector may rightly have emitted them or not")
        }
        if outcomes.open > 0 { notes.append("\(outcomes.open) windows are still open (their end is past the final watermark)") }
        if events.generatorDisagreements.malformed > 0 {
            notes.append("\(events.generatorDisagreements.malformed) records: the generator's malformed flag disagrees with this decoding")
        }
        if events.generatorDisagreements.matching > 0 {
            notes.append("\(events.generatorDisagreements.matching) records: the generator's matching flag disagrees with this decoding")
        }
        return notes
    }
}

/// The comparison of one (window, user), shared by the verdict and the diagnosis's variants.
struct AlertJudge {
    let expected: ExpectedOutcome
    let histories: [AlertKey: AlertHistory]
    let partialBatches: Set<Int64>
    /// Every (window, user) that is expected (by the rule or a variant), observed, or counted by
    /// processing time.
    let keys: Set<AlertKey>

    /// What a variant detector counts for the diagnosis: a rule variant, the threshold lowered by one, or
    /// windows by processing time.
    enum Counting: Equatable {
        case rule
        case variant(Variant)
        case thresholdLowered
        case processingTime
    }

    init(expected: ExpectedOutcome, histories: [AlertKey: AlertHistory], partialBatches: Set<Int64>) {
        self.expected = expected
        self.histories = histories
        self.partialBatches = partialBatches
        let size = expected.rule.windowMs
        var keys = Set(histories.keys)
        for key in expected.windows.keys {
            keys.insert(AlertKey(start: key.start, end: key.start + size, user: key.user))
        }
        for key in expected.processingTimeCounts.keys {
            keys.insert(AlertKey(start: key.start, end: key.start + size, user: key.user))
        }
        self.keys = keys
    }

    func expectation(_ key: AlertKey) -> WindowExpectation? {
        guard key.end == key.start.clampedAdding(expected.rule.windowMs) else { return nil }
        return expected.windows[WindowKey(start: key.start, user: key.user)]
    }

    func outcome(_ key: AlertKey, counting: Counting) -> AlertOutcome? {
        let expectation = expectation(key)
        let observed = histories[key]?.final?.count
        let isOpen = expectation?.isOpen ?? expected.isOpenWithoutEvents(start: key.start, end: key.end)
        let threshold = expected.rule.threshold - (counting == .thresholdLowered ? 1 : 0)
        return alertOutcome(
            expected: count(key, counting: counting), isOpen: isOpen, observed: observed, threshold: threshold,
            evidenceIsPartial: evidenceIsPartial(expectation))
    }

    /// Whether `counting` knows this window's count exactly (always so in exact mode).
    func predictsExactly(_ key: AlertKey, counting: Counting) -> Bool {
        count(key, counting: counting)?.isExact ?? true
    }

    private func count(_ key: AlertKey, counting: Counting) -> CountRange? {
        switch counting {
        case .rule, .thresholdLowered: return expectation(key)?.count
        case .variant(let variant): return expectation(key)?.count(variant)
        case .processingTime:
            guard key.end == key.start.clampedAdding(expected.rule.windowMs) else { return nil }
            return expected.processingTimeCounts[WindowKey(start: key.start, user: key.user)].map { CountRange(exactly: $0) }
        }
    }

    /// Whether the output that should prove this window's final count may have been cut off.
    private func evidenceIsPartial(_ expectation: WindowExpectation?) -> Bool {
        guard !partialBatches.isEmpty else { return false }
        guard expected.mode == .exact else { return true }
        return expectation?.evidenceBatch.map { partialBatches.contains($0) } ?? false
    }

    func finding(_ key: AlertKey, outcome: AlertOutcome) -> AlertFinding {
        let expectation = expectation(key)
        let final = histories[key]?.final
        var note: String?
        if key.end.clampedSubtracting(key.start) != expected.rule.windowMs {
            note = "window of \(key.end.clampedSubtracting(key.start)) ms, the rule's windows are \(expected.rule.windowMs) ms"
        } else if outcome == .ambiguous, let expectation, expectation.count.lower > expected.rule.threshold,
            (final.map { $0.count < expectation.count.lower } ?? true)
        {
            // A window that must alert is only ambiguous when a partial table may hide its final count.
            note = "its evidence fell into a partial table"
        }
        return AlertFinding(
            outcome: outcome, windowStart: key.start, windowEnd: key.end, userId: ShownIdentifier.shown(key.user.description),
            expected: expectation?.count,
            observed: final?.count, batch: final?.batch, line: final?.line, note: note)
    }
}
