import EventModel
import Foundation
import Manifest
import Testing

@Suite("Manifest files")
struct ManifestRoundTripTests {
    @Test("200,000 records in any order read back equal, with the header, from a complete file")
    func roundTrip() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file(ManifestFormat.fileName(worker: 3))
        var records = randomRecords(200_000, seed: 5)
        var random = SplitMix64(seed: 6)
        records.shuffle(using: &random)
        let writer = try ManifestWriter(path: path, header: header(worker: 3, of: 4))
        for record in records { try writer.append(record) }
        try writer.finish(endTimeMs: 1_769_000_300_000)
        #expect(writer.recordCount == 200_000)

        let read = try readAll(path)
        #expect(read.header == header(worker: 3, of: 4))
        #expect(read.header.run == runOptions())
        #expect(read.records == records)
        #expect(read.ending == .complete(records: 200_000))
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size < 200_000 * ManifestRecord.byteCount, "zstd should shrink the records")
    }

    @Test("a writer dropped without finishing leaves a file that reads to its last chunk and says it was cut short")
    func droppedWriter() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        let records = randomRecords(10_500, seed: 8)
        do {
            let writer = try ManifestWriter(path: path, header: header(worker: 0), chunkRecords: 1_000)
            for record in records { try writer.append(record) }
        }
        let read = try readAll(path)
        // Ten full chunks reached the file; the last 500 records were still in memory.
        #expect(read.records == Array(records.prefix(10_000)))
        guard case .cutShort(let count, _) = read.ending else {
            Issue.record("expected a cut-short ending, got \(read.ending)")
            return
        }
        #expect(count == 10_000)
    }

    @Test("flush makes records durable before finish")
    func flush() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        let records = randomRecords(25, seed: 9)
        let writer = try ManifestWriter(path: path, header: header(worker: 0))
        for record in records { try writer.append(record) }
        try writer.flush()
        let read = try readAll(path)
        #expect(read.records == records)
        #expect(!read.ending.isComplete)
        try writer.finish(endTimeMs: 0)
        #expect(try readAll(path).ending == .complete(records: 25))
        #expect(throws: ManifestError.finished(path: path)) { try writer.append(records[0]) }
    }

    @Test("a file cut inside a chunk reads up to the last complete chunk", arguments: [1, 7, 300])
    func cutInsideChunk(bytesCut: Int) throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        let records = randomRecords(5_000, seed: 10)
        let writer = try ManifestWriter(path: path, header: header(worker: 0), chunkRecords: 1_000)
        for record in records { try writer.append(record) }
        try writer.flush()
        let beforeLastChunk = try Data(contentsOf: URL(fileURLWithPath: path)).count
        try writer.finish(endTimeMs: 0)
        // Cut the file inside the footer's frame (1 byte) or inside the last records chunk (7 and 300 bytes
        // before its end, counting back from where the footer starts).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes = bytes.prefix(bytesCut == 1 ? bytes.count - 1 : beforeLastChunk - bytesCut)
        try bytes.write(to: URL(fileURLWithPath: path))

        let read = try readAll(path)
        let expectedCount = bytesCut == 1 ? 5_000 : 4_000
        #expect(read.records == Array(records.prefix(expectedCount)))
        guard case .cutShort(let count, let reason) = read.ending else {
            Issue.record("expected a cut-short ending, got \(read.ending)")
            return
        }
        #expect(count == UInt64(expectedCount))
        #expect(reason.contains("inside a chunk"))
    }

    @Test("files that are not manifests are refused with their name")
    func refused() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        try Data("hello, world".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManifestError.self) { try ManifestReader(path: path) }
        do {
            _ = try ManifestReader(path: path)
        } catch {
            #expect(error.description.contains(path))
        }
        try Data([0x57, 0x54]).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManifestError.self) { try ManifestReader(path: path) }
        #expect(throws: ManifestError.self) { try ManifestReader(path: folder.file("missing.wtm")) }

        let writer = try ManifestWriter(path: path, header: header(worker: 0))
        try writer.finish(endTimeMs: 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[8] = 9
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: ManifestError.unsupportedVersion(path: path, version: 9)) { try ManifestReader(path: path) }

        bytes[8] = UInt8(ManifestFormat.version)
        try bytes.prefix(20).write(to: URL(fileURLWithPath: path))
        #expect(throws: ManifestError.cutBeforeHeader(path: path)) { try ManifestReader(path: path) }
    }

    @Test("the header keeps the resolved run options, and leaves out what may hold secrets")
    func headerOptions() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-1.wtm")
        try ManifestWriter(path: path, header: header(worker: 1, of: 4)).finish(endTimeMs: 0)
        let run = try ManifestReader(path: path).header.run
        #expect(run.topic == "logs-under-test")
        #expect(run.compression == "zstd")
        #expect(run.processes == 4)
        #expect(run.totalRecordsPerSecond == 80_000)
        #expect(run.durationMs == 30_000)
        #expect(run.eventCount == 600_000)
        #expect(run.tail == TailPlan(windowMs: 10_000, watermarkDelayMs: 30_000, speedup: 20))

        let json = String(decoding: try JSONEncoder().encode(header(worker: 1, of: 4)), as: UTF8.self)
        #expect(json.contains("\"run\":{"))
        for absent in ["brokers", "properties", "password"] { #expect(!json.contains(absent)) }
        // A run sent until stopped, without a tail, records no count, duration, split or tail.
        let plain = try JSONDecoder().decode(RunOptions.self, from: JSONEncoder().encode(RunOptions()))
        #expect(plain == RunOptions())
        #expect(plain.eventCount == nil && plain.durationMs == nil && plain.totalRecordsPerSecond == nil && plain.tail == nil)
    }

    @Test("a manifest of format version 1 (a header without run options) is refused, naming both versions")
    func olderVersion() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        try ManifestWriter(path: path, header: header(worker: 0)).finish(endTimeMs: 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[8] = 1
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ManifestError.unsupportedVersion(path: path, version: 1)) { try ManifestReader(path: path) }
        #expect(
            error?.description
                == "manifest \(path) has format version 1, written by an older windtunnel; this build reads only version \(ManifestFormat.version)")
    }

    @Test("a damaged byte in a chunk is reported as corruption, not read as data")
    func corruption() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let path = folder.file("worker-0.wtm")
        let writer = try ManifestWriter(path: path, header: header(worker: 0), chunkRecords: 1_000)
        let headerBytes = try Data(contentsOf: URL(fileURLWithPath: path)).count
        for record in randomRecords(3_000, seed: 11) { try writer.append(record) }
        try writer.finish(endTimeMs: 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let target = headerBytes + 400
        bytes[target] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ManifestError.self) {
            let reader = try ManifestReader(path: path)
            while try reader.next() != nil {}
        }
        guard case .corrupt(let reported, _, _) = error else {
            Issue.record("expected corruption, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
    }
}
