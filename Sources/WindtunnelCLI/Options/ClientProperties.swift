import Foundation
import Kafka

/// A command's librdkafka properties: those of `$WINDTUNNEL_KAFKA_PROPERTIES` (one `key=value` per line),
/// then its `-X` flags, a flag winning for the same key.
enum ClientProperties {
    static func resolve(_ flags: [String]) throws(KafkaError) -> [String: String] {
        try ClientSettings.resolveProperties(flags: flags, environment: ProcessInfo.processInfo.environment)
    }

    /// The resolved properties as `key=value` texts, sorted by key, for a command that passes them on.
    static func resolvedTexts(_ flags: [String]) throws(KafkaError) -> [String] {
        let properties = try resolve(flags)
        return properties.keys.sorted().map { "\($0)=\(properties[$0] ?? "")" }
    }
}
