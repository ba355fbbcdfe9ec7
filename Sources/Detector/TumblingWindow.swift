/// Tumbling event-time windows `[start, start + length)` with `start = floor(t / length) * length`.
enum TumblingWindow {
    /// The start of the window holding `eventTime`. Swift's `/` truncates towards zero, so negative times
    /// step down one window: -1 ms lies in `[-length, 0)`, not `[0, length)`.
    @inline(__always)
    static func start(of eventTime: Int64, length: Int64) -> Int64 {
        let quotient = eventTime / length
        let floored = eventTime % length < 0 ? quotient - 1 : quotient
        return floored * length
    }
}
