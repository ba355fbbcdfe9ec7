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

    enum CodingKeys: String, CodingKey {
        case acknowledged
        case partitionEndOffsets = "partition_end_offsets"
        case achievedRps = "achieved_rps"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        acknowledged = try container.decode(Int.self, forKey: .acknowledged)
        let ends = try container.decode([String: Int64].self, forKey: .partitionEndOffsets)
        partitionEndOffsets = Dictionary(uniqueKeysWithValues: ends.compactMap { key, value in Int32(key).map { ($0, value) } })
        achievedRps = try container.decodeIfPresent(Double.self, forKey: .achievedRps)
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
