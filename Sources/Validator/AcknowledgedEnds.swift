import Foundation
import Manifest

/// Where the acknowledged records of each partition end: one past the highest acknowledged offset. The
/// replay reads until it gets there, since Tansu's "latest offset" cannot be trusted (it is the start of
/// the last record batch).
public struct AcknowledgedEnds: Sendable, Equatable {
    /// Records the broker acknowledged.
    public var acknowledged: Int
    /// Per partition, one past the highest acknowledged offset.
    public var partitionEnds: [Int32: Int64]
    /// Where the numbers came from, for notes: the generator's `summary.json` or a scan of the manifests.
    public var origin: String

    /// Reads `summary.json` in the manifest folder (keys `acknowledged` and `partition_end_offsets`); when
    /// it is absent, scans the manifests themselves. A summary that exists but cannot be read is an error.
    public static func read(folder: String, directory: ManifestDirectory) throws(ValidatorError) -> AcknowledgedEnds {
        let path = URL(fileURLWithPath: folder).appendingPathComponent("summary.json").path
        if FileManager.default.fileExists(atPath: path) { return try summary(path) }
        return try scan(directory)
    }

    private struct SummaryFile: Decodable {
        let acknowledged: Int
        let partitionEndOffsets: [String: Int64]

        enum CodingKeys: String, CodingKey {
            case acknowledged
            case partitionEndOffsets = "partition_end_offsets"
        }
    }

    static func summary(_ path: String) throws(ValidatorError) -> AcknowledgedEnds {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidatorError("\(path) cannot be read") }
        let file: SummaryFile
        do {
            file = try JSONDecoder().decode(SummaryFile.self, from: data)
        } catch {
            throw ValidatorError("\(path) is not a generator summary with 'acknowledged' and 'partition_end_offsets': \(error.localizedDescription)")
        }
        var ends: [Int32: Int64] = [:]
        for (key, end) in file.partitionEndOffsets {
            guard let partition = Int32(key), partition >= 0, end >= 0 else {
                throw ValidatorError("\(path): partition_end_offsets has '\(key)': \(end); partitions and offsets must be non-negative integers")
            }
            ends[partition] = end
        }
        return AcknowledgedEnds(acknowledged: file.acknowledged, partitionEnds: ends, origin: path)
    }

    static func scan(_ directory: ManifestDirectory) throws(ValidatorError) -> AcknowledgedEnds {
        var ends: [Int32: Int64] = [:]
        var acknowledged = 0
        do {
            try directory.forEachRecord { _, record in
                guard case .acked(let partition, let offset, _) = record.acknowledgement else { return }
                acknowledged += 1
                ends[partition] = max(ends[partition] ?? 0, offset + 1)
            }
        } catch let error as ManifestError {
            throw ValidatorError(error.description)
        } catch {
            throw ValidatorError("reading the manifests in \(directory.path): \(error)")
        }
        return AcknowledgedEnds(acknowledged: acknowledged, partitionEnds: ends, origin: "a scan of the manifests in \(directory.path)")
    }
}
