import Foundation
import Harness
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Whole runs of the real `windtunnel` binary (built by `swift build` before the tests): broker, generator,
/// detector and validator as separate processes.
@Suite("End-to-end runs", .serialized)
struct EndToEndRunTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let windtunnel = "\(packageRoot)/.build/debug/windtunnel"

    /// A fresh folder for one test's files.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "windtunnel-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts `windtunnel arguments` with its output going to the file `output`.
    static func start(_ arguments: [String], output: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.windtunnel)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// The results folder a run made under `root`.
    private func resultsFolder(under root: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasSuffix(".html") }
        let name = try #require(names.first, "no results folder under \(root)")
        return "\(root)/\(name)"
    }

    /// An external detector that is a correct detector with one alert cut from its output: the run must fail
    /// with exactly one finding, that alert missing.
    @Test func externalDetectorMissingOneAlertFails() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = "\(folder)/one-alert-cut.sh"
        try """
            #!/bin/sh
            # $1 windtunnel, $2 brokers, $3 topic, $4 results folder
            "$1" detect --brokers "$2" --topic "$3" --group external --instance external-0 --trigger 500ms \\
                --alerts "jsonl:$4/full.jsonl" --batch-log "$4/external-batch-log.jsonl" --checkpoint "$4/external-checkpoint" &
            detector=$!
            trap 'kill -TERM $detector' TERM INT
            wait $detector
            wait $detector
            python3 - "$4/full.jsonl" "$4/cut.jsonl" <<'CUT'
            import json, sys
            lines = open(sys.argv[1]).read().splitlines()
            first = json.loads(lines[0])
            kept = [l for l in lines if (json.loads(l)["window_start"], json.loads(l)["user_id"]) != (first["window_start"], first["user_id"])]
            open(sys.argv[2], "w").write("".join(l + "\\n" for l in kept))
            CUT
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let scenario = "\(folder)/external.yaml"
        try """
            name: external-one-cut
            duration: 20s
            generator:
              processes: 1
              rps: 4000
              crash_rate: 300
              seed: 21
            detector:
              kind: external
              command: sh \(script) \(Self.windtunnel) {brokers} {topic} {results}
              alerts: jsonl:{results}/cut.jsonl
              batch_log: "{results}/external-batch-log.jsonl"
            expectations:
              min_judged_alerts: 50
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let run = try Self.start(["run", scenario, "--results", "\(folder)/results"], output: "\(folder)/run.log")
        run.waitUntilExit()
        let log = (try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? ""
        #expect(run.terminationStatus == 1, "\(log)")

        let results = try resultsFolder(under: "\(folder)/results")
        let data = try #require(FileManager.default.contents(atPath: "\(results)/validation.json"))
        let validation = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outcomes = try #require((validation["alerts"] as? [String: Any])?["outcomes"] as? [String: Any])
        #expect(validation["verdict"] as? String == "fail")
        #expect(validation["mode"] as? String == "exact")
        #expect(outcomes["missing"] as? Int == 1)
        #expect(outcomes["spurious"] as? Int == 0)
        #expect(outcomes["count_mismatch"] as? Int == 0)
        #expect((outcomes["matched"] as? Int ?? 0) >= 50)
    }

    /// Ctrl-C in the middle of a run stops everything it started: the broker, the generator and its worker
    /// processes, and the detector. Every descendant of the run is found through /proc before the interrupt
    /// (workers get their plan on standard input, so nothing on their command lines ties them to the run).
    @Test func interruptedRunLeavesNoProcessBehind() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try Self.start(
            ["run", "\(Self.packageRoot)/scenarios/smoke.yaml", "--results", "\(folder)/results", "--set", "duration=60s"],
            output: "\(folder)/run.log")
        defer { if run.isRunning { run.terminate() } }
        let started = Self.awaitSmokeProcesses(while: { run.isRunning }) { ProcessEntry.descendants(of: run.processIdentifier) }
        let log = { (try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? "" }
        Self.expectSmokeProcesses(started, log())

        kill(run.processIdentifier, SIGINT)
        run.waitUntilExit()
        #expect(run.terminationStatus == 130, "\(log())")
        usleep(500_000)
        let leftBehind = started.filter(\.isAlive)
        #expect(leftBehind.isEmpty, "left behind: \(leftBehind)")
    }

    /// The run goes on after an interrupt has stopped everything (the signal handler runs on another thread):
    /// whatever it tries to start next (here the validator) must not start, and the run ends with
    /// `RunInterrupted` leaving nothing behind. The interrupt comes from the run's own progress message.
    @Test func nothingStartsAfterAnInterrupt() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var scenario = try ScenarioLoader.load(path: "\(Self.packageRoot)/scenarios/smoke.yaml", overrides: ["duration=60s"])
        scenario.detector.settleMs = 0
        var options = ScenarioRun.Options(executable: Self.windtunnel)
        options.resultsRoot = "\(folder)/results"
        options.drainTimeoutMs = 1_000
        let interrupter = Interrupter(folder: folder)
        let run = ScenarioRun(scenario: scenario, options: options) { interrupter.note($0) }
        interrupter.run = run
        #expect(throws: RunInterrupted.self) { _ = try run.run() }
        #expect(run.wasInterrupted)
        Self.expectSmokeProcesses(interrupter.running, "")
        let leftBehind = interrupter.running.filter(\.isAlive)
        #expect(leftBehind.isEmpty, "left behind: \(leftBehind)")
        let results = try resultsFolder(under: "\(folder)/results")
        #expect(!FileManager.default.fileExists(atPath: "\(results)/validate.log"), "the validator started after the interrupt")
    }

    /// smoke.yaml's processes, by a piece of each command line: one broker, one generator with 2 workers, one
    /// detector.
    static let smokeProcesses = [("tansu", 1), ("windtunnel generate ", 1), ("windtunnel generate-worker", 2), ("windtunnel detect ", 1)]

    /// Calls `find` until it gives every process of smoke.yaml, for at most 90 s and while `keepWaiting`;
    /// returns what it gave last.
    static func awaitSmokeProcesses(while keepWaiting: () -> Bool, _ find: () -> [ProcessEntry]) -> [ProcessEntry] {
        let deadline = Date().addingTimeInterval(90)
        var found: [ProcessEntry] = []
        repeat {
            usleep(500_000)
            found = find()
        } while keepWaiting() && Date() < deadline && !smokeProcesses.allSatisfy({ count($0.0, in: found) == $0.1 })
        return found
    }

    /// Records an issue for each of smoke.yaml's processes not found in `processes` as many times as it runs.
    static func expectSmokeProcesses(_ processes: [ProcessEntry], _ context: String) {
        for (text, number) in smokeProcesses {
            #expect(count(text, in: processes) == number, "'\(text)' among the run's processes: \(processes)\n\(context)")
        }
    }

    private static func count(_ text: String, in processes: [ProcessEntry]) -> Int {
        processes.filter { $0.commandLine.contains(text) }.count
    }
}

/// Interrupts a run in the same process once its generator has started all its workers, as Ctrl-C would,
/// and notes the run's processes then. Other tests' brokers may be children of this process too, so the
/// run's own are told by its results folder and its broker's port.
private final class Interrupter: @unchecked Sendable {
    // Unchecked: `run` is set before the run starts; the rest is used only by the run's thread and after it.
    private let folder: String
    var run: ScenarioRun?
    private var broker: String?
    /// The processes the run had started when it was interrupted.
    private(set) var running: [ProcessEntry] = []

    init(folder: String) {
        self.folder = folder
    }

    func note(_ progress: String) {
        if let match = progress.firstMatch(of: /embedded broker on (\S+)/) { broker = String(match.1) }
        guard progress.hasPrefix("generator started") else { return }
        running = EndToEndRunTests.awaitSmokeProcesses(while: { true }) {
            let own = ProcessEntry.descendants(of: getpid()).filter { process in
                process.commandLine.contains(folder) || broker.map(process.commandLine.contains) == true
            }
            return own + own.flatMap { ProcessEntry.descendants(of: $0.pid) }
        }
        run?.interrupt()
    }
}

/// A process as /proc shows it: enough to find a process's descendants and to tell later whether that same
/// process still lives (a process id may be given to a new process once the old one is gone).
struct ProcessEntry: CustomStringConvertible {
    let pid: pid_t
    let parent: pid_t
    /// Clock ticks after boot at which it started (field 22 of `/proc/<pid>/stat`).
    let startTime: String
    let commandLine: String

    var description: String { "\(pid): \(commandLine)" }

    /// Every process now, read from `/proc/<pid>/stat` and `cmdline`; processes that end while they are
    /// read are left out.
    static func all() -> [ProcessEntry] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ids.compactMap { id in
            guard let pid = pid_t(id), let stat = Self.stat(pid), let raw = FileManager.default.contents(atPath: "/proc/\(id)/cmdline") else {
                return nil
            }
            let commandLine = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return pid_t(stat[1]).map { ProcessEntry(pid: pid, parent: $0, startTime: stat[19], commandLine: commandLine) }
        }
    }

    /// Children, their children and so on, of `root`.
    static func descendants(of root: pid_t) -> [ProcessEntry] {
        let processes = all()
        var found: [ProcessEntry] = []
        var parents: Set<pid_t> = [root]
        while true {
            let next = processes.filter { parents.contains($0.parent) }
            if next.isEmpty { return found }
            found += next
            parents = Set(next.map(\.pid))
        }
    }

    /// Whether this very process still runs (a zombie, which only waits to be reaped, does not).
    var isAlive: Bool {
        guard let stat = Self.stat(pid) else { return false }
        return stat[19] == startTime && stat[0] != "Z"
    }

    /// The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and parentheses):
    /// state first, then the parent's id; the start time is at index 19. Nil when the process is gone.
    private static func stat(_ pid: pid_t) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = text.lastIndex(of: ")") else {
            return nil
        }
        let fields = text[text.index(after: close)...].split(separator: " ").map(String.init)
        return fields.count > 19 ? fields : nil
    }
}
