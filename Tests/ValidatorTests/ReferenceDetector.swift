import Contracts
import Foundation

/// A small, slow, obviously written detector that builds the alerts and batch logs the end-to-end tests
/// judge. It is written from DESIGN.md's rule, shares no code with the validator (it parses with
/// Foundation's JSONSerialization), and runs like a Spark job in micro-batches:
///
/// - each instance owns some partitions and keeps its own watermark;
/// - batch n starts at `firstBatchAt + n * triggerMs` and reads, per partition in offset order, every
///   record acknowledged by then;
/// - the watermark in force for batch n is W(n) = max(W(n-1), max matching event time in batches before n
///   - delay), W(0) = 0; a row of batch n is dropped when its window end <= W(n-1); a window is evicted (and
///   in append mode emitted) once its end <= W(n); update mode emits every changed count above the threshold.
struct ReferenceDetector {
    let rule: RuleSettings
    /// Partitions of each instance, by instance.
    let instances: [[Int32]]
    let triggerMs: Int64
    /// Batches after the last record, so that the watermark can move past the last windows.
    var trailingBatches = 2

    struct Output {
        /// Per instance.
        var alerts: [[AlertRecord]]
        var batchLogs: [[BatchLogEntry]]
    }

    func run(_ records: [ProducedRecord]) -> Output {
        var output = Output(alerts: [], batchLogs: [])
        let first = records.map(\.ackedAtMs).min() ?? 0
        let last = records.map(\.ackedAtMs).max() ?? 0
        for (index, partitions) in instances.enumerated() {
            let mine = records.filter { partitions.contains($0.partition) }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
            let (alerts, log) = runInstance("detector-\(index)", partitions: partitions, records: mine, first: first, last: last)
            output.alerts.append(alerts)
            output.batchLogs.append(log)
        }
        return output
    }

    private struct Event {
        let timestamp: Int64
        let user: String
        let matches: Bool
    }

    private func parse(_ value: [UInt8]) -> Event? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value)) as? [String: Any],
            let number = object["timestamp"] as? NSNumber,
            let severity = object["severity"] as? String, let user = object["user_id"] as? String, let content = object["content"] as? String
        else { return nil }
        let hasTerm =
            rule.matching == .caseSensitive ? content.contains(rule.term) : content.lowercased().contains(rule.term.lowercased())
        return Event(timestamp: number.int64Value, user: user, matches: hasTerm && rule.severities.contains { $0.rawValue == severity })
    }

    private func runInstance(
        _ name: String, partitions: [Int32], records: [ProducedRecord], first: Int64, last: Int64
    ) -> ([AlertRecord], [BatchLogEntry]) {
        var next: [Int32: Int] = [:]
        var byPartition: [Int32: [ProducedRecord]] = [:]
        for record in records { byPartition[record.partition, default: []].append(record) }
        var endOffsets: [Int32: Int64] = Dictionary(uniqueKeysWithValues: partitions.map { ($0, 0) })
        var counts: [String: (start: Int64, user: String, count: Int)] = [:]
        var watermark: Int64 = 0
        var maxSeen: Int64?
        var alerts: [AlertRecord] = []
        var log: [BatchLogEntry] = []
        var batch: Int64 = 0
        var remaining = records.count
        var trailing = trailingBatches
        while remaining > 0 || trailing > 0 {
            if remaining == 0 { trailing -= 1 }
            let startedAt = first + (batch + 1) * triggerMs
            let late = watermark
            if batch > 0, let maxSeen { watermark = max(watermark, maxSeen - rule.watermarkDelayMs) }
            var batchMax: Int64?
            var changed: [String] = []
            for partition in partitions {
                let list = byPartition[partition] ?? []
                // Offset order: a record is read once it and every earlier one of its partition are acknowledged.
                while let position = next[partition, default: 0] as Int?, position < list.count, list[position].ackedAtMs <= startedAt {
                    let record = list[position]
                    next[partition] = position + 1
                    endOffsets[partition] = record.offset + 1
                    remaining -= 1
                    guard let event = parse(record.value), event.matches else { continue }
                    batchMax = max(batchMax ?? event.timestamp, event.timestamp)
                    let start = Self.floor(event.timestamp, rule.windowMs)
                    if start + rule.windowMs <= late { continue }
                    let key = "\(start)|\(event.user)"
                    counts[key, default: (start, event.user, 0)].count += 1
                    if !changed.contains(key) { changed.append(key) }
                }
            }
            let endedAt = startedAt + 50
            func alert(_ key: String) -> AlertRecord? {
                guard let entry = counts[key], entry.count > rule.threshold else { return nil }
                return AlertRecord(
                    windowStart: entry.start, windowEnd: entry.start + rule.windowMs, userId: entry.user, crashCount: entry.count,
                    emittedAt: endedAt, batch: batch)
            }
            if rule.mode == .update { alerts += changed.compactMap(alert) }
            for key in counts.keys.sorted() where counts[key].map({ $0.start + rule.windowMs <= watermark }) == true {
                if rule.mode == .append, let alert = alert(key) { alerts.append(alert) }
                counts[key] = nil
            }
            if let batchMax { maxSeen = max(maxSeen ?? batchMax, batchMax) }
            log.append(
                BatchLogEntry(
                    batch: batch, lateWatermarkMs: late, evictionWatermarkMs: watermark, endOffsets: endOffsets, startedAt: startedAt,
                    endedAt: endedAt, instance: name, partitions: partitions))
            batch += 1
        }
        return (alerts, log)
    }

    static func floor(_ value: Int64, _ size: Int64) -> Int64 {
        value >= 0 ? value / size * size : -((-value + size - 1) / size) * size
    }
}
