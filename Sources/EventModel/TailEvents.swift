/// The records of one worker's tail: matching events (the crash term spelled as configured, severity `High`)
/// sent after the measured stream so that the detector's watermark moves past every measured window.
///
/// Tail record `index` belongs to a user of its own, numbered after the measured users and after the other
/// workers' tail users, so that a tail user appears in exactly one record: no (window, user) of the tail can
/// exceed any threshold of 1 or more, and none mixes with a measured user's count.
/// Every id and the content are rendered when the tail is built; writing a record allocates nothing.
public struct TailEvents: Sendable {
    /// Records in the tail.
    public let count: Int
    /// The user index of record 0; record i uses user `firstUserIndex + i`.
    public let firstUserIndex: Int
    private var ids = FragmentTable()
    private let content: [UInt8]

    /// The tail of worker `worker` with `count` records, for a run with `settings` (its users and term).
    /// Tail users are numbered from `settings.users + worker × count`, so workers of one run never share one
    /// as long as every worker's tail has the same length.
    public init(settings: GeneratorSettings, worker: Int, count: Int) throws(SettingError) {
        try TermSpellings.checkTerm(settings.crashTerm)
        guard count >= 0 else {
            throw SettingError(setting: "tail records", input: "\(count)", reason: "must not be negative")
        }
        guard worker >= 0 else {
            throw SettingError(setting: "worker index", input: "\(worker)", reason: "must not be negative")
        }
        self.count = count
        firstUserIndex = settings.users + worker * count
        for index in 0..<count {
            ids.add(UserIDs.name(index: firstUserIndex + index).utf8)
        }
        content = Array("watermark tail: \(settings.crashTerm) marker".utf8)
    }

    /// Writes tail record `index` (0 ..< `count`) with event time `eventTimeMs` into `value` and `key`; the
    /// facts carry `sequence`, the record's number in its worker's stream, and the `tail` flag.
    public func synthesize(index: Int, sequence: UInt64, eventTimeMs: Int64, value: RecordBuffer, key: RecordBuffer) -> EventFacts {
        key.removeAll()
        ids.write(index, into: key)
        var writer = ValueWriter(buffer: value)
        writer.begin()
        writer.field("\"timestamp\": ")
        value.append(decimal: eventTimeMs)
        writer.field("\"status\": \"OK\"")
        writer.field("\"severity\": \"High\"")
        writer.field("\"source_ip\": \"10.0.0.1\"")
        writer.field("\"user_id\": \"")
        ids.write(index, into: value)
        value.append("\"")
        writer.field("\"content\": \"")
        content.withUnsafeBytes { value.append($0) }
        value.append("\"")
        writer.end()
        return EventFacts(
            sequence: sequence, scheduledMs: eventTimeMs, eventTimeMs: eventTimeMs, userIndex: UInt32(firstUserIndex + index),
            severity: .high, flags: [.termCaseInsensitive, .termCaseSensitive, .tail], malformed: nil, lateness: .onTime)
    }
}
