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
        try ManifestWriter(path: folder.file("worker-0.wtm"), header: header(worker: 0, of: 2)).finish(endTimeMs: 0)
        let writer = try ManifestWriter(path: folder.file("worker-1.wtm"), header: header(worker: 1, of: 2))
        for record in records { try writer.append(record) }
        try writer.finish(endTimeMs: 0)

        var lines: [String] = []
        try ManifestDirectory(path: folder.path).writeJSONLines { lines.append($0) }
        #expect(lines.count == records.count)
        for (line, record) in zip(lines, records) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["worker"] as? Int == 1)
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

    /// Writes an empty, finished manifest named `name` with `header` into `folder`.
    private func write(_ header: ManifestHeader, named name: String? = nil, into folder: ScratchFolder) throws {
        try ManifestWriter(path: folder.file(name ?? ManifestFormat.fileName(worker: header.workerIndex)), header: header).finish(endTimeMs: 0)
    }

    /// The reason `ManifestDirectory` gives for refusing `folder`, or nil when it accepts it.
    private func refusal(_ folder: ScratchFolder) -> String? {
        do {
            _ = try ManifestDirectory(path: folder.path)
            return nil
        } catch {
            guard case .notOneRun(let named, let reason) = error else { return "another error: \(error)" }
            #expect(named == folder.path)
            #expect(error.description.hasPrefix("folder \(folder.path) does not hold the manifests of one run: "))
            return reason
        }
    }

    @Test("workers of one run on several machines merge: rates split by --total-rps may differ, hosts and starts do")
    func oneRunAccepted() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        for worker in 0..<3 {
            var own = header(worker: worker, of: 3)
            own.hostName = "machine-\(worker)"
            own.startTimeMs += Int64(worker) * 1_234
            own.run.processes = 1
            own.settings.recordsPerSecond = [25_000, 20_000, 15_000][worker]
            own.run.eventCount = [750_000, 600_000, 450_000][worker]
            try write(own, into: folder)
        }
        #expect(refusal(folder) == nil)
        #expect(try ManifestDirectory(path: folder.path).entries.map(\.header.hostName) == ["machine-0", "machine-1", "machine-2"])
    }

    @Test(
        "a folder whose workers are not one run is refused, naming the file and what is wrong",
        arguments: [
            "missing", "duplicate", "header of another worker", "worker count", "index beyond count", "seed", "settings",
            "run options", "rate without a split", "shares of the total",
        ])
    func notOneRun(fault: String) throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        var headers = (0..<3).map { header(worker: $0, of: 3) }
        var expected: String
        switch fault {
        case "missing":
            headers.remove(at: 1)
            expected = "the manifest of worker 1 of 3 (worker-1.wtm) is missing"
        case "duplicate":
            try write(headers[1], named: "worker-01.wtm", into: folder)
            expected = "worker-01.wtm and worker-1.wtm are both worker 1's manifest"
        case "header of another worker":
            try write(headers[0], named: "worker-7.wtm", into: folder)
            expected = "worker-7.wtm holds the manifest of worker 0"
        case "worker count":
            headers[2].workerCount = 4
            expected = "worker-2.wtm says the run had 4 workers, worker-0.wtm says 3"
        case "index beyond count":
            try write(header(worker: 3, of: 3), into: folder)
            expected = "worker-3.wtm is worker 3, but the run had 3 workers, 0 to 2"
        case "seed":
            headers[1].settings.seed = 78
            headers[1].seed = 78
            expected = "worker-1.wtm differs from worker-0.wtm in settings.seed (78, not 77)"
        case "settings":
            headers[2].settings.lateFraction = 0.2
            headers[2].settings.crashTerm = "boom"
            expected = "worker-2.wtm differs from worker-0.wtm in settings.crash_term (\"boom\", not \"crash\"), settings.late_fraction (0.2, not 0.1)"
        case "run options":
            headers[1].run.topic = "other"
            headers[1].run.tail = nil
            expected = "worker-1.wtm differs from worker-0.wtm in run.tail (none, not {\"records_per_second\":5,\"span_ms\":50000,\"speedup\":20}), run.topic (\"other\", not \"logs-under-test\")"
        case "rate without a split":
            for index in headers.indices { headers[index].run.totalRecordsPerSecond = nil }
            headers[2].settings.recordsPerSecond = 10_000
            expected = "worker-2.wtm differs from worker-0.wtm in settings.rps (10000, not 20000)"
        default:
            headers[2].settings.recordsPerSecond = 10_000
            expected = "the workers' rates add up to 50000 records per second, not the run's --total-rps 60000"
        }
        for header in headers { try write(header, into: folder) }
        #expect(refusal(folder) == expected)
    }

    @Test("a folder without manifests is refused with its name")
    func emptyFolder() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        #expect(throws: ManifestError.noManifests(folder: folder.path)) { try ManifestDirectory(path: folder.path) }
        #expect(throws: ManifestError.self) { try ManifestDirectory(path: folder.file("absent")) }
    }
}
