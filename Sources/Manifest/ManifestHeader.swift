import EventModel

/// What a manifest says about the worker that wrote it, stored as JSON at the start of the file.
public struct ManifestHeader: Codable, Sendable, Equatable {
    /// The resolved generator settings the worker ran with.
    public var settings: GeneratorSettings
    /// The rest of the resolved options: topic, compression, processes, rate split, duration or count, tail.
    public var run: RunOptions
    /// The run's seed (also in `settings`, repeated so a reader need not know the settings' layout).
    public var seed: UInt64
    /// This worker's index, from 0.
    public var workerIndex: Int
    /// How many workers the run had.
    public var workerCount: Int
    /// The host the worker ran on.
    public var hostName: String
    /// When the worker's timetable started, epoch milliseconds.
    public var startTimeMs: Int64

    public init(
        settings: GeneratorSettings, run: RunOptions = RunOptions(), workerIndex: Int, workerCount: Int, hostName: String, startTimeMs: Int64
    ) {
        self.settings = settings
        self.run = run
        seed = settings.seed
        self.workerIndex = workerIndex
        self.workerCount = workerCount
        self.hostName = hostName
        self.startTimeMs = startTimeMs
    }

    enum CodingKeys: String, CodingKey {
        case settings
        case run
        case seed
        case workerIndex = "worker_index"
        case workerCount = "worker_count"
        case hostName = "host_name"
        case startTimeMs = "start_time_ms"
    }
}
