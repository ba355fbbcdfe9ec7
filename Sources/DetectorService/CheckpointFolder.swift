import Foundation

/// The checkpoint folder that all instances of a detector share:
///
///     <folder>/<instance>/checkpoint     the instance's last checkpoint (`Checkpoint`)
///     <folder>/<instance>/offsets        its offset log: the batch planned last (`PlannedBatch`)
///     <folder>/partitions/<p>.state      a partition's state as handed on at a rebalance (`PartitionHandoff`)
///
/// Every file is replaced whole by write, fsync and atomic rename, so a reader sees the old or the new one.
struct CheckpointFolder {
    let folder: String
    let instance: String

    /// Creates the folders as needed.
    init(folder: String, instance: String) throws(DetectorError) {
        self.folder = folder
        self.instance = instance
        for path in [instanceFolder, partitionsFolder] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw DetectorError("cannot create checkpoint folder \(path): \(error.localizedDescription)")
            }
        }
    }

    private var instanceFolder: String { "\(folder)/\(instance)" }
    private var partitionsFolder: String { "\(folder)/partitions" }
    private var checkpointPath: String { "\(instanceFolder)/checkpoint" }
    private var offsetLogPath: String { "\(instanceFolder)/offsets" }
    private func handoffPath(_ partition: Int32) -> String { "\(partitionsFolder)/\(partition).state" }

    func readCheckpoint() throws(DetectorError) -> Checkpoint? { try read(checkpointPath) }

    func write(_ checkpoint: Checkpoint) throws(DetectorError) { try write(checkpoint, to: checkpointPath) }

    /// The checkpoints of the other instances in the folder. A partition that an instance held when it was
    /// killed is in its checkpoint and nowhere else: the instance that takes it over resumes from there.
    func otherCheckpoints() throws(DetectorError) -> [Checkpoint] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var found: [Checkpoint] = []
        for entry in entries.sorted() where entry != instance && entry != "partitions" {
            if let checkpoint: Checkpoint = try read("\(folder)/\(entry)/checkpoint") { found.append(checkpoint) }
        }
        return found
    }

    func readPlannedBatch() throws(DetectorError) -> PlannedBatch? { try read(offsetLogPath) }

    func write(_ planned: PlannedBatch) throws(DetectorError) { try write(planned, to: offsetLogPath) }

    func readHandoff(partition: Int32) throws(DetectorError) -> PartitionHandoff? { try read(handoffPath(partition)) }

    func write(_ handoff: PartitionHandoff) throws(DetectorError) { try write(handoff, to: handoffPath(handoff.partition)) }

    private func read<Record: Decodable>(_ path: String) throws(DetectorError) -> Record? {
        let bytes: [UInt8]?
        do {
            bytes = try DurableFile.read(path)
        } catch {
            throw DetectorError(error.description)
        }
        guard let bytes else { return nil }
        do {
            return try JSONDecoder().decode(Record.self, from: Data(bytes))
        } catch {
            throw DetectorError("checkpoint file \(path) is damaged: \(error)")
        }
    }

    private func write<Record: Encodable>(_ record: Record, to path: String) throws(DetectorError) {
        do {
            let data = try JSONEncoder().encode(record)
            try DurableFile.replace(path, with: Array(data))
        } catch let failure as DurableFile.Failure {
            throw DetectorError(failure.description)
        } catch {
            throw DetectorError("cannot encode \(path): \(error)")
        }
    }
}
