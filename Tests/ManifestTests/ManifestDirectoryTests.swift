import Contracts
import EventModel
import Foundation
import Manifest
import Testing

@Suite("Manifest folders")
struct ManifestDirectoryTests {
    @Test("file names follow worker-<index>.wtm")
    func fileNames() {
        #expect(ManifestFormat.fileName(worker: 12) == "worker-12.wtm")
        #expect(ManifestFormat.worker(inFileName: "worker-12.wtm") == 12)
        for name in ["worker-.wtm", "worker-x.wtm", "worker-1.txt", "report.md", "worker--1.wtm"] {
            #expect(ManifestFormat.worker(inFileName: name) == nil)
        }
    }

    @Test("the summary of a folder counts every worker's records, complete or cut short")
    func summary() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        var all: [ManifestRecord] = []
        for worker in 0..<3 {
            let records = randomRecords(worker == 2 ? 2_500 : 4_000 + worker * 100, seed: UInt64(20 + worker))
            all += worker == 2 ? Array(records.prefix(2_000)) : records
            let writer = try ManifestWriter(path: folder.file(ManifestFormat.fileName(worker: worker)), header: header(worker: worker, of: 3), chunkRecords: 1_000)
            for record in records { try writer.append(record) }
            // Worker 2 "dies" after two full chunks: its last 500 records never reach the file.
            if worker == 2 { continue }
            try writer.finish(endTimeMs: 0)
        }
        try Data("not a manifest".utf8).write(to: URL(fileURLWithPath: folder.file("notes.txt")))

        let directory = try ManifestDirectory(path: folder.path)
        #expect(directory.entries.map(\.worker) == [0, 1, 2])
        let summary = try directory.summary()
        #expect(summary.sent == UInt64(all.count))
        #expect(summary.acked == UInt64(all.filter { if case .acked = $0.acknowledgement { true } else { false } }.count))
        #expect(summary.failed == UInt64(all.filter { if case .failed = $0.acknowledgement { true } else { false } }.count))
        #expect(summary.acked + summary.failed + summary.unacknowledged == summary.sent)
        #expect(summary.termCaseInsensitive == UInt64(all.filter { $0.event.flags.contains(.termCaseInsensitive) }.count))
        #expect(summary.decoys == UInt64(all.filter { $0.event.flags.contains(.decoy) }.count))
        #expect(summary.tail == UInt64(all.filter { $0.event.flags.contains(.tail) }.count))
        #expect(summary.tail > 0)
        for kind in MalformedKind.allCases {
            #expect(summary.malformed[kind.rawValue] == UInt64(all.filter { $0.event.malformed == kind }.count))
        }
        for lateness in Lateness.allCases {
            #expect(summary.lateness[lateness.rawValue] == UInt64(all.filter { $0.event.lateness == lateness }.count))
        }
        #expect(summary.eventTimeMs?.first == all.map(\.event.eventTimeMs).min())
        #expect(summary.scheduledMs?.last == all.map(\.event.scheduledMs).max())
        #expect(summary.workers.map(\.complete) == [true, true, false])
        #expect(summary.workers.map(\.records) == [4_000, 4_100, 2_000])
        #expect(summary.workers.map(\.recordsPerSecond) == [20_000, 20_000, 20_000])
        #expect(summary.options == ManifestSummary.Options(header: header(worker: 0, of: 3)))
        #expect(summary.options?.run.topic == "logs-under-test")

        let decoded = try JSONDecoder().decode(ManifestSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }

    @Test("JSON lines carry each record's facts and acknowledgement")
    func jsonLines() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let records = randomRecords(300, seed: 30)
        let writer = try ManifestWriter(path: folder.file("worker-5.wtm"), header: header(worker: 5, of: 6))
        for record in records { try writer.append(record) }
        try writer.finish(endTimeMs: 0)

        var lines: [String] = []
        try ManifestDirectory(path: folder.path).writeJSONLines { lines.append($0) }
        #expect(lines.count == records.count)
        for (line, record) in zip(lines, records) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["worker"] as? Int == 5)
            #expect((object["sequence"] as? NSNumber)?.uint64Value == record.event.sequence)
            #expect((object["event_time_ms"] as? NSNumber)?.int64Value == record.event.eventTimeMs)
            #expect(object["user_id"] as? String == "user_\(1_000 + Int(record.event.userIndex))")
            #expect(object["severity"] as? String == record.event.severity.rawValue)
            #expect(object["decoy"] as? Bool == record.event.flags.contains(.decoy))
            #expect(object["tail"] as? Bool == record.event.flags.contains(.tail))
            #expect(object["malformed"] as? String == record.event.malformed?.rawValue)
            switch record.acknowledgement {
            case .acked(let partition, let offset, _):
                #expect(object["ack"] as? String == "acked")
                #expect((object["partition"] as? NSNumber)?.int32Value == partition)
                #expect((object["offset"] as? NSNumber)?.int64Value == offset)
            case .failed(let code, _):
                #expect(object["ack"] as? String == "failed")
                #expect((object["error_code"] as? NSNumber)?.int32Value == code)
            case .unknown:
                #expect(object["ack"] as? String == "unknown")
                #expect(object["partition"] == nil)
            }
        }
    }

    @Test("a folder without manifests is refused with its name")
    func emptyFolder() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        #expect(throws: ManifestError.noManifests(folder: folder.path)) { try ManifestDirectory(path: folder.path) }
        #expect(throws: ManifestError.self) { try ManifestDirectory(path: folder.file("absent")) }
    }
}
