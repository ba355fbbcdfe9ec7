import Contracts
import EventModel
import Foundation
import GroundTruth
import Manifest
import Testing
import Validator

/// The topic audit against hand-written manifests: every kind of finding, counted once, and the facts
/// handed to ground truth.
@Suite("Manifest follower")
struct ManifestFollowerTests {
    /// Writes the manifest of worker `worker` of `workers` with `records` as (sequence, acknowledgement) in this order.
    private func writeManifest(_ folder: String, worker: Int, of workers: Int = 1, _ records: [(UInt64, Acknowledgement)]) throws {
        let header = ManifestHeader(settings: GeneratorSettings(), workerIndex: worker, workerCount: workers, hostName: "test", startTimeMs: 0)
        let writer = try ManifestWriter(path: "\(folder)/\(ManifestFormat.fileName(worker: worker))", header: header)
        for (sequence, acknowledgement) in records {
            let event = EventFacts(
                sequence: sequence, scheduledMs: 1_000, eventTimeMs: 1_000, userIndex: 1, severity: sequence == 0 ? .high : .low,
                flags: sequence == 0 ? [.termCaseInsensitive] : [], malformed: nil, lateness: sequence == 0 ? .within : .onTime)
            try writer.append(ManifestRecord(event: event, sendTimeUs: 1_000, acknowledgement: acknowledgement))
        }
        try writer.finish(endTimeMs: 2_000)
    }

    @Test func auditCountsEachFindingOnce() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        func acked(_ partition: Int32, _ offset: Int64) -> Acknowledgement { .acked(partition: partition, offset: offset, atUs: 5_000_000 + offset * 1_000) }
        try writeManifest(
            scratch.path, worker: 0, of: 2,
            [
                (0, acked(0, 0)), (1, acked(0, 1)), (2, acked(0, 2)), (3, acked(0, 3)), (4, acked(0, 4)), (5, acked(1, 0)), (6, acked(1, 1)),
                (7, acked(1, 2)), (8, acked(1, 4)), (9, .failed(errorCode: -192, atUs: 6_000_000)),
            ])
        try writeManifest(scratch.path, worker: 1, of: 2, [(0, acked(0, 5)), (1, acked(0, 6))])
        let follower = try ManifestFollower(directory: try ManifestDirectory(path: scratch.path), rule: RuleSettings())

        let first = try follower.facts(partition: 0, offset: 0, worker: 0, sequence: 0)
        #expect(first == RecordFacts(ackedAtMs: 5_000, latenessClass: "within", onTime: false, intendedMalformed: false, intendedMatching: true))
        // Offset 1 is missing from the topic.
        #expect(try follower.facts(partition: 0, offset: 2, worker: 0, sequence: 2)?.intendedMatching == false)
        #expect(try follower.facts(partition: 0, offset: 3, worker: 0, sequence: 3) != nil)
        // Offset 4 holds record 3 again where record 4 was acknowledged.
        #expect(try follower.facts(partition: 0, offset: 4, worker: 0, sequence: 3) != nil)
        #expect(try follower.facts(partition: 0, offset: 5, worker: 1, sequence: 0) != nil)
        #expect(try follower.facts(partition: 0, offset: 6, worker: 1, sequence: 1) != nil)
        // A second copy of worker 1's record 1, then records of an unknown worker and without headers.
        #expect(try follower.facts(partition: 0, offset: 7, worker: 1, sequence: 1) == nil)
        #expect(try follower.facts(partition: 0, offset: 8, worker: 7, sequence: 0) == nil)
        #expect(try follower.facts(partition: 0, offset: 9, worker: nil, sequence: nil) == nil)
        #expect(try follower.facts(partition: 1, offset: 0, worker: 0, sequence: 5) != nil)
        #expect(try follower.facts(partition: 1, offset: 1, worker: 0, sequence: 6) != nil)
        // Record 7 (offset 2) is missing; record 8 appears first unacknowledged at 3, then where it was acknowledged.
        #expect(try follower.facts(partition: 1, offset: 3, worker: 0, sequence: 8) == nil)
        #expect(try follower.facts(partition: 1, offset: 4, worker: 0, sequence: 8) != nil)

        let audit = try follower.finish()
        #expect(audit.acknowledged == 11)
        #expect(audit.matched == 9)
        #expect(audit.ackedButMissing == 2)
        #expect(audit.duplicated == 2)
        #expect(audit.neverAcknowledged == 2)
        #expect(audit.wrongRecord == 1)
        #expect(audit.cutShortManifests.isEmpty)
        #expect(!audit.isClean)
    }

    @Test func recordsTheReplayNeverReachedAreMissing() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try writeManifest(scratch.path, worker: 0, (0..<5).map { ($0, .acked(partition: 0, offset: Int64($0), atUs: 1_000)) })
        let follower = try ManifestFollower(directory: try ManifestDirectory(path: scratch.path), rule: RuleSettings())
        #expect(try follower.facts(partition: 0, offset: 0, worker: 0, sequence: 0) != nil)
        let audit = try follower.finish()
        #expect(audit.acknowledged == 5)
        #expect(audit.matched == 1)
        #expect(audit.ackedButMissing == 4)
        #expect(audit.examples.count == 4)
    }

    @Test func summaryFileAndScanAgree() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try writeManifest(
            scratch.path, worker: 0,
            [(0, .acked(partition: 0, offset: 0, atUs: 1)), (1, .acked(partition: 2, offset: 6, atUs: 1)), (2, .unknown)])
        let directory = try ManifestDirectory(path: scratch.path)
        let scanned = try AcknowledgedEnds.read(folder: scratch.path, directory: directory)
        #expect(scanned.acknowledged == 2)
        #expect(scanned.partitionEnds == [0: 1, 2: 7])
        _ = try scratch.write("summary.json", "{\"acknowledged\": 2, \"partition_end_offsets\": {\"0\": 1, \"2\": 7}, \"sent\": 3}")
        #expect(try AcknowledgedEnds.read(folder: scratch.path, directory: directory).partitionEnds == scanned.partitionEnds)
        _ = try scratch.write("summary.json", "{\"acknowledged\": 2}")
        #expect(throws: ValidatorError.self) { try AcknowledgedEnds.read(folder: scratch.path, directory: directory) }
    }

    @Test func duplicatesAreFoundFarApart() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let sequences: [UInt64] = [3, 70_000, 1 << 40]
        try writeManifest(
            scratch.path, worker: 0, sequences.enumerated().map { ($0.element, .acked(partition: 0, offset: Int64($0.offset), atUs: 1)) })
        let follower = try ManifestFollower(directory: try ManifestDirectory(path: scratch.path), rule: RuleSettings())
        for (offset, sequence) in sequences.enumerated() {
            #expect(try follower.facts(partition: 0, offset: Int64(offset), worker: 0, sequence: sequence) != nil)
        }
        for (offset, sequence) in sequences.reversed().enumerated() {
            #expect(try follower.facts(partition: 0, offset: Int64(sequences.count + offset), worker: 0, sequence: sequence) == nil)
        }
        // A sequence one page away from a seen one is new.
        #expect(try follower.facts(partition: 0, offset: 10, worker: 0, sequence: 3 + 65_536) == nil)
        let audit = try follower.finish()
        #expect(audit.duplicated == 3)
        #expect(audit.neverAcknowledged == 1)
        #expect(audit.matched == 3)
    }

    @Test func onePartitionAtATimeHoldsNothingBack() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try writeManifest(
            scratch.path, worker: 0,
            [
                (0, .acked(partition: 0, offset: 0, atUs: 1)), (1, .acked(partition: 1, offset: 0, atUs: 1)),
                (2, .acked(partition: 2, offset: 0, atUs: 1)), (3, .acked(partition: 0, offset: 1, atUs: 1)),
                (4, .acked(partition: 1, offset: 1, atUs: 1)),
            ])
        let follower = try ManifestFollower(directory: try ManifestDirectory(path: scratch.path), rule: RuleSettings())
        follower.replayOnePartitionAtATime([0, 1])
        try follower.focus(on: 0)
        #expect(try follower.facts(partition: 0, offset: 0, worker: 0, sequence: 0) != nil)
        #expect(try follower.facts(partition: 0, offset: 1, worker: 0, sequence: 3) != nil)
        try follower.focus(on: 1)
        #expect(try follower.facts(partition: 1, offset: 0, worker: 0, sequence: 1) != nil)
        let audit = try follower.finish()
        #expect(audit.acknowledged == 5)
        #expect(audit.matched == 3)
        // Partition 2 is replayed by no pass; partition 1's offset 1 was never reached.
        #expect(audit.ackedButMissing == 2)
        #expect(follower.largestLookahead == 1)
    }
}
