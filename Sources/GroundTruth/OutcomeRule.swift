/// Classifies one (window, user) from its expected count and its observed final count; nil when there is
/// nothing to report (no alert expected, possible or observed).
///
/// - An open window is `open`, whatever was observed.
/// - Observed while no count above the threshold is possible: `spurious`.
/// - Not observed: `missing` when it must alert (unless `evidenceIsPartial`: then `ambiguous`), `ambiguous`
///   when it may alert.
/// - Observed with a count outside the expected range: `countMismatch` (a too-low count whose evidence is
///   partial is `ambiguous`). Inside the range: `matched` when it must alert, `ambiguous` when it may, and
///   `spurious` when the observed count itself is not above the threshold.
func alertOutcome(expected: CountRange?, isOpen: Bool, observed: Int?, threshold: Int, evidenceIsPartial: Bool) -> AlertOutcome? {
    let range = expected ?? CountRange(exactly: 0)
    let mustAlert = range.lower > threshold
    let mayAlert = range.upper > threshold
    if isOpen { return observed != nil || mayAlert ? .open : nil }
    guard let observed else {
        if mustAlert { return evidenceIsPartial ? .ambiguous : .missing }
        return mayAlert ? .ambiguous : nil
    }
    guard mayAlert else { return .spurious }
    guard range.contains(observed) else {
        return observed < range.lower && evidenceIsPartial ? .ambiguous : .countMismatch
    }
    guard observed > threshold else { return .spurious }
    return mustAlert ? .matched : .ambiguous
}
