import ArgumentParser
import Foundation
import Manifest

/// `windtunnel manifest`: look into a folder of generator manifests.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Look into the manifests a generator wrote.",
        subcommands: [Inspect.self]
    )

    /// `windtunnel manifest inspect DIR [--jsonl]`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a manifest folder's summary as JSON, or with --jsonl every record as a JSON line.",
            discussion: """
                The summary holds the run's resolved options (settings, topic, compression, processes, duration or \
                count, tail), each worker's rate, host and start, and the counts. Reads every worker-<i>.wtm in the \
                folder, complete or cut short, in constant memory; a folder whose workers are not one run is refused \
                with exit code 2.
                """
        )

        @Argument(help: "A folder holding worker-<i>.wtm manifests.")
        var folder: String

        @Flag(help: "Print every record as one JSON line instead of the summary.")
        var jsonl = false

        func run() throws {
            do {
                let directory = try ManifestDirectory(path: folder)
                if jsonl {
                    let output = FileHandle.standardOutput
                    var pending = ""
                    let workers = try directory.writeJSONLines { line in
                        pending += line
                        pending += "\n"
                        if pending.utf8.count > 1 << 16 {
                            try output.write(contentsOf: Data(pending.utf8))
                            pending = ""
                        }
                    }
                    try output.write(contentsOf: Data(pending.utf8))
                    for worker in workers where !worker.complete {
                        note("windtunnel: note: worker \(worker.worker)'s manifest is cut short: \(worker.cutShortReason ?? "")")
                    }
                } else {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(try directory.summary()), as: UTF8.self))
                }
            } catch let error as ManifestError {
                throw fail(error.description, exitCode: 2)
            }
        }
    }
}
