import Foundation
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

    private func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "windtunnel-run-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func start(_ arguments: [String], output: String) throws -> Process {
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
        let folder = try temporaryFolder()
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
        let run = try start(["run", scenario, "--results", "\(folder)/results"], output: "\(folder)/run.log")
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

    /// Ctrl-C in the middle of a run stops the broker, the generator's workers and the detector.
    @Test func interruptedRunLeavesNoProcessBehind() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try start(
            ["run", "\(Self.packageRoot)/scenarios/smoke.yaml", "--results", "\(folder)/results", "--set", "duration=60s"],
            output: "\(folder)/run.log")
        let deadline = Date().addingTimeInterval(60)
        var log = ""
        while Date() < deadline && !log.contains("generator") {
            usleep(200_000)
            log = (try? String(contentsOfFile: "\(folder)/run.log", encoding: .utf8)) ?? ""
        }
        sleep(3)
        let before = processes(mentioning: folder)
        #expect(before.count >= 3, "expected detector, generator and its workers running: \(before)")
        let port = try #require(log.firstMatch(of: /embedded broker on [0-9.]+:([0-9]+)/).map { String($0.1) })
        #expect(!processes(mentioning: "127.0.0.1:\(port)").isEmpty, "the broker should be running before the interrupt")

        kill(run.processIdentifier, SIGINT)
        run.waitUntilExit()
        #expect(run.terminationStatus == 130)
        usleep(500_000)
        #expect(processes(mentioning: folder).isEmpty, "left behind: \(processes(mentioning: folder))")
        #expect(processes(mentioning: "127.0.0.1:\(port)").isEmpty, "the broker on port \(port) is still running")
    }

    /// Command lines of running processes (other than this one) that contain `text`.
    private func processes(mentioning text: String) -> [String] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return ids.compactMap { id -> String? in
            guard let pid = Int32(id), pid != getpid(),
                let raw = FileManager.default.contents(atPath: "/proc/\(id)/cmdline")
            else { return nil }
            let line = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return line.contains(text) ? "\(pid): \(line)" : nil
        }
    }
}
