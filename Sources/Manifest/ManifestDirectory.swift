import Foundation

/// All workers' manifests in one run folder, found by their file names (`worker-<index>.wtm`,
/// see `ManifestFormat.fileName(worker:)`), read one file after another in constant memory.
public struct ManifestDirectory: Sendable {
    /// One manifest file of the folder.
    public struct Entry: Sendable, Equatable {
        /// The worker index in the file name.
        public let worker: Int
        /// The file's path.
        public let path: String
    }

    /// The folder.
    public let path: String
    /// Its manifests, by worker index.
    public let entries: [Entry]

    /// Lists the manifests in folder `path`; an error when it cannot be listed or holds none.
    public init(path: String) throws(ManifestError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ManifestError.io(path: path, operation: "list the folder", reason: error.localizedDescription)
        }
        let folder = URL(fileURLWithPath: path)
        entries = names.compactMap { name in
            ManifestFormat.worker(inFileName: name).map { Entry(worker: $0, path: folder.appendingPathComponent(name).path) }
        }
        .sorted { $0.worker < $1.worker }
        guard !entries.isEmpty else { throw ManifestError.noManifests(folder: path) }
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
        if let first = entries.first { summary.options = ManifestSummary.Options(header: try ManifestReader(path: first.path).header) }
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
