import Foundation
import Testing

@Suite("windtunnel generate refuses bad options")
struct GenerateOptionTests {
    @Test(
        "a contradictory or invalid option gets a one-line error naming it, and a usage exit code",
        arguments: [
            (["--rps", "10", "--total-rps", "20"], "--rps and --total-rps"),
            (["--duration", "10s", "--count", "5"], "--duration and --count"),
            (["--rps", "50", "--crash-rate", "60"], "--crash-rate"),
            (["--duration", "10"], "--duration"),
            (["--late-fraction", "0.1", "--late-class", "sometimes"], "--late-class"),
            (["--late-class", "beyond"], "--late-class needs --late-fraction"),
            (["--window", "5s"], "--window needs --late-fraction or --tail"),
            (["--watermark", "1m"], "--watermark needs --late-fraction or --tail"),
            (["--late-fraction", "0.1", "--watermark", "soon"], "--watermark"),
            (["--term-variants", "crush=1"], "--term-variants 'crush=1': unknown variant 'crush'"),
            (["--term-variants", "crash=0"], "--term-variants"),
            (["--crash-term", "boom", "--term-variants", "crash=1"], "--term-variants 'crash=1': unknown variant 'crash' (expected boom, Boom"),
            (["--malformed-fraction", "0.1", "--malformed-kinds", "truncated"], "--malformed-kinds 'truncated'"),
            (["--malformed-kinds", "oversize"], "--malformed-kinds needs --malformed-fraction"),
            (["--user-distribution", "zipf:-1"], "--user-distribution"),
            (["--severity-weights", "Urgent=1"], "--severity-weights"),
            (["--compression", "brotli"], "--compression"),
            (["--worker", "3/3"], "--worker"),
            (["--tail-speedup", "4"], "--tail-speedup needs --tail"),
            (["--tail"], "--tail needs --duration or --count"),
            (["--total-rps", "1", "--processes", "2"], "--total-rps"),
            (["--processes", "0"], "--processes"),
            (["-X", "linger.ms"], "linger.ms"),
        ])
    func refused(arguments: [String], named: String) async throws {
        try await withTemporaryFolder { folder in
            let command = try WindtunnelCommand.run(["generate", "--brokers", "127.0.0.1:1"] + arguments, folder: folder, timeoutSeconds: 30)
            #expect(command.status == 64)
            let lines = command.errorText.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(lines.count == 1)
            #expect(lines.first?.contains(named) == true, "\(command.errorText)")
        }
    }

    @Test("the course image's environment variables are read, and a bad one is named")
    func environment() async throws {
        try await withTemporaryFolder { folder in
            var environment = ProcessInfo.processInfo.environment
            environment["TARGET_RPS"] = "fast"
            let command = try WindtunnelCommand.run(["generate"], folder: folder, environment: environment, timeoutSeconds: 30)
            #expect(command.status == 64)
            #expect(command.errorText.contains("TARGET_RPS"))

            environment["TARGET_RPS"] = "50"
            environment["ADDITIONAL_TERM_RATE"] = "80"
            let tooMany = try WindtunnelCommand.run(["generate"], folder: folder, environment: environment, timeoutSeconds: 30)
            #expect(tooMany.status == 64)
            #expect(tooMany.errorText.contains("--crash-rate '80'"), "\(tooMany.errorText)")
        }
    }

    @Test("unreachable brokers end the run at the barrier with an error, not a hang")
    func unreachableBrokers() async throws {
        try await withTemporaryFolder { folder in
            let command = try WindtunnelCommand.run(
                ["generate", "--brokers", "127.0.0.1:1", "--rps", "1000", "--count", "10", "--manifest", folder + "/m"], folder: folder,
                timeoutSeconds: 90)
            #expect(command.status == 1)
            #expect(command.errorText.contains("worker 0"), "\(command.errorText)")
        }
    }
}
