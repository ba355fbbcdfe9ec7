import ArgumentParser
import Kafka

/// Where Kafka is and how to talk to it: shared by every command that connects.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "Bootstrap brokers, host:port[,host:port...].")
    var brokers: String = "127.0.0.1:9092"

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property, key=value; repeat for more (e.g. -X security.protocol=SASL_SSL).",
            valueName: "key=value"))
    var properties: [String] = []

    /// The connection as client settings; a property without `=` is a usage error.
    func clientSettings() throws -> ClientSettings {
        do {
            return ClientSettings(brokers: brokers, properties: try ClientProperties.resolve(properties))
        } catch {
            throw ValidationError(error.message)
        }
    }

    func validate() throws {
        _ = try clientSettings()
    }
}
