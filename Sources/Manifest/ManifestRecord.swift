import Contracts
import EventModel

/// One line of a worker's ground truth: an event it sent, when, and what the broker said about it.
///
/// A worker writes the record once the delivery report arrives, so records appear in acknowledgement order,
/// not sequence order; readers must not assume any order.
public struct ManifestRecord: Sendable, Equatable {
    /// The event as synthesized.
    public var event: EventFacts
    /// When the record was handed to the producer, epoch microseconds.
    public var sendTimeUs: Int64
    /// What the broker acknowledged.
    public var acknowledgement: Acknowledgement

    public init(event: EventFacts, sendTimeUs: Int64, acknowledgement: Acknowledgement) {
        self.event = event
        self.sendTimeUs = sendTimeUs
        self.acknowledgement = acknowledgement
    }

    /// Bytes one record takes in a records block.
    public static let byteCount = 72
}

/// The broker's answer to one produced record.
public enum Acknowledgement: Sendable, Equatable {
    /// Written: the partition and offset it landed at, and when the delivery report arrived (epoch µs).
    case acked(partition: Int32, offset: Int64, atUs: Int64)
    /// Not written: librdkafka's error code (`rd_kafka_resp_err_t`) and when the report arrived (epoch µs).
    case failed(errorCode: Int32, atUs: Int64)
    /// No delivery report arrived (the worker stopped first).
    case unknown

    /// The status as the summary and JSON lines name it.
    public var status: String {
        switch self {
        case .acked: "acked"
        case .failed: "failed"
        case .unknown: "unknown"
        }
    }
}

// MARK: - Fixed-size little-endian layout

extension ManifestRecord {
    // Offsets of the fields in the 72-byte record; bytes 65..<72 are zero and reserved.
    private enum Offset {
        static let sequence = 0
        static let scheduledMs = 8
        static let eventTimeMs = 16
        static let sendTimeUs = 24
        static let ackTimeUs = 32
        static let offset = 40
        static let userIndex = 48
        static let partition = 52
        static let errorCode = 56
        static let severity = 60
        static let flags = 61
        static let malformed = 62
        static let lateness = 63
        static let ackStatus = 64
    }

    /// Writes the record's 72 bytes at `base`.
    func encode(into base: UnsafeMutableRawPointer) {
        let (status, partition, offset, errorCode, ackTime): (UInt8, Int32, Int64, Int32, Int64)
        switch acknowledgement {
        case .unknown: (status, partition, offset, errorCode, ackTime) = (0, -1, -1, 0, 0)
        case .acked(let p, let o, let at): (status, partition, offset, errorCode, ackTime) = (1, p, o, 0, at)
        case .failed(let code, let at): (status, partition, offset, errorCode, ackTime) = (2, -1, -1, code, at)
        }
        base.storeBytes(of: event.sequence.littleEndian, toByteOffset: Offset.sequence, as: UInt64.self)
        base.storeBytes(of: event.scheduledMs.littleEndian, toByteOffset: Offset.scheduledMs, as: Int64.self)
        base.storeBytes(of: event.eventTimeMs.littleEndian, toByteOffset: Offset.eventTimeMs, as: Int64.self)
        base.storeBytes(of: sendTimeUs.littleEndian, toByteOffset: Offset.sendTimeUs, as: Int64.self)
        base.storeBytes(of: ackTime.littleEndian, toByteOffset: Offset.ackTimeUs, as: Int64.self)
        base.storeBytes(of: offset.littleEndian, toByteOffset: Offset.offset, as: Int64.self)
        base.storeBytes(of: event.userIndex.littleEndian, toByteOffset: Offset.userIndex, as: UInt32.self)
        base.storeBytes(of: partition.littleEndian, toByteOffset: Offset.partition, as: Int32.self)
        base.storeBytes(of: errorCode.littleEndian, toByteOffset: Offset.errorCode, as: Int32.self)
        base.storeBytes(of: event.severity.code, toByteOffset: Offset.severity, as: UInt8.self)
        base.storeBytes(of: event.flags.rawValue, toByteOffset: Offset.flags, as: UInt8.self)
        base.storeBytes(of: event.malformed?.code ?? 0, toByteOffset: Offset.malformed, as: UInt8.self)
        base.storeBytes(of: event.lateness.code, toByteOffset: Offset.lateness, as: UInt8.self)
        base.storeBytes(of: status, toByteOffset: Offset.ackStatus, as: UInt8.self)
        (base + Offset.ackStatus + 1).initializeMemory(as: UInt8.self, repeating: 0, count: Self.byteCount - Offset.ackStatus - 1)
    }

    /// Reads a record from 72 bytes at `base`, or explains which byte holds a value no record has.
    static func decode(from base: UnsafeRawPointer) -> Result<ManifestRecord, RecordDecodingError> {
        func load<Value: FixedWidthInteger>(_ offset: Int, as type: Value.Type) -> Value {
            Value(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: Value.self))
        }
        let severityCode = load(Offset.severity, as: UInt8.self)
        guard let severity = Severity(code: severityCode) else {
            return .failure(RecordDecodingError(field: "severity", value: severityCode))
        }
        let malformedCode = load(Offset.malformed, as: UInt8.self)
        let malformed = MalformedKind(code: malformedCode)
        guard malformedCode == 0 || malformed != nil else {
            return .failure(RecordDecodingError(field: "malformed kind", value: malformedCode))
        }
        let latenessCode = load(Offset.lateness, as: UInt8.self)
        guard let lateness = Lateness(code: latenessCode) else {
            return .failure(RecordDecodingError(field: "lateness", value: latenessCode))
        }
        let ackTime = load(Offset.ackTimeUs, as: Int64.self)
        let acknowledgement: Acknowledgement
        switch load(Offset.ackStatus, as: UInt8.self) {
        case 0: acknowledgement = .unknown
        case 1:
            acknowledgement = .acked(partition: load(Offset.partition, as: Int32.self), offset: load(Offset.offset, as: Int64.self), atUs: ackTime)
        case 2: acknowledgement = .failed(errorCode: load(Offset.errorCode, as: Int32.self), atUs: ackTime)
        case let status: return .failure(RecordDecodingError(field: "acknowledgement status", value: status))
        }
        let event = EventFacts(
            sequence: load(Offset.sequence, as: UInt64.self), scheduledMs: load(Offset.scheduledMs, as: Int64.self),
            eventTimeMs: load(Offset.eventTimeMs, as: Int64.self), userIndex: load(Offset.userIndex, as: UInt32.self),
            severity: severity, flags: EventFlags(rawValue: load(Offset.flags, as: UInt8.self)), malformed: malformed,
            lateness: lateness)
        return .success(ManifestRecord(event: event, sendTimeUs: load(Offset.sendTimeUs, as: Int64.self), acknowledgement: acknowledgement))
    }
}

/// A record byte that holds a code no record has.
struct RecordDecodingError: Error {
    let field: String
    let value: UInt8

    var reason: String { "a record's \(field) byte is \(value), which no record has" }
}
