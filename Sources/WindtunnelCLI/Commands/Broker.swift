import ArgumentParser
import EmbeddedBroker

/// `windtunnel broker`: the embedded Tansu broker (in-memory, for local runs, tests and CI).
struct Broker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start, stop or check the embedded Tansu broker (in-memory storage, 127.0.0.1).",
        subcommands: [Start.self, Stop.self, Status.self]
    )

    /// The port option shared by the broker subcommands.
    struct PortOption: ParsableArguments {
        @Option(help: "The port the broker listens on (127.0.0.1).")
        var port: Int = 9092

        func validate() throws {
            guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1-65535, not \(port)") }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a broker in the background, wait until it answers, and print its bootstrap address.")

        @OptionGroup var port: PortOption

        func run() throws {
            do {
                let broker = try TansuBroker.start(port: port.port)
                print(broker.bootstrap)
                note("broker running (pid \(broker.pid)); log: \(TansuBroker.logFile(port: broker.port).path)")
            } catch {
                throw fail(error.message)
            }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the broker on a port.")

        @OptionGroup var port: PortOption

        func run() throws {
            do {
                try TansuBroker.stop(port: port.port)
                note("broker on port \(port.port) stopped")
            } catch {
                throw fail(error.message)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell whether a broker runs on a port (exit 0 when it runs, 1 when not).")

        @OptionGroup var port: PortOption

        func run() throws {
            switch TansuBroker.status(port: port.port) {
            case .running(let pid):
                print("running on 127.0.0.1:\(port.port) (pid \(pid))")
            case .stopped:
                print("stopped: nothing listens on port \(port.port)")
                throw ExitCode.failure
            case .portTakenByAnotherProcess:
                print("not ours: another process holds port \(port.port)")
                throw ExitCode.failure
            }
        }
    }
}
