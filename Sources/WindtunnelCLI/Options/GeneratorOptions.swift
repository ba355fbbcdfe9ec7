import ArgumentParser
import Contracts
import EventModel
import Foundation
import Generator
import Kafka
import Manifest

/// The options of `windtunnel generate`. Where the course's generator image reads an environment variable
/// (`KAFKA_BROKER`, `KAFKA_TOPIC`, `TARGET_RPS`, `ADDITIONAL_TERM`, `ADDITIONAL_TERM_RATE`), that variable is
/// the default of the matching option, so the command drops in where the image ran.
struct GeneratorOptions: ParsableArguments {
    // MARK: Connection

    @Option(help: "Bootstrap brokers, host:port[,host:port...]. Default: $KAFKA_BROKER, else 127.0.0.1:9092.")
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, key=value; repeat for more (e.g. -X security.protocol=SASL_SSL).", valueName: "key=value"))
    var properties: [String] = []

    @Option(help: "The topic to write to. Default: $KAFKA_TOPIC, else logs.")
    var topic: String?

    // MARK: Load

    @Option(help: "Worker processes started on this machine.")
    var processes: Int = 1

    @Option(help: "Records per second per process, as the course image's TARGET_RPS. Default: $TARGET_RPS, else 10000.")
    var rps: Int?

    @Option(help: "Records per second of all processes together, split evenly between them (instead of --rps).")
    var totalRps: Int?

    @Option(help: "How long to send, e.g. 30s, 2m (instead of --count). Without either, send until stopped.")
    var duration: String?

    @Option(help: "Records to send per process (instead of --duration).")
    var count: Int?

    // MARK: Events

    @Option(help: "Number of users: user_1000 ... user_{999+N}.")
    var users: Int = 1_000

    @Option(help: "uniform, or zipf:S for a skewed spread (e.g. zipf:1.1).")
    var userDistribution: String = "uniform"

    @Option(help: "Relative weights of the severities, e.g. Low=4,Medium=3,High=2,Critical=1.")
    var severityWeights: String = "Low=1,Medium=1,High=1,Critical=1"

    @Option(help: "The injected term, as the course image's ADDITIONAL_TERM. Default: $ADDITIONAL_TERM, else crash.")
    var crashTerm: String?

    @Option(help: "Records carrying the term per second per process. Default: $ADDITIONAL_TERM_RATE, else 100.")
    var crashRate: Int?

    @Option(
        help: ArgumentHelp(
            "How often each spelling of the term is injected, by its spelling or variant name (lower, capitalized, upper, suffixed); "
                + "a spelling left out is not used. Default: crash=1,Crash=1,CRASH=1,crashed=1 for the term crash.",
            valueName: "spelling=weight,..."))
    var termVariants: String?

    @Option(
        help: ArgumentHelp(
            "Fraction of records carrying a near miss of the term (crush, trash) that must not match (0 to 1). "
                + "Default: 0.01, or what --crash-rate and --malformed-fraction leave room for when that is less."))
    var decoyFraction: Double?

    @Option(help: "Fraction of well-formed records sent late (0 to 1). Default: 0.")
    var lateFraction: Double?

    @Option(help: "How late (with --late-fraction): within, boundary, beyond (of the watermark), or a range such as 5s..20s. Default: within.")
    var lateClass: String?

    @Option(help: "The detector's watermark delay the late classes and the tail are measured against (with --late-fraction or --tail). Default: 30s.")
    var watermark: String?

    @Option(help: "The detector's window length the late classes and the tail are measured against (with --late-fraction or --tail). Default: 10s.")
    var window: String?

    @Option(help: "Fraction of records that are malformed (0 to 1). Default: 0.")
    var malformedFraction: Double?

    @Option(
        help: ArgumentHelp(
            "Which kinds of malformed record to send (with --malformed-fraction), in equal shares: all, or some of "
                + "\(MalformedKind.allCases.map(\.rawValue).joined(separator: ", ")). Default: all.",
            valueName: "kind,..."))
    var malformedKinds: String?

    @Option(help: "The run's seed: the same seed and options send the same events.")
    var seed: UInt64 = 1

    @Option(help: "Record batch compression: none, gzip, snappy, lz4 or zstd.")
    var compression: String = "none"

    // MARK: Output

    @Option(help: "A folder for the manifests (worker-<i>.wtm) and summary.json.")
    var manifest: String?

    @Flag(help: "After the measured records, send the tail that closes every window (window + watermark + 10s of event time).")
    var tail = false

    @Option(help: "Send the tail this many times faster than real time. Default: 1.")
    var tailSpeedup: Int?

    @Option(
        help: ArgumentHelp(
            "Run only worker I of N, for several machines sharing one seed and the same options; their manifests merge in one folder.",
            valueName: "I/N"))
    var worker: String?

    func validate() throws {
        _ = try resolve(environment: ProcessInfo.processInfo.environment)
    }

    /// The worker plans these options describe, or a usage error naming the option (or variable) at fault.
    func resolve(environment: [String: String]) throws(ValidationError) -> [WorkerPlan] {
        let properties: [String: String]
        do {
            properties = try ClientSettings.resolveProperties(flags: self.properties, environment: environment)
        } catch {
            throw ValidationError(error.message)
        }
        guard (1...256).contains(processes) else { throw ValidationError("--processes must be between 1 and 256, not \(processes)") }
        let (indexes, workerCount) = try workers()
        if rps != nil, totalRps != nil { throw ValidationError("--rps and --total-rps contradict each other: give one") }
        if duration != nil, count != nil { throw ValidationError("--duration and --count contradict each other: give one") }
        if tailSpeedup != nil, !tail { throw ValidationError("--tail-speedup needs --tail") }
        try refuseIgnoredOptions()
        if tail, duration == nil, count == nil {
            throw ValidationError("--tail needs --duration or --count: a stream sent until stopped has no end for a tail to follow")
        }
        let speedup = tailSpeedup ?? 1
        guard (1...1_000).contains(speedup) else { throw ValidationError("--tail-speedup must be between 1 and 1000, not \(speedup)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count)") }
        if let totalRps, totalRps < workerCount {
            throw ValidationError("--total-rps \(totalRps) is less than one record per second for each of the \(workerCount) workers")
        }
        guard ProducerConfiguration.Compression(rawValue: compression) != nil else {
            throw ValidationError(
                "--compression '\(compression)' is not one of \(ProducerConfiguration.Compression.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let topic = self.topic ?? environment["KAFKA_TOPIC"] ?? "logs"
        guard !topic.isEmpty else { throw ValidationError("--topic must not be empty") }
        let durationMs = try duration.map { text throws(ValidationError) in try Self.duration(text, option: "--duration") }
        if let durationMs, durationMs <= 0 { throw ValidationError("--duration must be longer than 0") }

        var base = try settings(environment: environment)
        var run = RunOptions()
        run.topic = topic
        run.compression = compression
        run.processes = indexes.count
        run.totalRecordsPerSecond = totalRps
        run.durationMs = durationMs
        run.tail = tail ? TailPlan(windowMs: base.windowMs, watermarkDelayMs: base.watermarkDelayMs, speedup: speedup) : nil
        var plans: [WorkerPlan] = []
        for index in indexes {
            base.recordsPerSecond = totalRps.map { WorkerPlan.share(of: $0, worker: index, of: workerCount) } ?? base.recordsPerSecond
            do {
                try base.validate()
            } catch {
                throw ValidationError(error.description + (totalRps != nil ? " (worker \(index)'s share of --total-rps)" : ""))
            }
            run.eventCount = count.map(UInt64.init)
            if let durationMs {
                let records = durationMs * Int64(base.recordsPerSecond) / 1_000
                guard records > 0 else {
                    throw ValidationError("--duration \(duration ?? "") at \(base.recordsPerSecond) records per second sends no record")
                }
                run.eventCount = UInt64(records)
            }
            plans.append(
                WorkerPlan(
                    settings: base, workerIndex: index, workerCount: workerCount, run: run,
                    brokers: brokers ?? environment["KAFKA_BROKER"] ?? "127.0.0.1:9092", properties: properties, manifestFolder: manifest))
        }
        return plans
    }

    /// Refuses an option that only shapes records another option turns on, when that option is absent: it
    /// would be silently ignored. The window and the watermark also size the tail, so `--tail` keeps them.
    private func refuseIgnoredOptions() throws(ValidationError) {
        if lateClass != nil, lateFraction == nil {
            throw ValidationError("--late-class needs --late-fraction: without late records it has no effect")
        }
        if lateFraction == nil, !tail {
            for (option, value) in [("--window", window), ("--watermark", watermark)] where value != nil {
                throw ValidationError("\(option) needs --late-fraction or --tail: it only sizes late records and the tail")
            }
        }
        if malformedKinds != nil, malformedFraction == nil {
            throw ValidationError("--malformed-kinds needs --malformed-fraction: without malformed records it has no effect")
        }
    }

    /// The worker indexes to run here and the run's worker count.
    private func workers() throws(ValidationError) -> ([Int], Int) {
        guard let worker else { return (Array(0..<processes), processes) }
        if processes != 1 { throw ValidationError("--worker runs one worker of a multi-machine run; leave out --processes") }
        let parts = worker.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 4_096, index >= 0, index < count else {
            throw ValidationError("--worker '\(worker)' must be I/N with 0 <= I < N <= 4096, e.g. 0/3")
        }
        return ([index], count)
    }

    /// The event settings, with the per-process rate of `--rps` (or its variable).
    private func settings(environment: [String: String]) throws(ValidationError) -> GeneratorSettings {
        var settings = GeneratorSettings()
        // Spelled out: `??` takes an untyped throwing autoclosure, which typed throws cannot pass through.
        let rateFromEnvironment = try Self.integer(environment, "TARGET_RPS")
        let crashRateFromEnvironment = try Self.integer(environment, "ADDITIONAL_TERM_RATE")
        settings.recordsPerSecond = rps ?? rateFromEnvironment ?? settings.recordsPerSecond
        settings.crashRate = crashRate ?? crashRateFromEnvironment ?? settings.crashRate
        settings.crashTerm = crashTerm ?? environment["ADDITIONAL_TERM"] ?? settings.crashTerm
        settings.users = users
        settings.lateFraction = lateFraction ?? settings.lateFraction
        settings.malformedFraction = malformedFraction ?? settings.malformedFraction
        settings.decoyFraction = decoyFraction ?? settings.defaultDecoyFraction
        settings.seed = seed
        do {
            settings.userDistribution = try UserDistribution(parsing: userDistribution)
            settings.severityWeights = try SeverityWeights(parsing: severityWeights)
            settings.termVariants = try termVariants.map { text throws(SettingError) in try TermVariantWeights(parsing: text, term: settings.crashTerm) }
                ?? settings.termVariants
            settings.lateClass = try lateClass.map { text throws(SettingError) in try LateClass(parsing: text) } ?? settings.lateClass
            settings.malformedKinds = try malformedKinds.map { text throws(SettingError) in try MalformedKinds(parsing: text) } ?? settings.malformedKinds
        } catch {
            throw ValidationError(error.description)
        }
        if let watermark { settings.watermarkDelayMs = try Self.duration(watermark, option: "--watermark") }
        if let window { settings.windowMs = try Self.duration(window, option: "--window") }
        do {
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return settings
    }

    private static func duration(_ text: String, option: String) throws(ValidationError) -> Int64 {
        do {
            return try DurationText.milliseconds(text)
        } catch {
            throw ValidationError("\(option): \(error.description)")
        }
    }

    /// An integer environment variable, nil when unset.
    private static func integer(_ environment: [String: String], _ name: String) throws(ValidationError) -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("environment variable \(name)='\(text)' is not a whole number")
        }
        return value
    }
}
