import Detector

/// The detector's figures after a batch, for live metrics (`detect --metrics-port`).
public struct BatchFigures: Sendable {
    public var batch: Int64
    /// Totals since the start (or the restored checkpoint).
    public var stats: DetectorStats
    /// Records behind the partitions' last known ends; nil before the first fetch.
    public var lag: Int64?
    public var lateWatermarkMs: Int64
    public var evictionWatermarkMs: Int64
    /// From the batch's first poll to its end.
    public var durationMs: Int64
}
