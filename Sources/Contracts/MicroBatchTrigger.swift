/// The micro-batch interval of a detector (`--trigger`, a scenario's `detector.trigger`), bounded in one place.
public enum MicroBatchTrigger {
    /// The longest interval: an hour. A batch that ends later than that is a typing mistake, and a detector
    /// that never ends a batch looks just like one that died.
    public static let longestMs: Int64 = 3_600_000
}
