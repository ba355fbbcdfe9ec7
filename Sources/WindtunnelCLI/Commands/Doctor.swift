import ArgumentParser
import EmbeddedBroker
import Kafka

/// `windtunnel doctor`: which librdkafka is in use and whether the brokers answer.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the librdkafka in use, where it was loaded from, the broker binary, and whether the brokers answer."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "How long to wait for the brokers, in milliseconds.")
    var timeoutMs: Int32 = 5_000

    func run() throws {
        print("librdkafka \(Librdkafka.version) loaded from \(Librdkafka.loadedFrom ?? "an unknown file")")
        if !Librdkafka.isAtLeast(major: 2, minor: 16) {
            print("  note: the embedded Tansu broker needs librdkafka 2.16 or later; run scripts/setup to install it")
        }
        do {
            print("tansu broker binary: \(try TansuBinary.locate())")
        } catch {
            print("tansu broker binary: not found (\(error.message))")
        }
        let settings = try connection.clientSettings()
        if !settings.properties.isEmpty {
            print("properties: \(settings.redactedProperties.joined(separator: " "))")
        }
        do {
            let brokers = try KafkaAdmin(client: settings).brokers(timeoutMs: timeoutMs)
            print("brokers \(settings.brokers): answer (\(brokers.joined(separator: ", ")))")
        } catch {
            throw fail(error.message)
        }
    }
}
