import CZstd
import EventModel
import Foundation

/// How a manifest file ended.
public enum ManifestEnding: Sendable, Equatable {
    /// The footer was read and its record count matches the records read.
    case complete(records: UInt64)
    /// The file stops early (its worker was killed, or the file was copied while being written): all
    /// records up to the last complete chunk were read; `reason` says where it stops.
    case cutShort(records: UInt64, reason: String)

    /// Whether the footer was there.
    public var isComplete: Bool {
        if case .complete = self { return true }
        return false
    }

    /// Records read from the file.
    public var records: UInt64 {
        switch self {
        case .complete(let records), .cutShort(let records, _): records
        }
    }
}

/// Reads one manifest in constant memory: the header at once, then records chunk by chunk through `next()`.
/// Records come in the order they were written, which is not sequence order.
/// A class because it owns a file and a decompression context.
public final class ManifestReader {
    /// The file being read.
    public let path: String
    /// The writer's header.
    public private(set) var header: ManifestHeader
    /// How the file ended; nil until `next()` has returned nil.
    public private(set) var ending: ManifestEnding?

    private var file: FileDescriptor?
    private let context: OpaquePointer
    private let input: UnsafeMutableRawPointer
    private var inputFill = 0
    private var inputPosition = 0
    /// Bytes of the file consumed by the decompressor, for error messages.
    private var fileOffset = ManifestFormat.preambleBytes
    private var block: UnsafeMutableRawPointer
    private var blockCapacity: Int
    private var blockFill = 0
    private var recordsInBlock = 0
    private var nextRecordInBlock = 0
    private var recordsRead: UInt64 = 0

    private static let inputCapacity = 1 << 20

    /// Opens `path` and reads its header.
    public init(path: String) throws(ManifestError) {
        guard let context = ZSTD_createDCtx() else {
            throw ManifestError.io(path: path, operation: "create a zstd decompression context", reason: "out of memory")
        }
        self.path = path
        self.context = context
        input = UnsafeMutableRawPointer.allocate(byteCount: Self.inputCapacity, alignment: 8)
        blockCapacity = ManifestFormat.blockHeaderBytes + ManifestWriter.defaultChunkRecords * ManifestRecord.byteCount
        block = UnsafeMutableRawPointer.allocate(byteCount: blockCapacity, alignment: 8)
        // A placeholder until the file's own header is read: reading needs a fully initialized reader.
        header = ManifestHeader(settings: GeneratorSettings(), workerIndex: 0, workerCount: 0, hostName: "", startTimeMs: 0)
        file = try FileDescriptor.openForReading(path)
        try readPreamble()
        guard try readFrame() else { throw ManifestError.cutBeforeHeader(path: path) }
        let (tag, payload) = try blockContents()
        guard tag == .header else { throw corrupt("the first block is not the header") }
        do {
            header = try JSONDecoder().decode(ManifestHeader.self, from: Data(payload))
        } catch {
            throw corrupt("the header is not valid: \(error)")
        }
    }

    deinit {
        file?.close()
        ZSTD_freeDCtx(context)
        input.deallocate()
        block.deallocate()
    }

    /// The next record, or nil at the end of the file (then `ending` says how it ended).
    public func next() throws(ManifestError) -> ManifestRecord? {
        while true {
            if nextRecordInBlock < recordsInBlock {
                let base = block + ManifestFormat.blockHeaderBytes + nextRecordInBlock * ManifestRecord.byteCount
                nextRecordInBlock += 1
                recordsRead += 1
                switch ManifestRecord.decode(from: base) {
                case .success(let record): return record
                case .failure(let error): throw corrupt(error.reason)
                }
            }
            if ending != nil { return nil }
            guard try readFrame() else {
                if ending == nil { ending = .cutShort(records: recordsRead, reason: "it ends after a complete chunk but has no footer") }
                return nil
            }
            let (tag, payload) = try blockContents()
            switch tag {
            case .header:
                throw corrupt("a second header")
            case .records:
                guard payload.count % ManifestRecord.byteCount == 0 else {
                    throw corrupt("a records block of \(payload.count) bytes, not a multiple of \(ManifestRecord.byteCount)")
                }
                recordsInBlock = payload.count / ManifestRecord.byteCount
                nextRecordInBlock = 0
            case .footer:
                try readFooter(payload)
            }
        }
    }

    /// Calls `body` with every remaining record and returns how the file ended.
    public func forEach(_ body: (ManifestRecord) throws -> Void) throws -> ManifestEnding {
        while let record = try next() { try body(record) }
        return ending ?? .cutShort(records: recordsRead, reason: "reading stopped early")
    }

    private func readFooter(_ payload: UnsafeRawBufferPointer) throws(ManifestError) {
        guard payload.count == 16 else { throw corrupt("a footer of \(payload.count) bytes instead of 16") }
        let count = UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self))
        guard count == recordsRead else {
            throw corrupt("the footer counts \(count) records but the file holds \(recordsRead)")
        }
        if try readFrame() { throw corrupt("data after the footer") }
        guard ending == nil else { throw corrupt("a partial chunk after the footer") }
        ending = .complete(records: recordsRead)
        recordsInBlock = 0
        nextRecordInBlock = 0
    }

    private func readPreamble() throws(ManifestError) {
        guard let file else { return }
        while inputFill < ManifestFormat.preambleBytes {
            let count = try file.readSome(into: input + inputFill, capacity: Self.inputCapacity - inputFill)
            if count == 0 { throw ManifestError.notAManifest(path: path, reason: "it is only \(inputFill) bytes long") }
            inputFill += count
        }
        for (index, byte) in ManifestFormat.magic.enumerated() where input.load(fromByteOffset: index, as: UInt8.self) != byte {
            throw ManifestError.notAManifest(path: path, reason: "it does not start with the manifest magic bytes")
        }
        let version = UInt32(littleEndian: input.loadUnaligned(fromByteOffset: ManifestFormat.magic.count, as: UInt32.self))
        guard version == ManifestFormat.version else { throw ManifestError.unsupportedVersion(path: path, version: version) }
        inputPosition = ManifestFormat.preambleBytes
    }

    /// Decompresses the next whole frame into `block`. False at the end of the file; when the file ends
    /// inside a frame it also sets `ending`, since what was decoded of that frame cannot be trusted.
    private func readFrame() throws(ManifestError) -> Bool {
        guard let file else { return false }
        blockFill = 0
        recordsInBlock = 0
        nextRecordInBlock = 0
        var started = false
        var outputWasFull = false
        while true {
            if blockFill == blockCapacity { try growBlock() }
            // A decoder whose output filled up may hold decoded bytes back: let it drain before reading more.
            if inputPosition == inputFill, !outputWasFull {
                inputFill = try file.readSome(into: input, capacity: Self.inputCapacity)
                inputPosition = 0
                if inputFill == 0 {
                    if started {
                        ending = .cutShort(records: recordsRead, reason: "it ends inside a chunk at byte \(fileOffset)")
                    }
                    return false
                }
            }
            started = true
            var source = ZSTD_inBuffer(src: input + inputPosition, size: inputFill - inputPosition, pos: 0)
            var target = ZSTD_outBuffer(dst: block + blockFill, size: blockCapacity - blockFill, pos: 0)
            let hint = ZSTD_decompressStream(context, &target, &source)
            if ZSTD_isError(hint) != 0 {
                throw corrupt("zstd: \(String(cString: ZSTD_getErrorName(hint)))")
            }
            inputPosition += source.pos
            fileOffset += source.pos
            blockFill += target.pos
            outputWasFull = target.pos == target.size
            if hint == 0 { return true }
        }
    }

    private func growBlock() throws(ManifestError) {
        guard blockCapacity < ManifestFormat.largestBlockBytes else {
            throw corrupt("a block larger than \(ManifestFormat.largestBlockBytes) bytes")
        }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: blockCapacity * 2, alignment: 8)
        grown.copyMemory(from: block, byteCount: blockFill)
        block.deallocate()
        block = grown
        blockCapacity *= 2
    }

    /// The tag and payload of the block just decompressed.
    private func blockContents() throws(ManifestError) -> (ManifestFormat.Tag, UnsafeRawBufferPointer) {
        guard blockFill >= ManifestFormat.blockHeaderBytes else { throw corrupt("a chunk too short to hold a block") }
        let tagByte = block.load(as: UInt8.self)
        guard let tag = ManifestFormat.Tag(rawValue: tagByte) else { throw corrupt("an unknown block tag \(tagByte)") }
        let length = Int(UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
        guard length == blockFill - ManifestFormat.blockHeaderBytes else {
            throw corrupt("a block announcing \(length) bytes that holds \(blockFill - ManifestFormat.blockHeaderBytes)")
        }
        return (tag, UnsafeRawBufferPointer(start: block + ManifestFormat.blockHeaderBytes, count: length))
    }

    private func corrupt(_ reason: String) -> ManifestError {
        .corrupt(path: path, byteOffset: fileOffset, reason: reason)
    }
}
