import Contracts
import EventModel
import Foundation
import Manifest
import Testing

/// A fresh empty folder under the system's temporary folder, removed by `remove()`.
struct ScratchFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "manifest-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Varied records drawn from a seeded generator: every flag, kind, lateness and acknowledgement occurs.
func randomRecords(_ count: Int, seed: UInt64) -> [ManifestRecord] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { index in
        let scheduled = 1_769_000_000_000 + Int64(index)
        let malformed = random.below(10) == 0 ? MalformedKind.allCases[Int(random.below(UInt64(MalformedKind.allCases.count)))] : nil
        let acknowledgement: Acknowledgement
        switch random.below(3) {
        case 0: acknowledgement = .acked(partition: Int32(random.below(4)), offset: Int64(random.below(1 << 40)), atUs: scheduled * 1_000 + 900)
        case 1: acknowledgement = .failed(errorCode: -Int32(random.below(200)), atUs: scheduled * 1_000 + 700)
        default: acknowledgement = .unknown
        }
        let event = EventFacts(
            sequence: UInt64(index), scheduledMs: scheduled, eventTimeMs: scheduled - random.within(0...90_000),
            userIndex: UInt32(random.below(1_000)), severity: Severity.allCases[Int(random.below(4))],
            flags: EventFlags(rawValue: UInt8(random.below(16))), malformed: malformed,
            lateness: Lateness.allCases[Int(random.below(UInt64(Lateness.allCases.count)))])
        return ManifestRecord(event: event, sendTimeUs: scheduled * 1_000 + Int64(random.below(500)), acknowledgement: acknowledgement)
    }
}

/// Run options unlike the defaults in every field, for `workers` workers at 20,000 records per second each.
func runOptions(workers: Int = 4) -> RunOptions {
    var run = RunOptions()
    run.topic = "logs-under-test"
    run.compression = "zstd"
    run.processes = workers
    run.totalRecordsPerSecond = 20_000 * workers
    run.durationMs = 30_000
    run.eventCount = 600_000
    run.tail = TailPlan(windowMs: 10_000, watermarkDelayMs: 30_000, speedup: 20)
    return run
}

/// A header for worker `index` of `count`, at 20,000 records per second: its share of the total rate.
func header(worker index: Int, of count: Int = 1) -> ManifestHeader {
    var settings = GeneratorSettings()
    settings.recordsPerSecond = 20_000
    settings.seed = 77
    settings.lateFraction = 0.1
    settings.lateClass = .range(minMs: 5_000, maxMs: 20_000)
    return ManifestHeader(
        settings: settings, run: runOptions(workers: count), workerIndex: index, workerCount: count, hostName: "test-host", startTimeMs: 1_769_000_000_000)
}

/// Every record of the file at `path`, and how it ended.
func readAll(_ path: String) throws -> (header: ManifestHeader, records: [ManifestRecord], ending: ManifestEnding) {
    let reader = try ManifestReader(path: path)
    var records: [ManifestRecord] = []
    let ending = try reader.forEach { records.append($0) }
    #expect(reader.ending == ending)
    return (reader.header, records, ending)
}
