import CRdkafka

/// Settings every Kafka client shares: where the brokers are, and librdkafka properties passed through as
/// they are (`-X key=value`, as kcat does), so that secured clusters (SASL, SSL) need no code changes.
public struct ClientSettings: Sendable, Equatable {
    /// The bootstrap brokers, `host:port[,host:port...]`. Default: `127.0.0.1:9092`.
    public var brokers: String
    /// librdkafka properties set last, over every typed setting. Default: none.
    public var properties: [String: String]

    public init(brokers: String = "127.0.0.1:9092", properties: [String: String] = [:]) {
        self.brokers = brokers
        self.properties = properties
    }

    /// Reads `key=value` texts as given on command lines; a text without `=` or with an empty key is refused.
    public static func parseProperties(_ texts: [String]) throws(KafkaError) -> [String: String] {
        var properties: [String: String] = [:]
        for text in texts {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw KafkaError(kind: .configuration, message: "librdkafka property '\(text)' must be written key=value")
            }
            properties[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return properties
    }

    /// The environment variable that carries librdkafka properties, one `key=value` per line, to every
    /// windtunnel command and to the Spark job. Unlike `-X`, it keeps secrets off command lines, which any
    /// user of the machine can read (`ps`, `/proc/PID/cmdline`); `windtunnel run` hands its properties to
    /// its children this way.
    public static let propertiesVariable = "WINDTUNNEL_KAFKA_PROPERTIES"

    /// The properties of `environment`'s `propertiesVariable`, then those of `flags` (`-X`), a flag winning
    /// over the variable for the same key. Blank lines of the variable are skipped.
    public static func resolveProperties(flags: [String], environment: [String: String]) throws(KafkaError) -> [String: String] {
        let lines = (environment[propertiesVariable] ?? "").split(separator: "\n").map { String($0) }
            .filter { !$0.allSatisfy(\.isWhitespace) }
        var properties: [String: String]
        do {
            properties = try parseProperties(lines)
        } catch {
            throw KafkaError(kind: .configuration, message: "\(error.message) (in $\(propertiesVariable))")
        }
        properties.merge(try parseProperties(flags)) { _, flag in flag }
        return properties
    }

    /// Whether a property's value is a secret that must never be printed or written to results.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "jaas", "token", "key.pem", "ssl.key", "credentials", "oauthbearer.config"]
            .contains { lowered.contains($0) }
    }

    /// The properties as `key=value` texts with secrets replaced by `***`, for logs and results.
    public var redactedProperties: [String] {
        properties.keys.sorted().map { key in "\(key)=\(Self.isSecret(key) ? "***" : properties[key] ?? "")" }
    }
}

/// Builds an `rd_kafka_conf_t` from string properties, reporting the first property librdkafka refuses.
enum ConfigurationBuilder {
    static func make(_ properties: [(String, String)], then overrides: [String: String]) throws(KafkaError)
        -> OpaquePointer
    {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .client, message: "librdkafka could not allocate a configuration")
        }
        do {
            for (key, value) in properties { try set(conf, key, value, userGiven: false) }
            try set(conf, "log.connection.close", "false", userGiven: false)
            for key in overrides.keys.sorted() { try set(conf, key, overrides[key] ?? "", userGiven: true) }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        rd_kafka_conf_set_log_cb(conf, LibrdkafkaLog.callback)
        return conf
    }

    private static func set(_ conf: OpaquePointer, _ key: String, _ value: String, userGiven: Bool) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
        guard result == RD_KAFKA_CONF_OK else {
            let detail = String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let shown = ClientSettings.isSecret(key) ? "***" : value
            let origin = userGiven ? "-X \(key)=\(shown)" : "\(key)=\(shown)"
            let reason = result == RD_KAFKA_CONF_UNKNOWN ? "unknown librdkafka property '\(key)'" : detail
            throw KafkaError(kind: .configuration, message: "\(origin): \(reason)")
        }
    }
}
