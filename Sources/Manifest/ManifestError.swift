/// Why a manifest could not be written or read; every case names the file.
public enum ManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operating system refused an operation (open, write, read, list).
    case io(path: String, operation: String, reason: String)
    /// The file is not a manifest: wrong magic, or too short to hold one.
    case notAManifest(path: String, reason: String)
    /// The file is a manifest of a version this code cannot read.
    case unsupportedVersion(path: String, version: UInt32)
    /// The bytes contradict the format (a zstd error, an unknown block, a footer that disagrees).
    case corrupt(path: String, byteOffset: Int, reason: String)
    /// The file ends before its header is complete, so nothing in it can be trusted.
    case cutBeforeHeader(path: String)
    /// A folder holds no `worker-<index>.wtm` file.
    case noManifests(folder: String)
    /// A folder's manifests are not those of one run: a worker is missing or there twice, or the workers
    /// disagree on their count, seed, settings or run options.
    case notOneRun(folder: String, reason: String)
    /// The writer was used after `finish()`.
    case finished(path: String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let reason): "manifest \(path): could not \(operation): \(reason)"
        case .notAManifest(let path, let reason): "\(path) is not a manifest: \(reason)"
        case .unsupportedVersion(let path, let version):
            "manifest \(path) has format version \(version), written by \(version < ManifestFormat.version ? "an older" : "a newer") "
                + "windtunnel; this build reads only version \(ManifestFormat.version)"
        case .corrupt(let path, let offset, let reason): "manifest \(path) is corrupt near byte \(offset): \(reason)"
        case .cutBeforeHeader(let path): "manifest \(path) ends before its header is complete"
        case .noManifests(let folder): "folder \(folder) holds no manifest (files named worker-<index>.wtm)"
        case .notOneRun(let folder, let reason): "folder \(folder) does not hold the manifests of one run: \(reason)"
        case .finished(let path): "manifest \(path) was already finished"
        }
    }
}
