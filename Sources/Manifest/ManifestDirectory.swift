import Foundation

/// All workers' manifests in one run folder, found by their file names (`worker-<index>.wtm`,
/// see `ManifestFormat.fileName(worker:)`), read one file after another in constant memory.
///
/// The folder must hold one run: one manifest of every worker `0 ..< workerCount`, all with the same seed,
/// settings and run options. Workers on several machines (`--worker I/N`) merge into one folder this way,
/// and a folder mixing runs is refused rather than judged as one.
public struct ManifestDirectory: Sendable {
    /// One manifest file of the folder.
    public struct Entry: Sendable, Equatable {
        /// The worker index in the file name.
        public let worker: Int
        /// The file's path.
        public let path: String
        /// The file's header.
        public let header: ManifestHeader
    }

    /// The folder.
    public let path: String
    /// Its manifests, by worker index.
    public let entries: [Entry]

    /// Lists the manifests in folder `path` and reads their headers; an error when it cannot be listed, holds
    /// none, a header cannot be read, or the manifests are not those of one run.
    public init(path: String) throws(ManifestError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ManifestError.io(path: path, operation: "list the folder", reason: error.localizedDescription)
        }
        let folder = URL(fileURLWithPath: path)
        var entries: [Entry] = []
        for name in names.sorted() {
            guard let worker = ManifestFormat.worker(inFileName: name) else { continue }
            let file = folder.appendingPathComponent(name).path
            entries.append(Entry(worker: worker, path: file, header: try ManifestReader(path: file).header))
        }
        entries.sort { $0.worker < $1.worker }
        guard !entries.isEmpty else { throw ManifestError.noManifests(folder: path) }
        try RunAgreement.check(entries, folder: path)
        self.entries = entries
        self.path = path
    }

    /// Calls `body` with every record of every worker, worker by worker, and returns how each file ended.
    @discardableResult
    public func forEachRecord(_ body: (ManifestHeader, ManifestRecord) throws -> Void) throws -> [WorkerSummary] {
        var workers: [WorkerSummary] = []
        for entry in entries {
            let reader = try ManifestReader(path: entry.path)
            let header = reader.header
            let ending = try reader.forEach { try body(header, $0) }
            workers.append(WorkerSummary(header: header, ending: ending))
        }
        return workers
    }

    /// Counts over all records of all workers, with the run's options from the first worker's header.
    public func summary() throws -> ManifestSummary {
        var summary = ManifestSummary()
        summary.options = entries.first.map { ManifestSummary.Options(header: $0.header) }
        let workers = try forEachRecord { _, record in summary.add(record) }
        summary.workers = workers
        return summary
    }

    /// Passes every record of every worker to `emit` as one JSON line (without a newline).
    @discardableResult
    public func writeJSONLines(_ emit: (String) throws -> Void) throws -> [WorkerSummary] {
        try forEachRecord { header, record in try emit(record.jsonLine(worker: header.workerIndex)) }
    }
}
