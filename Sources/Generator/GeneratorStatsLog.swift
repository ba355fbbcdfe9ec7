import Contracts
import Foundation

/// `generate --stats-log`: appends the workers' figures together as one `GeneratorStatsEntry` line a second,
/// and a last line with the final figures, so that another process (`windtunnel run`'s live view) can follow
/// the generator without parsing its progress text. Appends, so that the generators of a ramp's steps can
/// share one file.
public final class GeneratorStatsLog {
    private let handle: FileHandle

    /// Opens `path` for appending, creating it when missing.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit {
        try? handle.close()
    }

    /// Appends the sum of the workers' latest figures (workers that sent none yet count nothing).
    public func record(_ stats: [WorkerStats?]) {
        var ends: [Int32: Int64] = [:]
        for worker in stats.compactMap({ $0 }) {
            for (partition, end) in worker.partitionEnds.enumerated() where end >= 0 {
                ends[Int32(partition)] = max(ends[Int32(partition)] ?? 0, end)
            }
        }
        let known = stats.compactMap { $0 }
        append(
            GeneratorStatsEntry(
                atMs: Self.nowMs(), sent: known.map(\.sent).reduce(0, +), acknowledged: known.map(\.acknowledged).reduce(0, +),
                partitionEnds: ends))
    }

    /// Appends the final figures.
    public func finish(_ summary: GenerationSummary) {
        let ends = Dictionary(uniqueKeysWithValues: summary.partitionEndOffsets.compactMap { key, end in Int32(key).map { ($0, end) } })
        append(GeneratorStatsEntry(atMs: Self.nowMs(), sent: summary.sent, acknowledged: summary.acknowledged, partitionEnds: ends))
    }

    private func append(_ entry: GeneratorStatsEntry) {
        // One write per line, so that a reader never sees two lines interleaved.
        try? handle.write(contentsOf: Data((entry.jsonLine + "\n").utf8))
    }

    private static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }
}
