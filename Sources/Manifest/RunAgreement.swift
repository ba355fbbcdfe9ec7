import Foundation

/// Whether the manifests of a folder are those of one run: what `ManifestDirectory` checks before it reads
/// records, so that workers of separate machines (`--worker I/N`) merge only when they ran the same stream.
enum RunAgreement {
    /// Options that may differ between the workers of one run: where each ran and when it started are not
    /// options, and the coordinator that started a worker ran `--processes N` or one `--worker I/N`.
    private static let perWorkerKeys: Set<String> = ["run.processes"]

    /// Throws `notOneRun` naming the first file at fault unless `entries` (sorted by worker) hold exactly one
    /// manifest of each worker `0 ..< workerCount`, all with the same count, seed, settings and run options.
    static func check(_ entries: [ManifestDirectory.Entry], folder: String) throws(ManifestError) {
        func refuse(_ reason: String) -> ManifestError { .notOneRun(folder: folder, reason: reason) }
        guard let first = entries.first else { return }
        let count = first.header.workerCount
        for (index, entry) in entries.enumerated() {
            let name = fileName(entry)
            guard entry.header.workerIndex == entry.worker else {
                throw refuse("\(name) holds the manifest of worker \(entry.header.workerIndex)")
            }
            if index > 0, entries[index - 1].worker == entry.worker {
                throw refuse("\(fileName(entries[index - 1])) and \(name) are both worker \(entry.worker)'s manifest")
            }
            guard entry.header.workerCount == count else {
                throw refuse("\(name) says the run had \(entry.header.workerCount) workers, \(fileName(first)) says \(count)")
            }
            guard entry.worker < count else {
                throw refuse("\(name) is worker \(entry.worker), but the run had \(count) workers, 0 to \(count - 1)")
            }
        }
        if let missing = (0..<count).first(where: { index in !entries.contains { $0.worker == index } }) {
            throw refuse("the manifest of worker \(missing) of \(count) (\(ManifestFormat.fileName(worker: missing))) is missing")
        }

        let expected = try options(first)
        let splitTotal = first.header.run.totalRecordsPerSecond
        // Under --total-rps each worker has its own share of the rate, and with --duration its own count.
        var ignored = perWorkerKeys
        if splitTotal != nil {
            ignored.insert("settings.rps")
            if first.header.run.durationMs != nil { ignored.insert("run.event_count") }
        }
        for entry in entries.dropFirst() {
            let actual = try options(entry)
            let differences = Set(expected.keys).union(actual.keys).subtracting(ignored).sorted().filter { expected[$0] != actual[$0] }
            guard differences.isEmpty else {
                let listed = differences.map { "\($0) (\(actual[$0] ?? "none"), not \(expected[$0] ?? "none"))" }
                throw refuse("\(fileName(entry)) differs from \(fileName(first)) in \(listed.joined(separator: ", "))")
            }
        }
        if let splitTotal {
            let shares = entries.map(\.header.settings.recordsPerSecond).reduce(0, +)
            guard shares == splitTotal else {
                throw refuse("the workers' rates add up to \(shares) records per second, not the run's --total-rps \(splitTotal)")
            }
        }
    }

    private static func fileName(_ entry: ManifestDirectory.Entry) -> String {
        URL(fileURLWithPath: entry.path).lastPathComponent
    }

    /// The header's settings and run options as `settings.<key>` and `run.<key>`, each value as JSON text, so
    /// that a difference can be named by the key a user sees in the header.
    private static func options(_ entry: ManifestDirectory.Entry) throws(ManifestError) -> [String: String] {
        var flat: [String: String] = [:]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let parts: [(String, Data)] = [
                ("settings", try encoder.encode(entry.header.settings)), ("run", try encoder.encode(entry.header.run)),
            ]
            for (part, data) in parts {
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
                for (key, value) in object {
                    let text = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
                    flat["\(part).\(key)"] = String(decoding: text, as: UTF8.self)
                }
            }
        } catch {
            throw ManifestError.corrupt(path: entry.path, byteOffset: 0, reason: "its header cannot be compared: \(error)")
        }
        return flat
    }
}
