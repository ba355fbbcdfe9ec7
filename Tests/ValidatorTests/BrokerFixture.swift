import EmbeddedBroker
import Kafka

/// Runs `body` against a fresh embedded Tansu broker on a free port, and stops the broker afterwards.
func withEmbeddedBroker<R>(_ body: (TansuBroker) async throws -> R) async throws -> R {
    let broker = try TansuBroker.start()
    defer { broker.stop() }
    return try await body(broker)
}
