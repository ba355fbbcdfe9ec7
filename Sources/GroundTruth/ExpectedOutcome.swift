import Contracts

/// How ground truth was computed.
public enum ValidationMode: String, Sendable, Codable {
    /// A batch log gave every record's batch; expected counts and watermarks are exact.
    case exact
    /// No batch log; counts are ranges under `ReadabilityModel`.
    case interval
}

/// The finished ground truth: the expected outcome of every (window, user) with a matching event, the
/// recomputed watermarks, and what the topic held. `ValidationResult(expected:observed:)` compares it with
/// a detector's alerts.
public struct ExpectedOutcome: Sendable {
    public let rule: RuleSettings
    public let mode: ValidationMode
    /// The readability model, in interval mode.
    public let model: ReadabilityModel?
    public let events: EventSummary
    /// Every (window, user) with at least one event counted by the rule or by a diagnosed variant.
    public let windows: [WindowKey: WindowExpectation]
    /// Exact mode: logged batches whose watermarks differ from the recomputed ones.
    public let watermarkFindings: [WatermarkFinding]
    /// Exact mode: how many logged batches were checked (after replaced lines were dropped).
    public let checkedBatches: Int
    /// Exact mode: every logged watermark, late and eviction, is 0.
    public let loggedWatermarksAllZero: Bool
    /// The final eviction watermark, per instance in exact mode (sorted by instance), one entry in interval
    /// mode; windows ending after it are open.
    public let finalWatermarks: [InstanceWatermark]
    /// Rule-matching events counted by the window of their processing time.
    let processingTimeCounts: [WindowKey: Int]
    /// Event times of rule-matching events, smallest to largest.
    let matchingTimes: ClosedRange<Int64>?

    /// The expectation for one (window, user), nil when no matching event fell into it.
    public func window(start: Int64, user: String) -> WindowExpectation? {
        windows[WindowKey(start: start, user: UserKey(user))]
    }

    /// Whether a window no matching event fell into counts as open: its end is past every final watermark
    /// and it starts before the last matching event, so events may yet come. A window beyond all events
    /// (the year 58024 of a seconds-for-milliseconds bug) is not open.
    func isOpenWithoutEvents(start: Int64, end: Int64) -> Bool {
        guard let matchingTimes else { return false }
        let final = finalWatermarks.map(\.watermarkMs).max() ?? 0
        return end > final && start <= matchingTimes.upperBound
    }
}

/// An instance's final eviction watermark.
public struct InstanceWatermark: Sendable, Codable, Equatable {
    /// The instance name from the batch log; empty in interval mode.
    public var instance: String
    public var watermarkMs: Int64
}

extension ReplayTally {
    /// Finishes the tally: decides every slot's drops now that all watermarks are known.
    public func finish() -> ExpectedOutcome {
        var summary = self.summary
        summary.latenessClasses = latenessClassSummaries
        var windows: [WindowKey: WindowExpectation] = [:]
        windows.reserveCapacity(keys.count)
        let findings: [WatermarkFinding]
        let finals: [InstanceWatermark]
        if let plan {
            let timeline = ExactTimeline(plan: plan, slotMaxima: slotMaxima, rule: rule)
            for (key, tally) in keys {
                let expectation = exactExpectation(key, tally, timeline)
                summary.lateDropped = summary.lateDropped + expectation.dropped
                summary.onTimeDropped = summary.onTimeDropped + expectation.onTimeDropped
                windows[key] = expectation
            }
            findings = timeline.disagreements()
            finals = plan.instanceBatches.enumerated().map { instance, range in
                InstanceWatermark(
                    instance: plan.instances[instance],
                    watermarkMs: range.last.map { timeline.evictionWatermark(batch: $0, variant: .rule) } ?? 0)
            }
        } else {
            let timeline = IntervalTimeline(slotMaxima: slotMaxima, model: effectiveModel, ruleDelay: rule.watermarkDelayMs)
            for (key, tally) in keys {
                let expectation = intervalExpectation(key, tally, timeline)
                summary.lateDropped = summary.lateDropped + expectation.dropped
                summary.onTimeDropped = summary.onTimeDropped + expectation.onTimeDropped
                windows[key] = expectation
            }
            findings = []
            finals = [InstanceWatermark(instance: "", watermarkMs: timeline.finalWatermark)]
        }
        return ExpectedOutcome(
            rule: rule, mode: plan == nil ? .interval : .exact, model: plan == nil ? effectiveModel : nil, events: summary,
            windows: windows, watermarkFindings: findings, checkedBatches: plan?.batches.count ?? 0,
            loggedWatermarksAllZero: plan?.batches.allSatisfy { $0.entry.lateWatermarkMs == 0 && $0.entry.evictionWatermarkMs == 0 } ?? false,
            finalWatermarks: finals,
            processingTimeCounts: processingTimeCounts, matchingTimes: matchingTimes)
    }

    private func exactExpectation(_ key: WindowKey, _ tally: KeyTally, _ timeline: ExactTimeline) -> WindowExpectation {
        let end = key.start + rule.windowMs
        let slots = tally.slots.sorted { $0.slot < $1.slot }
        let read = slots.filter { $0.slot != Self.unreadSlot }
        let unread = slots.filter { $0.slot == Self.unreadSlot }.reduce(0) { $0 + $1.counts[.rule] }
        var counts: [CountRange] = []
        var ruleDropped = 0
        var onTimeDropped = 0
        for variant in Variant.allCases {
            var counted = 0
            for slot in read {
                let events = slot.counts[variant.rows]
                if end > timeline.lateWatermark(batch: Int(slot.slot), variant: variant) {
                    counted += events
                } else if variant == .rule {
                    ruleDropped += events
                    onTimeDropped += slot.onTime
                }
            }
            counts.append(CountRange(exactly: counted))
        }
        let finalCount = counts[Variant.rule.rawValue].lower
        let closing = read.last.flatMap { timeline.closingBatch(instance: timeline.plan.batches[Int($0.slot)].instance, windowEnd: end) }
        var evidence: Int64?
        if finalCount > rule.threshold {
            switch rule.mode {
            case .update:
                var running = 0
                for slot in read where end > timeline.lateWatermark(batch: Int(slot.slot), variant: .rule) && slot.counts[.rule] > 0 {
                    running += slot.counts[.rule]
                    if running > rule.threshold { evidence = timeline.plan.batches[Int(slot.slot)].id }
                }
            case .append:
                evidence = closing.map { timeline.plan.batches[$0].id }
            }
        }
        return WindowExpectation(
            key: key, end: end, count: counts[Variant.rule.rawValue], dropped: CountRange(exactly: ruleDropped),
            onTimeDropped: CountRange(exactly: onTimeDropped), unread: unread,
            isOpen: closing == nil, watermarkPassedAt: closing.map { timeline.plan.batches[$0].entry.startedAt },
            evidenceBatch: evidence, variantCounts: counts)
    }

    private func intervalExpectation(_ key: WindowKey, _ tally: KeyTally, _ timeline: IntervalTimeline) -> WindowExpectation {
        let end = key.start + rule.windowMs
        var counts: [CountRange] = []
        var ruleDropped = CountRange(exactly: 0)
        var onTimeDropped = CountRange(exactly: 0)
        for variant in Variant.allCases {
            var certain = 0
            var ambiguous = 0
            var dropped = 0
            var onTime = CountRange(exactly: 0)
            for slot in tally.slots {
                let events = slot.counts[variant.rows]
                guard events > 0 else { continue }
                let bounds = timeline.lateBounds(bucket: slot.slot, variant: variant)
                if end > bounds.high {
                    certain += events
                } else if end <= bounds.low {
                    dropped += events
                    onTime = onTime + CountRange(exactly: slot.onTime)
                } else {
                    ambiguous += events
                    onTime = onTime + CountRange(lower: 0, upper: slot.onTime)
                }
            }
            counts.append(CountRange(lower: certain, upper: certain + ambiguous))
            if variant == .rule {
                ruleDropped = CountRange(lower: dropped, upper: dropped + ambiguous)
                onTimeDropped = onTime
            }
        }
        let isOpen = end > timeline.finalWatermark
        return WindowExpectation(
            key: key, end: end, count: counts[Variant.rule.rawValue], dropped: ruleDropped, onTimeDropped: onTimeDropped, unread: 0,
            isOpen: isOpen,
            watermarkPassedAt: isOpen ? nil : timeline.watermarkPassTime(windowEnd: end), evidenceBatch: nil,
            variantCounts: counts)
    }
}
