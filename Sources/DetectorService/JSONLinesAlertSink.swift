import Contracts

/// Appends alerts as JSON lines and syncs the file every batch. Its length goes into each checkpoint; a
/// restart cuts the file back to it, so a batch that crashed half-way is written again exactly once.
final class JSONLinesAlertSink: AlertSink {
    let log: AppendOnlyLog

    init(path: String, cutTo length: Int64?) throws(DetectorError) {
        do {
            log = try AppendOnlyLog(path: path, truncatingTo: length)
        } catch {
            throw DetectorError("alerts file \(path): \(error.description)")
        }
    }

    func write(_ alerts: [AlertRecord], batch: Int64) throws(DetectorError) {
        guard !alerts.isEmpty else { return }
        var text = ""
        for alert in alerts {
            text += alert.jsonLine
            text += "\n"
        }
        do {
            try log.append(text)
            try log.sync()
        } catch {
            throw DetectorError("alerts file \(log.path): \(error.description)")
        }
    }
}
