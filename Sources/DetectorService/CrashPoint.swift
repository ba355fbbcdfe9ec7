import Foundation

/// A test hook: where in which batch the detector kills itself with SIGKILL, to prove that a restart from
/// the checkpoint neither loses nor double-counts anything. Read from the environment variable
/// `WINDTUNNEL_DETECT_DIE_AT=<point>:<batch>`, e.g. `after-alerts:3`, or `<point>:alerts` for the first batch that
/// writes an alert (`after-alerts` and `after-rename` only), so that a test of a crash mid-output always
/// has output to cut back. Not meant for anything but tests.
public struct CrashPoint: Sendable, Equatable {
    /// The environment variable that sets it.
    public static let environmentVariable = "WINDTUNNEL_DETECT_DIE_AT"

    /// The three points of a batch where a crash tests something different.
    public enum Point: String, Sendable, CaseIterable {
        /// The batch's records are read and its end offsets planned, nothing written yet.
        case afterConsume = "after-consume"
        /// Alerts and the batch-log line are written, the checkpoint is not.
        case afterAlerts = "after-alerts"
        /// The checkpoint has just been renamed into place; offsets are not committed to the group.
        case afterRename = "after-rename"
    }

    /// Which batch the hook fires in.
    public enum Batch: Sendable, Equatable {
        /// The batch with this id.
        case id(Int64)
        /// The first batch that writes at least one alert.
        case firstWithAlerts
    }

    public var point: Point
    public var batch: Batch

    public init(point: Point, batch: Batch) {
        self.point = point
        self.batch = batch
    }

    /// Reads `<point>:<batch>` or `<point>:alerts`.
    public init(parsing text: String) throws(DetectorError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let point = parts.count == 2 ? Point(rawValue: String(parts[0])) : nil
        let batch: Batch? =
            switch parts.count == 2 ? String(parts[1]) : "" {
            case "alerts" where point != .afterConsume: .firstWithAlerts
            case let id: Int64(id).flatMap { $0 >= 0 ? .id($0) : nil }
            }
        guard let point, let batch else {
            throw DetectorError(
                "\(Self.environmentVariable)='\(text)' must be <point>:<batch> with point one of "
                    + Point.allCases.map(\.rawValue).joined(separator: ", ")
                    + " and batch a batch id, or 'alerts' after the alerts are written")
        }
        self.init(point: point, batch: batch)
    }

    /// The hook set in the environment, if any.
    public static func fromEnvironment() throws(DetectorError) -> CrashPoint? {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty else { return nil }
        return try CrashPoint(parsing: text)
    }

    /// Kills the process when `point` of `batch` is this hook's; `alerts` is how many the batch wrote
    /// (nil before they are known).
    func trigger(at point: Point, batch: Int64, alerts: Int? = nil) {
        guard point == self.point else { return }
        switch self.batch {
        case .id(let id): guard batch == id else { return }
        case .firstWithAlerts: guard let alerts, alerts > 0 else { return }
        }
        FileHandle.standardError.write(Data("windtunnel detect: test hook: killing myself \(point.rawValue) batch \(batch)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
