import Contracts
import Foundation
import GroundTruth
import Kafka

/// Judges a detector's outputs with the validator's core, in exact mode: the topic replayed from the
/// start, the batch logs, and the alerts of every instance.
struct RunJudge {
    let client: ClientSettings
    let topic: String
    let partitions: Int
    let records: Int

    /// Every record of the topic, read from the start by partition assignment.
    func replay() throws -> [InputRecord] {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(client: client, groupID: "judge"))
        try consumer.assign((0..<partitions).map { TopicPartition(topic: topic, partition: Int32($0), offset: TopicPartition.beginning) })
        var inputs: [InputRecord] = []
        let deadline = Date().addingTimeInterval(60)
        while inputs.count < records, Date() < deadline {
            try consumer.consumeBatch(timeoutMs: 200) { record in
                inputs.append(
                    InputRecord(
                        partition: record.partition, offset: record.offset, kafkaTimestampMs: record.timestamp,
                        value: Array(record.value)))
            }
        }
        consumer.close()
        return inputs
    }

    /// The verdict of alerts files (and `observed`, alerts read otherwise) and batch logs (one per instance)
    /// against the replayed topic.
    func judge(
        rule: RuleSettings, alertFiles: [String], batchLogs: [String], inputs: [InputRecord], observed: ObservedAlerts? = nil
    ) throws -> ValidationResult {
        var entries: [BatchLogEntry] = []
        for path in batchLogs {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            entries += try text.split(separator: "\n").map { try BatchLogEntry(jsonLine: $0) }
        }
        var tally = try ReplayTally(rule: rule, batchLog: entries)
        for input in inputs { tally.record(input) }
        var alerts: [ObservedAlert] = []
        for path in alertFiles {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            alerts += try AlertReader.read(text, format: .jsonl, source: path).alerts
        }
        let output = observed.map { ObservedAlerts(source: $0.source, format: $0.format, alerts: alerts + $0.alerts, partialBatches: $0.partialBatches) }
        return ValidationResult(expected: tally.finish(), observed: output ?? ObservedAlerts(source: "alerts", format: .jsonl, alerts: alerts))
    }
}

/// Per (window start, user), the count of the last emission in file order: the final alerts of one output
/// whose emissions for a key come from one instance at a time.
func finalAlerts(_ paths: [String]) throws -> [String: Int] {
    var finals: [String: Int] = [:]
    for path in paths {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let alert = try AlertRecord(jsonLine: line)
            finals["\(alert.windowStart) \(alert.userId)"] = alert.crashCount
        }
    }
    return finals
}
