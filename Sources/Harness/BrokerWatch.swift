import Foundation
import Kafka

/// Asks the run's brokers for their metadata every second on a thread of its own, and says when they have
/// not answered for longer than `outageLimitMs`: a broker that vanished mid-run makes the generator's
/// records wait in librdkafka's queues and the detector wait for data, both silently, so the run has to be
/// told in so many words.
final class BrokerWatch: @unchecked Sendable {
    // Unchecked: the mutable state is guarded by `lock`; the admin client is used only by the watch's thread.
    /// What the watch concluded.
    struct Outage: Sendable {
        /// When the brokers last answered, epoch ms.
        var lastAnswerMs: Int64
        /// The error of the last failed request, in the client's words.
        var error: String
    }

    private let admin: KafkaAdmin
    private let outageLimitMs: Int64
    private let lock = NSLock()
    private var stopped = false
    private var lastAnswerMs: Int64
    private var lastError = ""
    private let finished = DispatchSemaphore(value: 0)

    /// Starts watching `client`'s brokers.
    init(client: ClientSettings, outageLimitMs: Int64) throws(KafkaError) {
        admin = try KafkaAdmin(client: client)
        self.outageLimitMs = outageLimitMs
        lastAnswerMs = Self.nowMs
        let thread = Thread { [self] in loop() }
        thread.name = "broker-watch"
        thread.start()
    }

    /// The outage, once the brokers have not answered for longer than the limit; nil while they answer.
    var outage: Outage? {
        lock.withLock {
            Self.nowMs - lastAnswerMs > outageLimitMs ? Outage(lastAnswerMs: lastAnswerMs, error: lastError) : nil
        }
    }

    /// Ends the watch; returns once its thread no longer uses the client.
    func stop() {
        let wasRunning = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if wasRunning { finished.wait() }
    }

    private func loop() {
        defer { finished.signal() }
        while !lock.withLock({ stopped }) {
            let started = Self.nowMs
            do {
                _ = try admin.brokers(timeoutMs: 2_000)
                lock.withLock { lastAnswerMs = Self.nowMs }
            } catch {
                lock.withLock { lastError = error.message }
            }
            let spent = Self.nowMs - started
            if spent < 1_000 { usleep(UInt32(1_000 - spent) * 1_000) }
        }
    }

    private static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }
}
