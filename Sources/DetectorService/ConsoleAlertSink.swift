import Contracts
import Detector
import Foundation

/// Prints each batch as Spark's console sink does, on standard output.
final class ConsoleAlertSink: AlertSink {
    func write(_ alerts: [AlertRecord], batch: Int64) throws(DetectorError) {
        FileHandle.standardOutput.write(Data(ConsoleTable.render(batch: batch, alerts: alerts).utf8))
    }
}
