/// A setting written as text on the command line and in scenario files (`zipf:1.1`, `Low=1,High=3`, `5s..20s`).
/// It is stored in JSON and YAML in the same text form, so a manifest's header reads like the command that made it.
public protocol TextualSetting: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Reads the text form; the error names the setting, the input and what is wrong with it.
    init(parsing text: String) throws(SettingError)
}

extension TextualSetting {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Self(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
