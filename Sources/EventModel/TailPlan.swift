/// The tail a worker sends after its measured records (DESIGN.md, "Watermark semantics"): a detector's
/// watermark only moves with new matching data, so without it the last `window + delay` of the stream never
/// closes. For `window + delay + 10 s` of event time the tail sends a few matching records per second, from
/// users of its own who never reach the threshold (see `TailEvents`).
public struct TailPlan: Codable, Sendable, Equatable {
    /// Tail records per second of event time, per worker. Default: 5.
    public var recordsPerSecond: Int = 5
    /// How many times faster than real time the tail is sent; event times keep their spacing. Default: 1.
    public var speedup: Int = 1
    /// The event time the tail covers, milliseconds.
    public var spanMs: Int64

    /// The tail that closes every window for a detector with `windowMs` windows and a `watermarkDelayMs` delay.
    public init(windowMs: Int64, watermarkDelayMs: Int64, speedup: Int = 1) {
        spanMs = windowMs + watermarkDelayMs + 10_000
        self.speedup = speedup
    }

    /// Records in the tail.
    public var count: Int { Int(spanMs * Int64(recordsPerSecond) / 1_000) }

    /// Records per second of wall-clock time.
    public var sendingRate: Int { recordsPerSecond * speedup }

    /// The event time of tail record `index` when the measured stream's timetable ends at `endMs`.
    public func eventTimeMs(of index: Int, measuredEndMs endMs: Int64) -> Int64 {
        endMs + Int64(index) * 1_000 / Int64(recordsPerSecond)
    }

    enum CodingKeys: String, CodingKey {
        case recordsPerSecond = "records_per_second"
        case speedup
        case spanMs = "span_ms"
    }
}
