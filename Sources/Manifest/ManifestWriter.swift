import CZstd
import EventModel
import Foundation

/// Writes one worker's manifest: the header at once, then records in zstd-compressed chunks, then a footer.
///
/// `append` encodes into a reused chunk buffer and compresses with a reused zstd context, so it allocates
/// nothing. A chunk reaches the file when it is full or on `flush()`; a writer dropped without `finish()`
/// (or a killed process) leaves a file that reads as cut short after its last written chunk.
/// A class because it owns a file and a compression context. Not thread-safe: one worker thread writes.
public final class ManifestWriter {
    /// The file being written.
    public let path: String
    /// Records per compressed chunk, unless set: 8,192 (590 kB before compression).
    public static let defaultChunkRecords = 8_192
    /// The most records per chunk: a chunk must stay below the largest block a reader accepts.
    public static let mostChunkRecords = 500_000

    // The per-record state skips dynamic exclusivity checks, which would otherwise cost more than encoding
    // a record: the writer is confined to one thread and no access outlives a call.
    /// Records appended so far.
    @exclusivity(unchecked) public private(set) var recordCount: UInt64 = 0

    @exclusivity(unchecked) private var file: FileDescriptor?
    private let context: OpaquePointer
    private let chunkRecords: Int
    private let chunk: UnsafeMutableRawPointer
    private let chunkCapacity: Int
    @exclusivity(unchecked) private var chunkFill: Int
    private let compressed: UnsafeMutableRawPointer
    private let compressedCapacity: Int

    /// Creates (or replaces) the file at `path` and writes `header` to it. `chunkRecords` is kept within
    /// 1 ... `mostChunkRecords`. zstd level 1 is the default because,
    /// measured on these records, it was both faster and smaller than level 3 (about 13 bytes per record).
    public init(path: String, header: ManifestHeader, chunkRecords: Int = defaultChunkRecords, compressionLevel: Int32 = 1) throws(ManifestError) {
        guard let context = ZSTD_createCCtx() else {
            throw ManifestError.io(path: path, operation: "create a zstd compression context", reason: "out of memory")
        }
        self.path = path
        self.context = context
        self.chunkRecords = min(max(1, chunkRecords), Self.mostChunkRecords)
        let headerJSON: Data
        do {
            headerJSON = try JSONEncoder().encode(header)
        } catch {
            ZSTD_freeCCtx(context)
            throw ManifestError.io(path: path, operation: "encode the header", reason: "\(error)")
        }
        chunkCapacity = max(ManifestFormat.blockHeaderBytes + self.chunkRecords * ManifestRecord.byteCount, ManifestFormat.blockHeaderBytes + headerJSON.count)
        chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkCapacity, alignment: 8)
        compressedCapacity = ZSTD_compressBound(chunkCapacity)
        compressed = UnsafeMutableRawPointer.allocate(byteCount: compressedCapacity, alignment: 8)
        chunkFill = ManifestFormat.blockHeaderBytes
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, compressionLevel)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)

        let file = try FileDescriptor.create(path)
        self.file = file
        for (index, byte) in ManifestFormat.magic.enumerated() {
            compressed.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
        }
        compressed.storeBytes(of: ManifestFormat.version.littleEndian, toByteOffset: ManifestFormat.magic.count, as: UInt32.self)
        try file.writeAll(compressed, count: ManifestFormat.preambleBytes)
        headerJSON.withUnsafeBytes { json in
            UnsafeMutableRawBufferPointer(start: chunk + ManifestFormat.blockHeaderBytes, count: json.count).copyMemory(from: json)
        }
        try writeBlock(.header, payloadBytes: headerJSON.count)
    }

    deinit {
        file?.close()
        ZSTD_freeCCtx(context)
        chunk.deallocate()
        compressed.deallocate()
    }

    /// Adds one record; it reaches the file with its chunk.
    public func append(_ record: ManifestRecord) throws(ManifestError) {
        guard file != nil else { throw ManifestError.finished(path: path) }
        record.encode(into: chunk + chunkFill)
        chunkFill += ManifestRecord.byteCount
        recordCount += 1
        if chunkFill == ManifestFormat.blockHeaderBytes + chunkRecords * ManifestRecord.byteCount {
            try flush()
        }
    }

    /// Writes the records appended since the last chunk as a chunk of their own, so that a crash after this
    /// point loses none of them. Call it now and then (e.g. every second) on a slow stream.
    public func flush() throws(ManifestError) {
        guard file != nil else { throw ManifestError.finished(path: path) }
        let payload = chunkFill - ManifestFormat.blockHeaderBytes
        guard payload > 0 else { return }
        try writeBlock(.records, payloadBytes: payload)
    }

    /// Flushes, writes the footer with the record count and closes the file.
    public func finish(endTimeMs: Int64) throws(ManifestError) {
        try flush()
        var footer = chunk + ManifestFormat.blockHeaderBytes
        footer.storeBytes(of: recordCount.littleEndian, as: UInt64.self)
        footer += 8
        footer.storeBytes(of: endTimeMs.littleEndian, as: Int64.self)
        try writeBlock(.footer, payloadBytes: 16)
        file?.close()
        file = nil
    }

    /// Compresses the block in `chunk` (its payload already in place) into one zstd frame and writes it.
    private func writeBlock(_ tag: ManifestFormat.Tag, payloadBytes: Int) throws(ManifestError) {
        guard let file else { throw ManifestError.finished(path: path) }
        chunk.storeBytes(of: tag.rawValue, as: UInt8.self)
        chunk.storeBytes(of: UInt32(payloadBytes).littleEndian, toByteOffset: 1, as: UInt32.self)
        var input = ZSTD_inBuffer(src: chunk, size: ManifestFormat.blockHeaderBytes + payloadBytes, pos: 0)
        while true {
            var output = ZSTD_outBuffer(dst: compressed, size: compressedCapacity, pos: 0)
            let remaining = ZSTD_compressStream2(context, &output, &input, ZSTD_e_end)
            if ZSTD_isError(remaining) != 0 {
                throw ManifestError.io(path: path, operation: "compress a chunk", reason: String(cString: ZSTD_getErrorName(remaining)))
            }
            try file.writeAll(compressed, count: output.pos)
            if remaining == 0 { break }
        }
        chunkFill = ManifestFormat.blockHeaderBytes
    }
}
