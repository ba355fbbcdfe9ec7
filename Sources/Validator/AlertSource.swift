import GroundTruth

/// Where a detector's alerts are read from, as `--alerts` names it: `jsonl:PATH`, `csv:PATH`,
/// `spark-console:PATH` or `kafka:TOPIC`.
public enum AlertSource: Sendable, Equatable, CustomStringConvertible {
    /// A file in one of the alert formats.
    case file(format: AlertFormat, path: String)
    /// A Kafka topic holding one alert record (JSON) per record value.
    case kafka(topic: String)

    /// Reads `kind:location`.
    public init(parsing text: String) throws(ValidatorError) {
        guard let colon = text.firstIndex(of: ":") else {
            throw ValidatorError("--alerts '\(text)' must be written kind:location, e.g. jsonl:alerts.jsonl (kinds: \(Self.kinds))")
        }
        let kind = String(text[..<colon])
        let location = String(text[text.index(after: colon)...])
        guard !location.isEmpty else { throw ValidatorError("--alerts '\(text)' names no \(kind == "kafka" ? "topic" : "file")") }
        if kind == "kafka" {
            self = .kafka(topic: location)
        } else if let format = AlertFormat(rawValue: kind) {
            self = .file(format: format, path: location)
        } else {
            throw ValidatorError("--alerts '\(text)': unknown kind '\(kind)' (kinds: \(Self.kinds))")
        }
    }

    private static var kinds: String { (AlertFormat.allCases.map(\.rawValue) + ["kafka"]).joined(separator: ", ") }

    public var description: String {
        switch self {
        case .file(let format, let path): "\(format.rawValue):\(path)"
        case .kafka(let topic): "kafka:\(topic)"
        }
    }
}
