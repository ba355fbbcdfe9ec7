import Foundation
import GroundTruth
import Kafka

/// Reads every `--alerts` source and merges them into one output to judge: several detector instances each
/// write their own file, and together they are the detector's output.
public enum AlertCollection {
    /// Reads `sources` in order. Spark console times are read in `timeZone`; a Kafka source
    /// is read from offset 0 (see `TopicOpening.read`) until no record arrives for `idleMs`.
    public static func read(
        _ sources: [AlertSource], timeZone: ConsoleTimeZone = .utc, client: ClientSettings, idleMs: Int
    ) throws(ValidatorError) -> ObservedAlerts {
        guard !sources.isEmpty else { throw ValidatorError("no --alerts source was given") }
        var outputs: [ObservedAlerts] = []
        for source in sources {
            switch source {
            case .file(let format, let path):
                outputs.append(try readFile(path, format: format, timeZone: timeZone))
            case .kafka(let topic):
                outputs.append(try readTopic(topic, client: client, idleMs: idleMs))
            }
        }
        guard outputs.count > 1 else { return outputs[0] }
        return ObservedAlerts(
            source: outputs.map(\.source).joined(separator: ", "), format: outputs[0].format,
            alerts: outputs.flatMap(\.alerts), partialBatches: outputs.reduce(into: Set()) { $0.formUnion($1.partialBatches) })
    }

    static func readFile(_ path: String, format: AlertFormat, timeZone: ConsoleTimeZone) throws(ValidatorError) -> ObservedAlerts {
        let text = try TextFile.read(path, what: "alert file")
        do {
            return try AlertReader.read(text, format: format, source: path, timeZone: timeZone)
        } catch {
            throw ValidatorError("alert file \(error.description)")
        }
    }

    /// Reads one alert record per Kafka record value; a value that is not one names its partition and offset.
    /// A gap in a partition's offsets is fetched again before it is read past (`ContiguousReading`), so that
    /// no alert a fetch skipped goes missing.
    static func readTopic(_ topic: String, client: ClientSettings, idleMs: Int) throws(ValidatorError) -> ObservedAlerts {
        let opening = try TopicOpening(topic: topic, client: client)
        try opening.read()
        let source = "kafka:\(topic)"
        var alerts: [ObservedAlert] = []
        var failure: ValidatorError?
        var reading = ContiguousReading()
        var lastRecord = Date()
        do {
            while failure == nil, Date().timeIntervalSince(lastRecord) * 1_000 < Double(idleMs) {
                let outcome = try opening.consumer.consumeBatch(timeoutMs: 100) { record in
                    guard failure == nil, reading.admit(partition: record.partition, offset: record.offset) else { return }
                    do throws(AlertReadError) {
                        alerts.append(try AlertReader.jsonAlert(Array(record.value), source: source, line: alerts.count + 1))
                    } catch {
                        failure = ValidatorError("\(source) partition \(record.partition) offset \(record.offset): \(error.reason)")
                    }
                }
                if outcome.records > 0 { lastRecord = Date() }
                let moves = reading.takeMoves(topic: topic)
                if !moves.isEmpty { try opening.consumer.seek(moves) }
            }
        } catch {
            throw ValidatorError("reading alerts from \(source): \(error)")
        }
        if let failure { throw failure }
        return ObservedAlerts(source: source, format: .jsonl, alerts: alerts)
    }
}
