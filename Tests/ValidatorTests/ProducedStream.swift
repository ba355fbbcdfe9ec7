import Contracts
import EventModel
import Foundation
import Kafka
import Manifest

/// One record as the test produced it and the broker acknowledged it.
struct ProducedRecord {
    let partition: Int32
    let offset: Int64
    let sequence: UInt64
    let value: [UInt8]
    /// When the delivery report arrived, epoch milliseconds.
    let ackedAtMs: Int64
}

/// A small stand-in for `windtunnel generate` (written in parallel): synthesizes events with
/// `EventSynthesizer`, produces them paced so that event time runs `speedup` times faster than the wall
/// clock, with `wt-worker`/`wt-seq` headers, and writes a manifest and `summary.json` as the generator does.
struct ProducedStream {
    var settings = GeneratorSettings()
    /// Events per second of event time.
    var eventsPerSecond = 100
    /// Seconds of event time.
    var seconds = 100
    /// Every n-th event carries the crash term.
    var termEvery = 5
    /// Event time runs this many times faster than the wall clock.
    var speedup = 10.0

    /// Produces the stream to `topic`, writes the manifest into `manifestFolder`, returns what was acknowledged.
    func produce(topic: String, client: ClientSettings, manifestFolder: String) throws -> [ProducedRecord] {
        let synthesizer = try EventSynthesizer(settings: settings, worker: 0)
        try FileManager.default.createDirectory(atPath: manifestFolder, withIntermediateDirectories: true)
        let start = Int64(Date().timeIntervalSince1970 * 1_000) / 10_000 * 10_000
        let header = ManifestHeader(settings: settings, workerIndex: 0, workerCount: 1, hostName: "test", startTimeMs: start)
        let writer = try ManifestWriter(path: "\(manifestFolder)/\(ManifestFormat.fileName(worker: 0))", header: header)
        let producer = try KafkaProducer(configuration: ProducerConfiguration(client: client))
        let count = eventsPerSecond * seconds
        var facts: [EventFacts] = []
        var values: [[UInt8]] = []
        var sentAtUs: [Int64] = []
        var records: [ProducedRecord] = []
        var failure: (any Error)?
        let report: (DeliveryReport) -> Void = { report in
            let sequence = Int(report.opaque)
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let acknowledgement: Acknowledgement =
                report.isAcknowledged
                ? .acked(partition: report.partition, offset: report.offset, atUs: now) : .failed(errorCode: report.errorCode, atUs: now)
            do {
                try writer.append(ManifestRecord(event: facts[sequence], sendTimeUs: sentAtUs[sequence], acknowledgement: acknowledgement))
            } catch {
                failure = error
            }
            if report.isAcknowledged {
                records.append(
                    ProducedRecord(
                        partition: report.partition, offset: report.offset, sequence: UInt64(sequence), value: values[sequence],
                        ackedAtMs: now / 1_000))
            }
        }
        let value = RecordBuffer()
        let key = RecordBuffer()
        let wallStart = Date()
        for index in 0..<count {
            let scheduledMs = start + Int64(index) * 1_000 / Int64(eventsPerSecond)
            let due = Double(scheduledMs - start) / 1_000 / speedup
            let wait = due - Date().timeIntervalSince(wallStart)
            if wait > 0.002 {
                producer.pollDeliveryReports(timeoutMs: Int32(wait * 1_000), report)
            }
            let event = synthesizer.synthesize(
                sequence: UInt64(index), scheduledMs: scheduledMs, carriesTerm: index % termEvery == 0, value: value, key: key)
            facts.append(event)
            values.append(Array(value.bytes))
            sentAtUs.append(Int64(Date().timeIntervalSince1970 * 1_000_000))
            while try producer.send(
                topic: topic, key: Array(key.bytes), value: values[index],
                headers: [("wt-worker", Array("0".utf8)), ("wt-seq", Array(String(index).utf8))], opaque: UInt64(index)) == .queueFull
            {
                producer.pollDeliveryReports(timeoutMs: 10, report)
            }
            producer.pollDeliveryReports(timeoutMs: 0, report)
        }
        try producer.flush(timeoutMs: 30_000, report)
        if let failure { throw failure }
        try writer.finish(endTimeMs: Int64(Date().timeIntervalSince1970 * 1_000))
        var ends: [String: Int64] = [:]
        for record in records { ends[String(record.partition)] = max(ends[String(record.partition)] ?? 0, record.offset + 1) }
        let summary: [String: Any] = ["acknowledged": records.count, "partition_end_offsets": ends]
        try JSONSerialization.data(withJSONObject: summary).write(to: URL(fileURLWithPath: "\(manifestFolder)/summary.json"))
        return records
    }
}
