import ArgumentParser
import Kafka

/// `windtunnel topic`: create and delete topics.
struct Topic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or delete a topic.",
        subcommands: [Create.self, Delete.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")

        @Argument(help: "The topic's name.")
        var name: String

        @Option(help: "Number of partitions.")
        var partitions: Int = 4

        @Option(help: "Replication factor.")
        var replicationFactor: Int = 1

        @Flag(help: "Succeed when the topic exists already.")
        var ifMissing = false

        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            if let problem = TopicName.problem(name) {
                let shown = name.count > 60 ? name.prefix(60) + "..." : Substring(name)
                throw ValidationError("topic '\(shown)': \(problem)")
            }
            guard partitions > 0, partitions <= 100_000 else {
                throw ValidationError("--partitions must be between 1 and 100000, not \(partitions)")
            }
            guard replicationFactor > 0 else {
                throw ValidationError("--replication-factor must be at least 1, not \(replicationFactor)")
            }
        }

        func run() throws {
            do {
                try KafkaAdmin(client: try connection.clientSettings())
                    .createTopic(name, partitions: partitions, replicationFactor: replicationFactor, ifMissing: ifMissing)
                note("topic \(name) ready with \(partitions) partitions")
            } catch let error as KafkaError {
                throw fail(error.message)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic.")

        @Argument(help: "The topic's name.")
        var name: String

        @Flag(help: "Succeed when the topic does not exist.")
        var ifExists = false

        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            do {
                try KafkaAdmin(client: try connection.clientSettings()).deleteTopic(name, ifExists: ifExists)
                note("topic \(name) deleted")
            } catch let error as KafkaError {
                throw fail(error.message)
            }
        }
    }
}
