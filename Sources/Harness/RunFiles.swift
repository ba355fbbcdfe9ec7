import Contracts
import Foundation

/// The part of the generator's `summary.json` (in its manifest folder) that a run needs.
struct GeneratorSummaryFile: Decodable {
    /// Records the broker acknowledged.
    let acknowledged: Int
    /// Per partition, one past the highest acknowledged offset.
    let partitionEndOffsets: [Int32: Int64]
    /// Records per second the generator achieved.
    let achievedRps: Double?
    /// Records per second asked of it.
    let targetRps: Double?
    /// Records handed to the producer, tail included.
    let sent: Int
    /// Records whose delivery failed.
    let deliveryFailures: Int
    /// Records with no delivery report when their worker stopped.
    let unacknowledged: Int
    /// What went wrong, in the generator's words.
    let problems: [String]

    enum CodingKeys: String, CodingKey {
        case acknowledged, sent, unacknowledged, problems
        case partitionEndOffsets = "partition_end_offsets"
        case achievedRps = "achieved_rps"
        case targetRps = "target_rps"
        case deliveryFailures = "delivery_failures"
    }

    /// The rate of records the broker acknowledged against the target: the sending rate scaled by the
    /// share of what was sent that arrived, so that a generator that sent on time into a dead broker does
    /// not count as having achieved its rate. Nil without a target.
    var deliveredRateFraction: Double? {
        guard let achievedRps, let targetRps, targetRps > 0, sent > 0 else { return nil }
        return achievedRps / targetRps * Double(acknowledged) / Double(sent)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        acknowledged = try container.decode(Int.self, forKey: .acknowledged)
        let ends = try container.decode([String: Int64].self, forKey: .partitionEndOffsets)
        partitionEndOffsets = Dictionary(uniqueKeysWithValues: ends.compactMap { key, value in Int32(key).map { ($0, value) } })
        achievedRps = try container.decodeIfPresent(Double.self, forKey: .achievedRps)
        targetRps = try container.decodeIfPresent(Double.self, forKey: .targetRps)
        sent = try container.decodeIfPresent(Int.self, forKey: .sent) ?? acknowledged
        deliveryFailures = try container.decodeIfPresent(Int.self, forKey: .deliveryFailures) ?? 0
        unacknowledged = try container.decodeIfPresent(Int.self, forKey: .unacknowledged) ?? 0
        problems = try container.decodeIfPresent([String].self, forKey: .problems) ?? []
    }

    /// Reads `<folder>/summary.json`, or nil when it is missing or unreadable.
    static func read(folder: String) -> GeneratorSummaryFile? {
        guard let data = FileManager.default.contents(atPath: "\(folder)/summary.json") else { return nil }
        return try? JSONDecoder().decode(GeneratorSummaryFile.self, from: data)
    }
}

/// Reading a batch log while its detector may still be appending to it.
enum BatchLogFile {
    /// The complete lines that parse; a half-written last line is skipped.
    static func entries(path: String) -> [BatchLogEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? BatchLogEntry(jsonLine: $0) }
    }
}
