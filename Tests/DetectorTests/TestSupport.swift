import Contracts
@testable import Detector

/// One event as the generator writes it.
func eventJSON(
    _ timestamp: Int64, user: String = "user_1000", severity: String = "High", content: String = "app crash in renderer"
) -> String {
    #"{"timestamp": \#(timestamp), "status": "OK", "severity": "\#(severity)", "source_ip": "10.1.2.3", "user_id": "\#(user)", "content": "\#(content)"}"#
}

func scan(_ json: String, rule: RuleSettings = RuleSettings()) -> ScanVerdict {
    scan(bytes: Array(json.utf8), rule: rule)
}

func scan(bytes: [UInt8], rule: RuleSettings = RuleSettings()) -> ScanVerdict {
    var scanner = EventScanner(rule: rule)
    return bytes.withUnsafeBytes { scanner.scan($0) }
}

/// Whether `json` is an event that matches `rule`.
func matches(_ json: String, rule: RuleSettings = RuleSettings()) -> Bool {
    if case .event(let event) = scan(json, rule: rule) { return event.matches }
    return false
}

/// The user id that scanning `bytes` finds, decoded.
func scannedUserId(_ json: String) -> String? {
    let bytes = Array(json.utf8)
    var scanner = EventScanner(rule: RuleSettings())
    var users = UserTable()
    return bytes.withUnsafeBytes { value -> String? in
        guard case .event(let event) = scanner.scan(value) else { return nil }
        // Interned first: `users.userId(of: scanner.user(..., users: &users))` would read the table as it
        // was before the argument interned the id.
        let index = scanner.user(of: event, in: value, users: &users)
        return users.userId(of: index)
    }
}

extension WindowEngine {
    @discardableResult
    mutating func ingest(_ json: String, partition: Int32 = 0) -> IngestOutcome {
        Array(json.utf8).withUnsafeBytes { ingest(partition: partition, value: $0) }
    }

    @discardableResult
    mutating func ingest(_ jsons: [String], partition: Int32 = 0) -> [IngestOutcome] {
        jsons.map { ingest($0, partition: partition) }
    }

    /// Ingests `jsons` as one whole batch and ends it.
    @discardableResult
    mutating func batch(_ jsons: [String], partition: Int32 = 0, now: Int64 = 0) -> BatchOutcome {
        beginBatch()
        ingest(jsons, partition: partition)
        return endBatch(now: now)
    }
}

extension UserTable {
    mutating func index(of id: String) -> UserIndex {
        Array(id.utf8).withUnsafeBufferPointer { index(of: $0) }
    }
}

/// SplitMix64: a small seeded generator, so that a failing randomized test can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
