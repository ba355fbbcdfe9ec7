import CRdkafka
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// librdkafka's log lines, each distinct one printed once to standard error. librdkafka repeats a failing
/// connection's line every reconnect back-off (50 ms), which buries the one error line a user needs.
enum LibrdkafkaLog {
    private static let printed = Mutex<Set<String>>([])

    /// The callback handed to `rd_kafka_conf_set_log_cb`.
    static let callback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
        _, level, facility, text in
        guard let text else { return }
        let message = String(cString: text)
        let isNew = printed.withLock { seen in
            guard seen.count < 1_000 else { return false }
            return seen.insert(message).inserted
        }
        guard isNew else { return }
        let line = "librdkafka[\(level)] \(facility.map { String(cString: $0) } ?? "-"): \(message) (repeats not shown)\n"
        _ = line.utf8CString.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
