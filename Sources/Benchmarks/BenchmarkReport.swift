import Foundation

/// Everything one `windtunnel bench` run measured, written as `bench.json` (the machine-readable form),
/// `bench.md` and `bench.html`.
public struct BenchmarkReport: Sendable, Codable {
    /// `quick` or `full`.
    public var mode: String
    /// When the run started, ms since the epoch.
    public var startedAt: Int64
    /// How long the run took, s.
    public var elapsedSeconds: Double
    public var machine: MachineDescription
    public var sections: [BenchmarkSection]

    public init(mode: String, startedAt: Int64, elapsedSeconds: Double, machine: MachineDescription, sections: [BenchmarkSection]) {
        self.mode = mode
        self.startedAt = startedAt
        self.elapsedSeconds = elapsedSeconds
        self.machine = machine
        self.sections = sections
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }()

    /// The report as pretty-printed JSON with snake_case keys.
    public func json() throws -> Data { try Self.encoder.encode(self) }

    /// Reads a `bench.json`.
    public static func read(_ data: Data) throws -> BenchmarkReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BenchmarkReport.self, from: data)
    }
}

/// One comparison: windtunnel's part next to its physical limit and the tools a user would pick instead.
public struct BenchmarkSection: Sendable, Codable {
    /// `generator`, `detector`, `validator` or `end-to-end`.
    public var id: String
    public var title: String
    /// What was measured and how, in a sentence or two.
    public var method: String
    public var contenders: [Contender]
    public var ratios: [RatioFinding]
    /// What held a number back, what was skipped and why.
    public var notes: [String]

    public init(id: String, title: String, method: String, contenders: [Contender] = [], ratios: [RatioFinding] = [], notes: [String] = []) {
        self.id = id
        self.title = title
        self.method = method
        self.contenders = contenders
        self.ratios = ratios
        self.notes = notes
    }
}

/// One measured program or configuration in a comparison.
public struct Contender: Sendable, Codable {
    /// What the comparison calls it, e.g. `windtunnel generate, 2 processes`.
    public var name: String
    /// `limit` (the client's own rate, what nothing built on it can beat), `windtunnel`, or `alternative`.
    public var role: Role
    /// Records per second, over the rounds.
    public var recordsPerSecond: Spread
    /// Other figures of its own, such as a start-up time in seconds.
    public var figures: [String: Double]

    public enum Role: String, Sendable, Codable {
        case limit
        case windtunnel
        case alternative
    }

    public init(name: String, role: Role, recordsPerSecond: Spread, figures: [String: Double] = [:]) {
        self.name = name
        self.role = role
        self.recordsPerSecond = recordsPerSecond
        self.figures = figures
    }
}

/// A ratio of two contenders' rates, checked against the target the project sets for it.
public struct RatioFinding: Sendable, Codable {
    /// e.g. `generate (1 process) / client limit`.
    public var name: String
    /// The ratios of the paired rounds.
    public var value: Spread
    /// The ratio the project aims for: the median must be at least this.
    public var target: Double
    public var met: Bool

    public init(name: String, value: Spread, target: Double) {
        self.name = name
        self.value = value
        self.target = target
        met = value.median >= target
    }
}
