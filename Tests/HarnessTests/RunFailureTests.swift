import EmbeddedBroker
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A run whose broker dies, and a run that is itself killed with SIGKILL: each must end fast, say why, and
/// leave no process of its own behind.
@Suite("Runs that lose their broker or are killed", .serialized)
struct RunFailureTests {
    static let windtunnel = EndToEndRunTests.windtunnel

    /// Processes other than this one whose command line holds `text`.
    static func processes(mentioning text: String) -> [String] {
        let own = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int32(entry), pid != own, let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                !line.isEmpty
            else { return nil }
            let command = String(decoding: line.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return command.contains(text) ? "\(pid): \(command)" : nil
        }
    }

    private func waitForLine(_ text: String, in path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains(text) { return true }
            usleep(100_000)
        }
        return false
    }

    @Test func aBrokerThatDiesMidRunEndsItWithinSecondsNamingWhatWasNotDelivered() throws {
        let folder = try EndToEndRunTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let broker = try TansuBroker.start()
        defer { broker.stop() }
        let scenario = "\(folder)/long.yaml"
        try "name: long\nduration: 60s\ngenerator:\n  processes: 2\n  rps: 3000\n".write(toFile: scenario, atomically: true, encoding: .utf8)
        let output = "\(folder)/run.out"
        let run = try EndToEndRunTests.start(["run", "--results", "\(folder)/results", scenario, "--brokers", broker.bootstrap], output: output)
        #expect(waitForLine("generator started", in: output, seconds: 60))
        sleep(5)
        broker.stop(graceMs: 0)
        let killedAt = Date()
        while run.isRunning, Date().timeIntervalSince(killedAt) < 90 { usleep(100_000) }
        let took = Date().timeIntervalSince(killedAt)
        let said = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(!run.isRunning, "the run did not end: \(said)")
        if run.isRunning { run.terminate() }
        #expect(took < 45, "the run took \(Int(took)) s to end after the broker died: \(said)")
        #expect(run.terminationStatus == 2, "\(said)")
        let results = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/results").first { $0.hasPrefix("long-") })
        let summary = try String(contentsOfFile: "\(folder)/results/\(results)/run.json", encoding: .utf8)
        #expect(summary.contains("stopped answering"), "\(summary)")
        #expect(summary.contains("not delivered"), "\(summary)")
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/results/\(results)/report.html"))
        #expect(said.contains("no report"), "\(said)")
        let index = try String(contentsOfFile: "\(folder)/results/index.html", encoding: .utf8)
        #expect(!index.contains("\(results)/report.html"))
        #expect(Self.processes(mentioning: folder).isEmpty, "\(Self.processes(mentioning: folder))")
    }

    @Test func aRunKilledWithSigkillTakesEveryProcessItStartedWithIt() throws {
        let folder = try EndToEndRunTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let output = "\(folder)/run.out"
        let run = try EndToEndRunTests.start(["run", "--results", "\(folder)/results", "\(EndToEndRunTests.packageRoot)/scenarios/smoke.yaml"], output: output)
        #expect(waitForLine("generator started", in: output, seconds: 60))
        sleep(2)
        let said = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let port = said.split(separator: "\n").first { $0.hasPrefix("embedded broker on ") }.map { String($0.split(separator: ":").last ?? "") }
        let brokerPort = try #require(port, "\(said)")
        let children = Self.processes(mentioning: folder).compactMap { Int32($0.prefix { $0 != ":" }) }
        #expect(!children.isEmpty, "the run's children should be running now")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        sleep(10)
        #expect(Self.processes(mentioning: folder).isEmpty, "\(Self.processes(mentioning: folder))")
        // Each child led a process group (the generator's workers are in its group): none may have a member left.
        for child in children {
            #expect(kill(-child, 0) != 0, "process group \(child) outlived the run")
        }
        #expect(Self.processes(mentioning: "tcp://127.0.0.1:\(brokerPort)").isEmpty, "the embedded broker outlived the run")
    }
}
