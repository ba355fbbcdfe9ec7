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

    private func summary(folder: String, file: String = "summary.json") throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Checks every measured record of the folder against its worker's open-loop timetable: scheduled at
    /// start + sequence / rate (whole milliseconds), sent with that time as its event time when on time and
    /// an earlier one when late, so that back-pressure can only show as schedule lag.
    private func checkTimetable(folder: String) throws {
        var wrong: [String] = []
        try ManifestDirectory(path: folder).forEachRecord { header, record in
            let event = record.event
            guard !event.flags.contains(.tail) else { return }
            let due = header.startTimeMs + Int64(event.sequence * 1_000 / UInt64(header.settings.recordsPerSecond))
            let eventTimeFits = event.lateness == .onTime ? event.eventTimeMs == due : event.eventTimeMs < due
            if event.scheduledMs != due || !eventTimeFits {
                wrong.append("worker \(header.workerIndex) sequence \(event.sequence): due \(due), scheduled \(event.scheduledMs), event time \(event.eventTimeMs)")
            }
        }
        #expect(wrong.prefix(5) == [])
    }

    /// Reads partitions `0 ..< partitions` of `topic` from the start until `expected` records came (at most
    /// 120 s), passing each record to `body` once; returns how many were read.
    ///
    /// Tansu now and then answers a fetch with a later record batch than the one asked for (README, "The
    /// embedded broker"): a gap in a partition's offsets is fetched again, as `detect` does, so that only
    /// records the broker really lacks count as missing.
    private func readTopic(_ topic: String, partitions: Int32, client: ClientSettings, expected: Int, _ body: (ConsumedRecord) -> Void) throws -> Int {
        // A group id is required by the client, but assigning partitions joins no group.
        var configuration = ConsumerConfiguration(client: client, groupID: "\(topic)-reader")
        configuration.reportPartitionEnd = true
        let consumer = try KafkaConsumer(configuration: configuration)
        defer { consumer.close() }
        try consumer.assign((0..<partitions).map { TopicPartition(topic: topic, partition: $0, offset: TopicPartition.beginning) })
        var read = 0
        var reading = ContiguousReading()
        let deadline = Date().addingTimeInterval(120)
        while read < expected, Date() < deadline {
            try consumer.consumeBatch(timeoutMs: 500) { record in
                guard reading.admit(partition: record.partition, offset: record.offset) else { return }
                read += 1
                body(record)
            }
            try consumer.seek(reading.takeMoves(topic: topic))
        }
        return read
    }

    /// What a record is, apart from when its worker started: two runs with one seed and the same options send
    /// the same events, whatever the machine or the moment.
    struct EventIdentity: Equatable {
        var userIndex: UInt32
        var severity: UInt8
        var eventTimeFromStartMs: Int64
        var flags: UInt8
        var malformed: UInt8
        var lateness: UInt8
    }

    /// Every record of the folder's manifests by (worker, sequence).
    private func events(folder: String) throws -> [String: EventIdentity] {
        var events: [String: EventIdentity] = [:]
        try ManifestDirectory(path: folder).forEachRecord { header, record in
            let event = record.event
            events["\(header.workerIndex)/\(event.sequence)"] = EventIdentity(
                userIndex: event.userIndex, severity: event.severity.code, eventTimeFromStartMs: event.eventTimeMs - header.startTimeMs,
                flags: event.flags.rawValue, malformed: event.malformed?.code ?? 0, lateness: event.lateness.code)
        }
        return events
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
                try checkTimetable(folder: manifests)
                let summary = try summary(folder: manifests)
                #expect(summary["acknowledged"] as? Int == journaled.count)
                var ends: [String: Int64] = [:]
                for record in journaled.values { ends[String(record.partition), default: 0] = max(ends[String(record.partition)] ?? 0, record.offset + 1) }
                #expect((summary["partition_end_offsets"] as? [String: Int64]) == ends)
                // The summary's counts by kind are the manifests' own, and every kind occurs.
                let counts = try ManifestDirectory(path: manifests).summary()
                #expect(summary["malformed"] as? [String: Int] == counts.malformed.mapValues(Int.init))
                #expect(summary["lateness"] as? [String: Int] == counts.lateness.mapValues(Int.init))
                #expect(summary["term_records"] as? Int == Int(counts.termCaseInsensitive))
                #expect(MalformedKind.allCases.allSatisfy { counts.malformed[$0.rawValue, default: 0] > 0 })
                #expect(counts.lateness[Lateness.within.rawValue, default: 0] > 0)

                // The stats log: a line a second while sending, counts that only grow, and the final figures last.
                let stats = try String(contentsOfFile: folder + "/stats.jsonl", encoding: .utf8).split(separator: "\n")
                    .map { try GeneratorStatsEntry(jsonLine: $0) }
                #expect(stats.count >= 9, "\(stats.count) lines")
                #expect(zip(stats, stats.dropFirst()).allSatisfy { $0.acknowledged <= $1.acknowledged && $0.atMs <= $1.atMs })
                let last = try #require(stats.last)
                #expect(last.acknowledged == UInt64(journaled.count))
                #expect(Dictionary(uniqueKeysWithValues: last.partitionEnds.map { (String($0.key), $0.value) }) == ends)

                var seen = Set<String>()
                var duplicates = 0
                var mismatches: [String] = []
                let read = try readTopic(topic, partitions: 4, client: client, expected: journaled.count) { record in
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
                #expect(read == journaled.count)
                #expect(seen.count == journaled.count)
                #expect(duplicates == 0)
                #expect(mismatches.prefix(5) == [])
            }
        }
    }

    @Test("SIGTERM or SIGINT (Ctrl-C) mid-run stops every worker gracefully: complete manifests and a summary that says so", arguments: [SIGTERM, SIGINT])
    func terminated(signal: Int32) async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand(
                    ["generate", "--brokers", broker.bootstrap, "--processes", "2", "--rps", "5000", "--duration", "60s", "--manifest", manifests],
                    folder: folder)
                #expect(command.awaitError(containing: "released", timeoutSeconds: 60))
                // Some records go out before the stop, whatever the machine's speed: wait for a progress line.
                #expect(command.awaitError(containing: "lag p99", timeoutSeconds: 30))
                kill(command.process.processIdentifier, signal)
                command.wait(timeoutSeconds: 60)
                #expect(command.status == 128 + signal, "\(command.errorText)")

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

    @Test("--worker 0/2 and 1/2 with one seed, run apart into one folder, journal the events of a --processes 2 run")
    func workersOnSeparateMachines() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let options = [
                    "generate", "--brokers", broker.bootstrap, "--topic", "workers", "--rps", "2000", "--duration", "3s", "--seed", "21",
                    "--late-fraction", "0.05", "--malformed-fraction", "0.02", "--users", "50",
                ]
                let merged = folder + "/merged"
                // Started one after the other, as two machines would be: each has its own start time.
                let first = try WindtunnelCommand(options + ["--worker", "0/2", "--manifest", merged], folder: folder)
                usleep(300_000)
                let second = try WindtunnelCommand(options + ["--worker", "1/2", "--manifest", merged], folder: folder)
                first.wait(timeoutSeconds: 120)
                second.wait(timeoutSeconds: 120)
                #expect(first.status == 0, "\(first.errorText)")
                #expect(second.status == 0, "\(second.errorText)")
                let together = folder + "/together"
                let processes = try WindtunnelCommand.run(options + ["--processes", "2", "--manifest", together], folder: folder)
                #expect(processes.status == 0, "\(processes.errorText)")

                let mergedEvents = try events(folder: merged)
                #expect(mergedEvents.count == 2 * 2_000 * 3)
                #expect(mergedEvents == (try events(folder: together)))
                let headers = try ManifestDirectory(path: merged).entries.map(\.header)
                #expect(headers.map(\.run.processes) == [1, 1])
                #expect(headers.map(\.workerCount) == [2, 2])
                for worker in 0..<2 {
                    #expect(try summary(folder: merged, file: "summary-worker-\(worker).json")["acknowledged"] as? Int == 2_000 * 3)
                }

                // A worker of another seed does not belong to the run: the folder is refused, naming the difference.
                let mixed = folder + "/mixed"
                try FileManager.default.createDirectory(atPath: mixed, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: merged + "/worker-0.wtm", toPath: mixed + "/worker-0.wtm")
                var otherSeed = options
                otherSeed[otherSeed.firstIndex(of: "21") ?? 0] = "22"
                let stranger = try WindtunnelCommand.run(otherSeed + ["--worker", "1/2", "--manifest", mixed], folder: folder)
                #expect(stranger.status == 0, "\(stranger.errorText)")
                let inspect = try WindtunnelCommand.run(["manifest", "inspect", mixed], folder: folder)
                #expect(inspect.status == 2)
                #expect(inspect.errorText.split(separator: "\n").count == 1)
                #expect(
                    inspect.errorText.contains("\(mixed) does not hold the manifests of one run: worker-1.wtm differs from worker-0.wtm in settings.seed (22, not 21)"),
                    "\(inspect.errorText)")
            }
        }
    }

    @Test("manifest inspect prints the run's resolved options and counts, and with --jsonl every record; never a -X property")
    func inspect() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let generate = try WindtunnelCommand.run(
                    [
                        "generate", "--brokers", broker.bootstrap, "-X", "client.id=inspect-probe-id", "--topic", "inspected", "--processes", "2",
                        "--rps", "500", "--count", "400", "--compression", "lz4", "--tail", "--tail-speedup", "100", "--seed", "5",
                        "--manifest", manifests,
                    ], folder: folder)
                #expect(generate.status == 0, "\(generate.errorText)")

                let summaryRun = try WindtunnelCommand.run(["manifest", "inspect", manifests], folder: folder)
                #expect(summaryRun.status == 0, "\(summaryRun.errorText)")
                #expect(!summaryRun.output.contains("inspect-probe-id"))
                #expect(!summaryRun.output.contains(broker.bootstrap))
                let summary = try #require(try JSONSerialization.jsonObject(with: Data(summaryRun.output.utf8)) as? [String: Any])
                let tailRecords = 5 * (10 + 30 + 10)
                #expect(summary["sent"] as? Int == 2 * (400 + tailRecords))
                #expect(summary["acked"] as? Int == 2 * (400 + tailRecords))
                #expect(summary["tail"] as? Int == 2 * tailRecords)
                let options = try #require(summary["options"] as? [String: Any])
                #expect(options["worker_count"] as? Int == 2)
                let run = try #require(options["run"] as? [String: Any])
                #expect(run["topic"] as? String == "inspected")
                #expect(run["compression"] as? String == "lz4")
                #expect(run["processes"] as? Int == 2)
                #expect(run["event_count"] as? Int == 400)
                #expect(run["duration_ms"] == nil)
                #expect((run["tail"] as? [String: Any])?["speedup"] as? Int == 100)
                let settings = try #require(options["settings"] as? [String: Any])
                #expect(settings["seed"] as? Int == 5)
                #expect(settings["rps"] as? Int == 500)
                let workers = try #require(summary["workers"] as? [[String: Any]])
                #expect(workers.map { $0["worker"] as? Int } == [0, 1])
                #expect(workers.allSatisfy { $0["complete"] as? Bool == true && ($0["start_time_ms"] as? Int ?? 0) > 0 })

                let lines = try WindtunnelCommand.run(["manifest", "inspect", manifests, "--jsonl"], folder: folder)
                #expect(lines.status == 0, "\(lines.errorText)")
                var sequences: [Int: Set<Int>] = [:]
                var tails = 0
                for line in lines.output.split(separator: "\n") {
                    let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    let worker = try #require(record["worker"] as? Int)
                    #expect(sequences[worker, default: []].insert(try #require(record["sequence"] as? Int)).inserted)
                    #expect(record["ack"] as? String == "acked")
                    if record["tail"] as? Bool == true { tails += 1 }
                }
                #expect(sequences.keys.sorted() == [0, 1])
                #expect(sequences.values.map(\.count) == [400 + tailRecords, 400 + tailRecords])
                #expect(tails == 2 * tailRecords)
            }
        }
    }

    @Test("the course image's environment variables alone drive a run: KAFKA_BROKER, KAFKA_TOPIC, TARGET_RPS, ADDITIONAL_TERM, ADDITIONAL_TERM_RATE")
    func courseEnvironment() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let topic = "course-environment"
                let client = ClientSettings(brokers: broker.bootstrap)
                try KafkaAdmin(client: client).createTopic(topic, partitions: 2)
                var environment = ProcessInfo.processInfo.environment
                environment["KAFKA_BROKER"] = broker.bootstrap
                environment["KAFKA_TOPIC"] = topic
                environment["TARGET_RPS"] = "1500"
                environment["ADDITIONAL_TERM"] = "boom"
                environment["ADDITIONAL_TERM_RATE"] = "40"
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand.run(["generate", "--duration", "2s", "--manifest", manifests], folder: folder, environment: environment)
                #expect(command.status == 0, "\(command.errorText)")

                let header = try #require(try ManifestDirectory(path: manifests).entries.first?.header)
                #expect(header.run.topic == topic)
                #expect(header.settings.recordsPerSecond == 1_500)
                #expect(header.settings.crashTerm == "boom")
                #expect(header.settings.crashRate == 40)
                #expect(try ManifestDirectory(path: manifests).summary().termCaseInsensitive == 2 * 40)
                // The records are on this broker's topic (not on one a default address might reach), each
                // term-bearing one with the term in one of its spellings.
                var withTerm = 0
                let read = try readTopic(topic, partitions: 2, client: client, expected: 3_000) { record in
                    if String(decoding: record.value, as: UTF8.self).lowercased().contains("boom") { withTerm += 1 }
                }
                #expect(read == 3_000)
                #expect(withTerm == 2 * 40)
            }
        }
    }

    @Test("--term-variants and --malformed-kinds shape what is sent: only the chosen spelling and kind")
    func variantsAndKinds() async throws {
        try await withEmbeddedBroker { broker in
            try await withTemporaryFolder { folder in
                let manifests = folder + "/manifest"
                let command = try WindtunnelCommand.run(
                    [
                        "generate", "--brokers", broker.bootstrap, "--rps", "2000", "--count", "4000", "--crash-rate", "200",
                        "--term-variants", "CRASH=1", "--malformed-fraction", "0.05", "--malformed-kinds", "wrong-type", "--manifest", manifests,
                    ], folder: folder)
                #expect(command.status == 0, "\(command.errorText)")
                let summary = try ManifestDirectory(path: manifests).summary()
                #expect(summary.termCaseInsensitive == 400)
                #expect(summary.termCaseSensitive == 0)
                #expect(summary.malformed[MalformedKind.wrongType.rawValue, default: 0] > 0)
                #expect(summary.malformed.values.reduce(0, +) == summary.malformed[MalformedKind.wrongType.rawValue])
                #expect(summary.options?.settings.termVariants.weights == [0, 0, 1, 0])
            }
        }
    }
}

/// Whether `pid` has ended but not been reaped (its parent, killed, has not waited for it yet).
private func isZombie(_ pid: Int32) -> Bool {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    return status.split(separator: ")").last?.split(separator: " ").first == "Z"
}
