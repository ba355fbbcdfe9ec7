/// Interval mode's model of when a detector without a batch log could have read each record, from which
/// the lowest and highest late-row watermark it could have applied to that record follow.
///
/// The model: a record becomes readable at its ack time (from the manifest) or, without one, at its Kafka
/// timestamp (the send time). A consumer may read a record before its producer has the ack, so with a
/// manifest the true time lies between the send time and the ack time: `sendToAckMs`, the longest such
/// spread of the run, widens the slack (every bound below holds with `slack + sendToAckMs` when each
/// readability time is known only within that spread below it). Records of one partition are read in offset order, so a record counts as
/// readable only once every earlier record of its partition is (its *effective* readability `t`). The
/// detector runs batches one after another; batch `n` takes a snapshot at time `s(n)` (strictly increasing)
/// and reads records readable by then; every record is read by a batch with `t <= s(n) <= t + slack`.
/// Under the rule `late(n) = max(0, maxSeen(n - 2) - delay)` (and 0 for `n < 2`), for a record read in
/// batch `n`:
/// - **Highest:** records of batches up to `n - 2` were readable before `s(n) <= t + slack`, so
///   `late(n) <= max(0, M(< t + slack) - delay)`, where `M(< x)` is the largest event time of the matching
///   records readable before `x`.
/// - **Lowest:** any record `p` readable before `t - slack` must have been read before batch `n`, so
///   `s(n - 1) >= A`, the latest such readability time; any record readable before `A - slack` must then
///   have been read by batch `n - 2`, so `late(n) >= max(0, M(< A - slack) - delay)`. Early in the stream
///   no record qualifies and the bound is 0: the detector's first two batches drop nothing.
///
/// Times are kept at `resolutionMs`; rounding always widens the bounds, never narrows them. The
/// randomized test in GroundTruthTests simulates batchings that obey this model and checks the bounds.
public struct ReadabilityModel: Sendable, Codable, Equatable {
    /// Longest time from a record becoming readable to the snapshot of the batch that reads it: the
    /// trigger interval plus the longest batch, plus any produce-to-readable delay when Kafka timestamps
    /// stand in for ack times. Default: 11 s (a 1 s trigger and batches of up to 10 s).
    public var slackMs: Int64
    /// Granularity at which readability times are kept; memory grows with the run's length divided by it.
    /// Default: 250 ms.
    public var resolutionMs: Int64

    /// The longest time from a record's send (its Kafka timestamp) to its ack in the run; 0 without ack times.
    /// Set by the tally from the records it saw.
    public var sendToAckMs: Int64

    public init(slackMs: Int64 = 11_000, resolutionMs: Int64 = 250, sendToAckMs: Int64 = 0) {
        self.slackMs = slackMs
        self.resolutionMs = resolutionMs
        self.sendToAckMs = sendToAckMs
    }

    private enum CodingKeys: String, CodingKey {
        case slackMs, resolutionMs, sendToAckMs
    }

    /// Reads a model; reports written before `sendToAckMs` existed lack it and read as 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slackMs = try container.decode(Int64.self, forKey: .slackMs)
        resolutionMs = try container.decode(Int64.self, forKey: .resolutionMs)
        sendToAckMs = try container.decodeIfPresent(Int64.self, forKey: .sendToAckMs) ?? 0
    }

    /// The slack the bounds are computed with: the detector's, widened by the readability times' uncertainty.
    var effectiveSlackMs: Int64 { slackMs.clampedAdding(sendToAckMs) }
}
