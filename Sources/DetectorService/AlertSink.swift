import Contracts

/// An alert output. `write` is called once per batch, also for batches without alerts, and must have made
/// the alerts durable (or delivered) when it returns: the checkpoint that follows records them as written.
protocol AlertSink: AnyObject {
    func write(_ alerts: [AlertRecord], batch: Int64) throws(DetectorError)
}
