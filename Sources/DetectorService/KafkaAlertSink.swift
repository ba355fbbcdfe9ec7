import Contracts
import Kafka

/// Produces alerts to a Kafka topic, keyed by user id, and waits for every delivery before the batch is
/// checkpointed. A batch replayed after a crash produces its records again with the same batch id, which is
/// how a reader recognises a replay (Kafka offers no cut-back).
final class KafkaAlertSink: AlertSink {
    private let producer: KafkaProducer
    private let topic: String

    init(topic: String, client: ClientSettings) throws(DetectorError) {
        self.topic = topic
        do {
            producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        } catch {
            throw DetectorError("alerts topic \(topic): \(error.message)")
        }
    }

    func write(_ alerts: [AlertRecord], batch: Int64) throws(DetectorError) {
        guard !alerts.isEmpty else { return }
        var failures = 0
        do {
            for alert in alerts {
                while try producer.send(topic: topic, key: Array(alert.userId.utf8), value: Array(alert.jsonLine.utf8)) == .queueFull {
                    producer.pollDeliveryReports(timeoutMs: 10) { if !$0.isAcknowledged { failures += 1 } }
                }
            }
            try producer.flush(timeoutMs: 60_000) { if !$0.isAcknowledged { failures += 1 } }
        } catch {
            throw DetectorError("alerts topic \(topic): \(error.message)")
        }
        guard failures == 0 else {
            throw DetectorError("alerts topic \(topic): \(failures) alert records of batch \(batch) were not acknowledged")
        }
    }
}
