import Contracts
import EventModel
import Foundation
import Kafka
import Manifest
import Testing

/// `windtunnel generate` as a user runs it, on an embedded broker: the binary, its worker processes, the
/// manifests and the summary. One at a time, as each keeps both cores busy.
@Suite("windtunnel generate on a real broker", .serialized)
struct GenerateRunTests {
    /// What a manifest says about one acknowledged record.
    struct Journaled {
        var partition: Int32
        var offset: Int64
        var user: String
    }

    /// Every acknowledged record of the folder's manifests by (worker, sequence); fails on any other status.
    private func acknowledgedRecords(folder: String) throws -> [String: Journaled] {
        var records: [String: Journaled] = [:]
        let workers = try ManifestDirectory(path: folder).forEachRecord { header, record in
            guard case .acked(let partition, let offset, _) = record.acknowledgement else {
                Issue.record("worker \(header.workerIndex) sequence \(record.event.sequence): \(record.acknowledgement.status)")
                return
            }
            let key = "\(header.workerIndex)/\(record.event.sequence)"
            #expect(records[key] == nil, "\(key) journaled twice")
            records[key] = Journaled(partition: partition, offset: offset, user: record.event.userID)
        }
        #expect(workers.filter { !$0.complete }.isEmpty)
        return records
    }

    private func summary(folder: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("2 processes x 20k records/s for 10 s: the manifests' acknowledged records are what the topic holds, record by record")
    func manifestsMatchTopic() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let client = ClientSettings(brokers: broker.bootstrap)
                let topic = "generate-integration"
                try KafkaAdmin(client: client).createTopic(topic, partitions: 4)
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand.run(
                    [
                        "generate", "--brokers", broker.bootstrap, "--topic", topic, "--processes", "2", "--rps", "20000",
                        "--duration", "10s", "--seed", "11", "--late-fraction", "0.05", "--malformed-fraction", "0.01",
                        "--manifest", manifests, "--stats-log", folder + "/stats.jsonl",
                    ], folder: folder)
                #expect(command.status == 0, "\(command.errorText)")

                let journaled = try acknowledgedRecords(folder: manifests)
                #expect(journaled.count == 2 * 20_000 * 10)
                let summary = try summary(folder: manifests)
                #expect(summary["acknowledged"] as? Int == journaled.count)
                var ends: [String: Int64] = [:]
                for record in journaled.values { ends[String(record.partition), default: 0] = max(ends[String(record.partition)] ?? 0, record.offset + 1) }
                #expect((summary["partition_end_offsets"] as? [String: Int64]) == ends)

                // The stats log: a line a second while sending, counts that only grow, and the final figures last.
                let stats = try String(contentsOfFile: folder + "/stats.jsonl", encoding: .utf8).split(separator: "\n")
                    .map { try GeneratorStatsEntry(jsonLine: $0) }
                #expect(stats.count >= 9, "\(stats.count) lines")
                #expect(zip(stats, stats.dropFirst()).allSatisfy { $0.acknowledged <= $1.acknowledged && $0.atMs <= $1.atMs })
                let last = try #require(stats.last)
                #expect(last.acknowledged == UInt64(journaled.count))
                #expect(Dictionary(uniqueKeysWithValues: last.partitionEnds.map { (String($0.key), $0.value) }) == ends)

                // A group id is required by the client, but assigning partitions joins no group.
                var configuration = ConsumerConfiguration(client: client, groupID: "generate-integration-reader")
                configuration.reportPartitionEnd = true
                let consumer = try KafkaConsumer(configuration: configuration)
                try consumer.assign((0..<4).map { TopicPartition(topic: topic, partition: $0, offset: TopicPartition.beginning) })
                var seen = Set<String>()
                var duplicates = 0
                var mismatches: [String] = []
                var read = 0
                // Tansu now and then answers a fetch with a later record batch than the one asked for (README,
                // "The embedded broker"): a gap in a partition's offsets is fetched again, as `detect` does, so
                // that only records the broker really lacks count as missing.
                var reading = ContiguousReading()
                let deadline = Date().addingTimeInterval(120)
                while read < journaled.count, Date() < deadline {
                    try consumer.consumeBatch(timeoutMs: 500) { record in
                        guard reading.admit(partition: record.partition, offset: record.offset) else { return }
                        read += 1
                        let worker = record.header("wt-worker").map { String(decoding: $0, as: UTF8.self) } ?? "?"
                        let sequence = record.header("wt-seq").map { String(decoding: $0, as: UTF8.self) } ?? "?"
                        let key = "\(worker)/\(sequence)"
                        if !seen.insert(key).inserted { duplicates += 1 }
                        guard let entry = journaled[key] else {
                            mismatches.append("\(key) at \(record.partition)@\(record.offset) is not in the manifests")
                            return
                        }
                        if entry.partition != record.partition || entry.offset != record.offset {
                            mismatches.append("\(key): manifest \(entry.partition)@\(entry.offset), topic \(record.partition)@\(record.offset)")
                        }
                        if String(decoding: record.key, as: UTF8.self) != entry.user { mismatches.append("\(key): key is not \(entry.user)") }
                    }
                    try consumer.seek(reading.takeMoves(topic: topic))
                }
                consumer.close()
                #expect(read == journaled.count)
                #expect(seen.count == journaled.count)
                #expect(duplicates == 0)
                #expect(mismatches.prefix(5) == [])
            }
        }
    }

    @Test("SIGTERM mid-run stops every worker gracefully: complete manifests and a summary that says so")
    func terminated() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand(
                    ["generate", "--brokers", broker.bootstrap, "--processes", "2", "--rps", "5000", "--duration", "60s", "--manifest", manifests],
                    folder: folder)
                #expect(command.awaitError(containing: "released", timeoutSeconds: 60))
                // Some records go out before the stop, whatever the machine's speed: wait for a progress line.
                #expect(command.awaitError(containing: "lag p99", timeoutSeconds: 30))
                kill(command.process.processIdentifier, SIGTERM)
                command.wait(timeoutSeconds: 60)
                #expect(command.status == 128 + SIGTERM, "\(command.errorText)")

                let journaled = try acknowledgedRecords(folder: manifests)
                #expect(journaled.count > 0)
                #expect(journaled.count < 2 * 5_000 * 60)
                let summary = try summary(folder: manifests)
                #expect(summary["stopped_early"] as? Bool == true)
                #expect(summary["acknowledged"] as? Int == journaled.count)
                let workers = try #require(summary["workers"] as? [[String: Any]])
                #expect(workers.map { $0["status"] as? String } == ["stopped early", "stopped early"])
            }
        }
    }

    @Test("a killed worker is reported by name, the run exits non-zero, and the other worker's manifest stays complete")
    func killedWorker() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand(
                    ["generate", "--brokers", broker.bootstrap, "--processes", "2", "--rps", "2000", "--duration", "6s", "--manifest", manifests],
                    folder: folder)
                #expect(command.awaitError(containing: "released", timeoutSeconds: 60))
                let started = command.errorText.split(separator: "\n").first { $0.contains("worker 1 started (pid ") }
                let pid = try #require(started.flatMap { Int32($0.split(separator: "pid ").last?.dropLast() ?? "") })
                #expect(command.awaitError(containing: "lag p99", timeoutSeconds: 30))
                kill(pid, SIGKILL)
                command.wait(timeoutSeconds: 60)
                #expect(command.status == 1)
                #expect(command.errorText.contains("worker 1 died: signal 9"), "\(command.errorText)")

                let survivor = try ManifestReader(path: manifests + "/" + ManifestFormat.fileName(worker: 0))
                while try survivor.next() != nil {}
                let ending = survivor.ending
                #expect(ending == .complete(records: 2_000 * 6))
                let summary = try summary(folder: manifests)
                #expect((summary["problems"] as? [String])?.contains("worker 1 died: signal 9") == true)
                let workers = try #require(summary["workers"] as? [[String: Any]])
                #expect(workers.map { $0["status"] as? String } == ["completed", "died: signal 9"])
            }
        }
    }

    @Test("a coordinator killed outright leaves no worker running on: each stops and finishes its manifest")
    func coordinatorKilled() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand(
                    ["generate", "--brokers", broker.bootstrap, "--processes", "2", "--rps", "2000", "--duration", "60s", "--manifest", manifests],
                    folder: folder)
                #expect(command.awaitError(containing: "lag p99", timeoutSeconds: 60))
                let pids = command.errorText.split(separator: "\n").filter { $0.contains(" started (pid ") }.compactMap {
                    Int32($0.split(separator: "pid ").last?.dropLast() ?? "")
                }
                #expect(pids.count == 2)
                kill(command.process.processIdentifier, SIGKILL)
                command.wait(timeoutSeconds: 10)
                let deadline = Date().addingTimeInterval(30)
                // Signal 0 only asks whether the process exists; a worker that ended (and was reaped) is gone.
                while pids.contains(where: { kill($0, 0) == 0 && !isZombie($0) }), Date() < deadline { usleep(50_000) }
                #expect(pids.allSatisfy { kill($0, 0) != 0 || isZombie($0) })
                for worker in 0..<2 {
                    let reader = try ManifestReader(path: manifests + "/" + ManifestFormat.fileName(worker: worker))
                    var records = 0
                    while try reader.next() != nil { records += 1 }
                    let ending = reader.ending
                    #expect(ending?.isComplete == true)
                    #expect(records > 0)
                }
            }
        }
    }

    @Test("--tail sends window + delay + 10 s of matching records from tail users after the measured stream")
    func tail() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand.run(
                    [
                        "generate", "--brokers", broker.bootstrap, "--processes", "2", "--rps", "1000", "--duration", "2s", "--users", "300",
                        "--manifest", manifests, "--tail", "--tail-speedup", "50",
                    ], folder: folder)
                #expect(command.status == 0, "\(command.errorText)")
                let tailCount = 5 * (10 + 30 + 10)
                let summary = try summary(folder: manifests)
                #expect(summary["tail_records"] as? Int == 2 * tailCount)
                #expect(summary["acknowledged"] as? Int == 2 * (2_000 + tailCount))

                var measuredLastEventMs = Int64.min
                var tailFirstEventMs = Int64.max
                var tailUsers = Set<UInt32>()
                var tailRecords = 0
                try ManifestDirectory(path: manifests).forEachRecord { _, record in
                    let event = record.event
                    if event.flags.contains(.tail) {
                        tailRecords += 1
                        #expect(event.userIndex >= 300)
                        #expect(tailUsers.insert(event.userIndex).inserted)
                        #expect(event.flags.contains(.termCaseSensitive))
                        tailFirstEventMs = min(tailFirstEventMs, event.eventTimeMs)
                    } else {
                        #expect(event.userIndex < 300)
                        measuredLastEventMs = max(measuredLastEventMs, event.eventTimeMs)
                    }
                }
                #expect(tailRecords == 2 * tailCount)
                #expect(tailFirstEventMs > measuredLastEventMs)
            }
        }
    }
}

/// Whether `pid` has ended but not been reaped (its parent, killed, has not waited for it yet).
private func isZombie(_ pid: Int32) -> Bool {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    return status.split(separator: ")").last?.split(separator: " ").first == "Z"
}
