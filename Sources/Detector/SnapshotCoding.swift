/// Why snapshot bytes could not be read back.
public struct SnapshotError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was being read: "detector snapshot" or "partition snapshot".
    public let input: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "cannot read \(input): \(reason)" }
}

/// The framing shared by every snapshot: a 4-byte mark naming the kind, a format version (UInt16), the
/// body, and an FNV-1a 64 checksum of everything before it. Integers are little-endian.
enum SnapshotFrame {
    static let version: UInt16 = 1
    static let headerSize = 6
    static let checksumSize = 8

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return hash
    }
}

/// Appends a snapshot's fields to a byte array.
struct SnapshotWriter {
    private var bytes: [UInt8]

    init(mark: StaticString) {
        bytes = Array(UnsafeBufferPointer(start: mark.utf8Start, count: mark.utf8CodeUnitCount))
        write(SnapshotFrame.version)
    }

    mutating func write<Value: FixedWidthInteger>(_ value: Value) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ flag: Bool) {
        bytes.append(flag ? 1 : 0)
    }

    /// A length (UInt32) and the bytes.
    mutating func write(bytes data: some Collection<UInt8>) {
        write(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// The finished snapshot, checksum appended.
    consuming func finish() -> [UInt8] {
        let checksum = SnapshotFrame.checksum(bytes[...])
        write(checksum)
        return bytes
    }
}

/// Reads a snapshot's fields back, failing with a `SnapshotError` that says what it was reading.
struct SnapshotReader {
    let input: String
    private let bytes: [UInt8]
    private var position = SnapshotFrame.headerSize
    /// Where the body ends and the checksum starts.
    private let end: Int

    /// Checks the frame: length, mark, version and checksum.
    init(_ bytes: [UInt8], mark: StaticString, input: String) throws(SnapshotError) {
        self.input = input
        self.bytes = bytes
        end = bytes.count - SnapshotFrame.checksumSize
        let markBytes = UnsafeBufferPointer(start: mark.utf8Start, count: mark.utf8CodeUnitCount)
        guard bytes.count >= SnapshotFrame.headerSize + SnapshotFrame.checksumSize else {
            throw SnapshotError(input: input, reason: "it is \(bytes.count) bytes long, shorter than any \(input)")
        }
        guard bytes[..<markBytes.count].elementsEqual(markBytes) else {
            throw SnapshotError(input: input, reason: "it does not start with the mark '\(mark)', so it is no \(input)")
        }
        let version = UInt16(bytes[4]) | UInt16(bytes[5]) << 8
        guard version == SnapshotFrame.version else {
            throw SnapshotError(
                input: input, reason: "it has format version \(version); this detector reads version \(SnapshotFrame.version)")
        }
        var stored: UInt64 = 0
        for (shift, byte) in bytes[end...].enumerated() { stored |= UInt64(byte) << (8 * shift) }
        guard stored == SnapshotFrame.checksum(bytes[..<end]) else {
            throw SnapshotError(input: input, reason: "its checksum does not match: the bytes were damaged or cut short")
        }
    }

    /// An error about the data at the current position.
    func failure(_ reason: String) -> SnapshotError {
        SnapshotError(input: input, reason: "\(reason) (at byte \(position))")
    }

    var remaining: Int { end - position }

    mutating func read<Value: FixedWidthInteger>(_: Value.Type, _ what: String) throws(SnapshotError) -> Value {
        let size = MemoryLayout<Value>.size
        guard remaining >= size else { throw failure("it ends while reading \(what)") }
        var value: Value = 0
        for offset in 0..<size { value |= Value(truncatingIfNeeded: bytes[position + offset]) << (8 * offset) }
        position += size
        return value
    }

    mutating func readFlag(_ what: String) throws(SnapshotError) -> Bool {
        switch try read(UInt8.self, what) {
        case 0: return false
        case 1: return true
        case let other: throw failure("\(what) is \(other), not 0 or 1")
        }
    }

    /// A length (UInt32) and that many bytes.
    mutating func readBytes(_ what: String) throws(SnapshotError) -> ArraySlice<UInt8> {
        let length = Int(try read(UInt32.self, "the length of \(what)"))
        guard remaining >= length else { throw failure("\(what) is \(length) bytes long, but only \(remaining) remain") }
        defer { position += length }
        return bytes[position..<position + length]
    }

    /// Reads a count of items of at least `itemSize` bytes each, refusing counts the remaining bytes cannot
    /// hold (so that a damaged count cannot ask for a huge allocation).
    mutating func readCount(_ what: String, itemSize: Int) throws(SnapshotError) -> Int {
        let count = Int(try read(UInt32.self, "the number of \(what)"))
        guard count <= remaining / itemSize else {
            throw failure("it claims \(count) \(what), more than the \(remaining) remaining bytes can hold")
        }
        return count
    }

    func expectEnd() throws(SnapshotError) {
        guard remaining == 0 else { throw failure("\(remaining) unexpected bytes follow the end of the data") }
    }
}
