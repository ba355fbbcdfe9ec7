import ArgumentParser

/// The `windtunnel` command: a load generator plus monitor test harness for windowed stream detectors on Kafka.
@main
struct Windtunnel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windtunnel",
        abstract: "Blow a controlled stream of log events through Kafka at a windowed detector and check every alert it emits.",
        subcommands: [
            Run.self, Generate.self, Detect.self, Validate.self, MonitorCommand.self, ReportCommand.self,
            ManifestCommand.self, Bench.self, Doctor.self, Broker.self, Topic.self, RoundTrip.self, GenerateWorker.self,
        ]
    )
}
