/// The manifest file format, version 2 (version 1's header had no `run` options).
///
/// A manifest is one worker's ground-truth journal: what it sent and what the broker acknowledged.
/// ```
/// file   = magic (8 bytes "WTMF\r\n\u{1A}\n") version (UInt32 LE) frame*
/// frame  = one complete zstd frame (content checksum on) holding exactly one block
/// block  = tag (UInt8) length (UInt32 LE) payload
///   tag 1 header : payload is the `ManifestHeader` as JSON; always the first block
///   tag 2 records: payload is n × `ManifestRecord.byteCount` bytes, fixed-size little-endian records
///   tag 3 footer : payload is the record count (UInt64 LE) and the finish time (Int64 LE, epoch ms); last
/// ```
/// Records are compressed in chunks, one frame each, and written when a chunk is full or flushed: a worker
/// killed mid-run leaves a file that reads up to its last complete frame, and the missing footer tells the
/// reader it was cut short. The magic's line-ending and EOF bytes catch a file mangled by a text transfer.
public enum ManifestFormat {
    /// The first eight bytes of every manifest.
    static let magic: [UInt8] = [0x57, 0x54, 0x4D, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format version this code writes and reads; a file of any other version is refused. Raise it
    /// whenever the layout changes, the header's JSON included: a reader then names the version it cannot
    /// read instead of failing on a missing key or misreading a field.
    public static let version: UInt32 = 2
    /// Bytes before the first frame: magic and version.
    static let preambleBytes = 12
    /// Bytes before a block's payload: tag and length.
    static let blockHeaderBytes = 5
    /// The largest block a reader accepts, so that a corrupt length cannot make it allocate without bound.
    static let largestBlockBytes = 64 << 20

    /// Block tags.
    enum Tag: UInt8 {
        case header = 1
        case records = 2
        case footer = 3
    }

    /// The manifest file name of worker `index` in a run's folder: `worker-<index>.wtm`.
    public static func fileName(worker index: Int) -> String {
        "worker-\(index).wtm"
    }

    /// The worker index in a manifest file name, or nil when the name does not follow `worker-<index>.wtm`.
    public static func worker(inFileName name: String) -> Int? {
        guard name.hasPrefix("worker-"), name.hasSuffix(".wtm") else { return nil }
        let digits = name.dropFirst("worker-".count).dropLast(".wtm".count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let index = Int(digits), index >= 0 else { return nil }
        return index
    }
}
