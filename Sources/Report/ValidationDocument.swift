import Foundation
import GroundTruth

/// The contents of `validation.json` (schema in `docs/validation-json.md`): the validation result's fields
/// at the top level, beside what was read and how the replay went. Keys are snake_case.
public struct ValidationDocument: Sendable {
    /// Bumped when a field changes meaning or goes away; new fields keep the version.
    public static let schemaVersion = 2

    public var schemaVersion = ValidationDocument.schemaVersion
    /// When the validation ran, ISO 8601 in UTC.
    public var generatedAt: String
    /// Closed (window, user) pairs whose outcome was decided: matched, missing, spurious or count mismatch.
    /// A run that judged nothing proves nothing, so harnesses check this number.
    public var judgedAlerts: Int
    public var inputs: Inputs
    public var replay: Replay
    public var result: ValidationResult

    /// What was validated.
    public struct Inputs: Sendable, Codable, Equatable {
        public var brokers: String
        public var topic: String
        public var manifest: String?
        public var alerts: [String]
        public var batchLogs: [String]
        /// The time zone Spark console times were read in (`--timezone`): `UTC`, `+02:00`, `Europe/Paris`.
        public var timezone: String

        public init(brokers: String, topic: String, manifest: String?, alerts: [String], batchLogs: [String], timezone: String) {
            self.brokers = brokers
            self.topic = topic
            self.manifest = manifest
            self.alerts = alerts
            self.batchLogs = batchLogs
            self.timezone = timezone
        }

        enum CodingKeys: String, CodingKey {
            case brokers, topic, manifest, alerts, batchLogs, timezone
        }

        /// Schema version 1's fixed offset, read into `timezone`.
        private enum VersionOneKeys: String, CodingKey {
            case utcOffsetSeconds
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            brokers = try container.decode(String.self, forKey: .brokers)
            topic = try container.decode(String.self, forKey: .topic)
            manifest = try container.decodeIfPresent(String.self, forKey: .manifest)
            alerts = try container.decode([String].self, forKey: .alerts)
            batchLogs = try container.decode([String].self, forKey: .batchLogs)
            if let timezone = try container.decodeIfPresent(String.self, forKey: .timezone) {
                self.timezone = timezone
            } else {
                let offset = try decoder.container(keyedBy: VersionOneKeys.self).decode(Int.self, forKey: .utcOffsetSeconds)
                let minutes = abs(offset) / 60
                timezone = offset == 0 ? "UTC" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", minutes / 60, minutes % 60)
            }
        }
    }

    /// How the topic replay went.
    public struct Replay: Sendable, Codable, Equatable {
        public var records: Int
        public var bytes: Int
        /// From the first record to the last.
        public var seconds: Double
        public var recordsPerSecond: Double
        /// Per partition (as text, JSON keys being strings), the next offset after the last record read.
        public var endOffsets: [String: Int64]
        /// The most manifest records held ahead of the replay at once.
        public var largestManifestLookahead: Int
        /// The whole validation, input reading included.
        public var totalSeconds: Double

        public init(
            records: Int, bytes: Int, seconds: Double, recordsPerSecond: Double, endOffsets: [String: Int64], largestManifestLookahead: Int,
            totalSeconds: Double
        ) {
            self.records = records
            self.bytes = bytes
            self.seconds = seconds
            self.recordsPerSecond = recordsPerSecond
            self.endOffsets = endOffsets
            self.largestManifestLookahead = largestManifestLookahead
            self.totalSeconds = totalSeconds
        }
    }

    public init(generatedAt: Date = Date(), inputs: Inputs, replay: Replay, result: ValidationResult) {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        self.generatedAt = formatter.string(from: generatedAt)
        judgedAlerts = Self.judged(result.alerts.outcomes)
        self.inputs = inputs
        self.replay = replay
        self.result = result
    }

    static func judged(_ outcomes: OutcomeCounts) -> Int {
        outcomes.matched + outcomes.missing + outcomes.spurious + outcomes.countMismatch
    }
}

extension ValidationDocument: Codable {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, generatedAt, judgedAlerts, inputs, replay
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        guard schemaVersion <= Self.schemaVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .schemaVersion, in: container,
                debugDescription: "schema version \(schemaVersion) is newer than this build reads (\(Self.schemaVersion))")
        }
        generatedAt = try container.decode(String.self, forKey: .generatedAt)
        judgedAlerts = try container.decode(Int.self, forKey: .judgedAlerts)
        inputs = try container.decode(Inputs.self, forKey: .inputs)
        replay = try container.decode(Replay.self, forKey: .replay)
        // The result's fields sit beside these at the top level.
        result = try ValidationResult(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(generatedAt, forKey: .generatedAt)
        try container.encode(judgedAlerts, forKey: .judgedAlerts)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(replay, forKey: .replay)
        try result.encode(to: encoder)
    }

    /// The document as `validation.json` writes it: snake_case keys, sorted, indented.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a `validation.json`.
    public init(json: Data) throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        self = try decoder.decode(ValidationDocument.self, from: json)
    }
}
