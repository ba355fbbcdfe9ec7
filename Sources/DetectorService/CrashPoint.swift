import Foundation

/// A test hook: where in which batch the detector kills itself with SIGKILL, to prove that a restart from
/// the checkpoint neither loses nor double-counts anything. Read from the environment variable
/// `WINDTUNNEL_DETECT_DIE_AT=<point>:<batch>`, e.g. `after-alerts:3`. Not meant for anything but tests.
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

    public var point: Point
    public var batch: Int64

    public init(point: Point, batch: Int64) {
        self.point = point
        self.batch = batch
    }

    /// Reads `<point>:<batch>`.
    public init(parsing text: String) throws(DetectorError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let point = Point(rawValue: String(parts[0])), let batch = Int64(parts[1]), batch >= 0 else {
            throw DetectorError(
                "\(Self.environmentVariable)='\(text)' must be <point>:<batch> with point one of "
                    + Point.allCases.map(\.rawValue).joined(separator: ", ") + " and batch a batch id")
        }
        self.init(point: point, batch: batch)
    }

    /// The hook set in the environment, if any.
    public static func fromEnvironment() throws(DetectorError) -> CrashPoint? {
        guard let text = ProcessInfo.processInfo.environment[environmentVariable], !text.isEmpty else { return nil }
        return try CrashPoint(parsing: text)
    }

    /// Kills the process when `point` of `batch` is this hook's.
    func trigger(at point: Point, batch: Int64) {
        guard point == self.point, batch == self.batch else { return }
        FileHandle.standardError.write(Data("windtunnel detect: test hook: killing myself \(point.rawValue) batch \(batch)\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
