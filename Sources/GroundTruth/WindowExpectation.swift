/// What a correct detector outputs for one (window, user), as ground truth computed it.
public struct WindowExpectation: Sendable {
    public let key: WindowKey
    /// Window end, epoch milliseconds (exclusive).
    public let end: Int64
    /// Matching events the rule counts: exact in exact mode, [certain, certain + ambiguous] in interval mode.
    public let count: CountRange
    /// Matching events the rule drops as late, in the same form.
    public let dropped: CountRange
    /// Of `dropped`, the events the generator sent on time, in the same form.
    public let onTimeDropped: CountRange
    /// Exact mode: matching events no logged batch read.
    public let unread: Int
    /// The window's end is past the final watermark: the window may still change, so it is never failed.
    public let isOpen: Bool
    /// When the watermark passed the window's end: the start of the batch that closed it (exact), or the
    /// readability time of the records that pushed the watermark past it (interval). Nil while open.
    public let watermarkPassedAt: Int64?
    /// Exact mode: the batch whose output must carry the final count, the last one whose count changed
    /// (update mode) or the one that closed the window (append mode). Nil below the threshold, in interval
    /// mode, and when unknown.
    public let evidenceBatch: Int64?
    /// Counts of each variant, by `Variant.rawValue`.
    let variantCounts: [CountRange]

    func count(_ variant: Variant) -> CountRange { variantCounts[variant.rawValue] }
}
