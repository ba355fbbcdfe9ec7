import EventModel
import Manifest

/// One worker's counts: what it sent, by kind, and what the broker said. Fixed-size arrays indexed by the
/// manifest's one-byte codes, so counting an event allocates nothing; mergeable across workers.
public struct SendTally: Codable, Sendable, Equatable {
    /// Records handed to the producer, tail included.
    public var sent: UInt64 = 0
    /// Tail records among them.
    public var tail: UInt64 = 0
    /// Measured records carrying the crash term (in any letter case).
    public var termRecords: UInt64 = 0
    /// Records by `Lateness.code`.
    public var lateness = [UInt64](repeating: 0, count: 5)
    /// Records by `MalformedKind.code`; index 0 counts the well-formed ones.
    public var malformed = [UInt64](repeating: 0, count: 6)
    /// Records the broker acknowledged.
    public var acknowledged: UInt64 = 0
    /// Records whose delivery failed.
    public var failed: UInt64 = 0
    /// Records with no delivery report when the worker stopped.
    public var unacknowledged: UInt64 = 0
    /// Per partition, one past the highest acknowledged offset; -1 where nothing was acknowledged.
    public var partitionEnds: [Int64] = []

    public init() {}

    /// Counts one record handed to the producer.
    public mutating func count(_ facts: EventFacts) {
        sent += 1
        if facts.flags.contains(.tail) {
            tail += 1
        } else if facts.flags.contains(.termCaseInsensitive) {
            termRecords += 1
        }
        lateness[Int(facts.lateness.code)] += 1
        malformed[Int(facts.malformed?.code ?? 0)] += 1
    }

    /// Counts an acknowledgement of a record at `offset` of `partition`.
    public mutating func acknowledge(partition: Int32, offset: Int64) {
        acknowledged += 1
        guard partition >= 0 else { return }
        let index = Int(partition)
        // Grows only when a partition is first seen, so at most once per partition.
        while partitionEnds.count <= index { partitionEnds.append(-1) }
        partitionEnds[index] = max(partitionEnds[index], offset + 1)
    }

    /// Adds another worker's counts.
    public mutating func merge(_ other: SendTally) {
        sent += other.sent
        tail += other.tail
        termRecords += other.termRecords
        for index in lateness.indices { lateness[index] += other.lateness[index] }
        for index in malformed.indices { malformed[index] += other.malformed[index] }
        acknowledged += other.acknowledged
        failed += other.failed
        unacknowledged += other.unacknowledged
        while partitionEnds.count < other.partitionEnds.count { partitionEnds.append(-1) }
        for (index, end) in other.partitionEnds.enumerated() { partitionEnds[index] = max(partitionEnds[index], end) }
    }

    /// Records by lateness name (`on-time`, `within`, ...).
    public var latenessByName: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: Lateness.allCases.map { ($0.rawValue, lateness[Int($0.code)]) })
    }

    /// Malformed records by kind name.
    public var malformedByName: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: MalformedKind.allCases.map { ($0.rawValue, malformed[Int($0.code)]) })
    }

    /// Partition ends as `windtunnel run` reads them: `{"<partition>": one past the highest acknowledged offset}`.
    public var partitionEndOffsets: [String: Int64] {
        Dictionary(uniqueKeysWithValues: partitionEnds.enumerated().filter { $0.element >= 0 }.map { (String($0.offset), $0.element) })
    }

    enum CodingKeys: String, CodingKey {
        case sent, tail
        case termRecords = "term_records"
        case lateness, malformed, acknowledged, failed, unacknowledged
        case partitionEnds = "partition_ends"
    }
}

extension SendTally {
    /// The counts of the records in the manifest at `path`, which may be cut short.
    public init(manifestAt path: String) throws {
        self.init()
        let reader = try ManifestReader(path: path)
        while let record = try reader.next() {
            count(record.event)
            switch record.acknowledgement {
            case .acked(let partition, let offset, _): acknowledge(partition: partition, offset: offset)
            case .failed: failed += 1
            case .unknown: unacknowledged += 1
            }
        }
    }
}
