import EventModel
import Kafka
import Manifest

/// Everything one worker process needs, resolved by the coordinator. The worker reads it as one JSON line
/// on its standard input rather than from its command line, where `-X` secrets would show in process lists.
public struct WorkerPlan: Codable, Sendable, Equatable {
    /// The event settings, with `recordsPerSecond` already this worker's share.
    public var settings: GeneratorSettings
    /// This worker's index, from 0; it splits the seed.
    public var workerIndex: Int
    /// How many workers the whole run has (on every machine).
    public var workerCount: Int
    /// The topic, compression, processes, duration or count and tail: the options the manifest header
    /// records beside the settings. `compression` is a `ProducerConfiguration.Compression` name.
    public var run: RunOptions
    /// Bootstrap brokers.
    public var brokers: String
    /// librdkafka properties passed through (`-X`).
    public var properties: [String: String]
    /// The folder the worker writes its manifest into, or nil for none.
    public var manifestFolder: String?

    public init(
        settings: GeneratorSettings, workerIndex: Int, workerCount: Int, run: RunOptions, brokers: String,
        properties: [String: String], manifestFolder: String?
    ) {
        self.settings = settings
        self.workerIndex = workerIndex
        self.workerCount = workerCount
        self.run = run
        self.brokers = brokers
        self.properties = properties
        self.manifestFolder = manifestFolder
    }

    /// Records per second of worker `index` of `count` when they share `totalRate`: an even split, the
    /// remainder going one each to the first workers, so that the shares add up to the total exactly.
    public static func share(of totalRate: Int, worker index: Int, of count: Int) -> Int {
        totalRate / count + (index < totalRate % count ? 1 : 0)
    }

    /// The producer settings: the plan's brokers, properties and compression, and a local queue no longer
    /// than the worker's table of records awaiting their delivery report.
    func producerConfiguration(queueMessages: Int) throws(SettingError) -> ProducerConfiguration {
        guard let codec = ProducerConfiguration.Compression(rawValue: run.compression) else {
            throw SettingError(
                setting: "--compression", input: run.compression,
                reason: "expected one of \(ProducerConfiguration.Compression.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var configuration = ProducerConfiguration(client: ClientSettings(brokers: brokers, properties: properties))
        configuration.compression = codec
        configuration.queueMaxMessages = queueMessages
        return configuration
    }

    enum CodingKeys: String, CodingKey {
        case settings
        case workerIndex = "worker_index"
        case workerCount = "worker_count"
        case run, brokers, properties
        case manifestFolder = "manifest_folder"
    }
}
