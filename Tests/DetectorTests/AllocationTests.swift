import Contracts
@testable import Detector
import Foundation
import Testing

/// glibc's malloc tracer, used to check that scanning and counting a record allocates nothing. It only
/// traces when glibc's debugging library is preloaded at process start, so the check re-runs this test
/// binary with the library preloaded and only the probe below enabled, and reads the trace it leaves.
enum MallocTrace {
    static let library = "libc_malloc_debug.so.0"
    static let probeVariable = "WINDTUNNEL_DETECTOR_ALLOCATION_PROBE"
    static let traceVariable = "MALLOC_TRACE"

    /// Whether this system has the tracer (glibc 2.34 or later).
    static var isAvailable: Bool {
        guard let handle = dlopen(library, RTLD_LAZY) else { return false }
        dlclose(handle)
        return true
    }

    /// Whether this process is the re-run that should trace.
    static var isProbe: Bool { ProcessInfo.processInfo.environment[probeVariable] != nil }

    typealias Switch = @convention(c) () -> Void
    typealias VersionedLookup = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutableRawPointer?

    /// Runs `body` with tracing on. The library exports `mtrace` and `muntrace` only as non-default versions
    /// (libc's do-nothing stubs hold the default ones), so they are looked up by version with `dlvsym`.
    static func traced(_ body: () throws -> Void) rethrows {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_NOLOAD),
            let lookupSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dlvsym")
        else {
            Issue.record("\(library) is not preloaded")
            return
        }
        defer { dlclose(handle) }
        let lookup = unsafeBitCast(lookupSymbol, to: VersionedLookup.self)
        guard let on = lookup(handle, "mtrace", "GLIBC_2.2.5"), let off = lookup(handle, "muntrace", "GLIBC_2.2.5") else {
            Issue.record("\(library) has no mtrace")
            return
        }
        unsafeBitCast(on, to: Switch.self)()
        defer { unsafeBitCast(off, to: Switch.self)() }
        try body()
    }
}

@Suite("Window engine: allocation-free ingest")
struct AllocationTests {
    @Test("scanning and counting records allocates nothing once the tables have grown", .enabled(if: MallocTrace.isAvailable && !MallocTrace.isProbe))
    func ingestAllocatesNothing() throws {
        let trace = NSTemporaryDirectory() + "detector-malloc-trace-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        probe.arguments = ["--testing-library", "swift-testing", "--filter", "DetectorAllocationProbe"]
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = MallocTrace.library
        environment[MallocTrace.traceVariable] = trace
        environment[MallocTrace.probeVariable] = "1"
        probe.environment = environment
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        #expect(probe.terminationStatus == 0)

        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        // "+ address size" is a malloc, "> address size" the new block of a realloc.
        let allocations = lines.filter { $0.contains(" + ") || $0.contains(" > ") }
        // The probe makes exactly one allocation of its own inside the traced span, to show the tracer works.
        #expect(allocations.count == 1, "\(allocations.prefix(20).joined(separator: "\n"))")
    }
}

@Suite("DetectorAllocationProbe", .enabled(if: MallocTrace.isProbe))
struct DetectorAllocationProbe {
    @Test func probe() throws {
        let base: Int64 = 1_769_000_000_000
        var values: [[UInt8]] = []
        for index in 0..<2_000 {
            let user = index % 7 == 0 ? "named \\u0075ser" : "user_\(1_000 + index % 50)"
            let content = ["app crash", "all fine", #"CR\u0041SH \"quoted\""#, "crush"][index % 4]
            values.append(Array(eventJSON(base + Int64(index % 20) * 1_000, user: user, content: content).utf8))
        }
        // No malformed values: the scanner reports them by throwing, and inside a test process Swift Testing
        // captures a backtrace of every thrown error, which allocates (a plain `detect` process does not).
        var engine = try WindowEngine(rule: RuleSettings())
        // Counted by hand: unoptimized builds allocate on every step of a `for` over a range.
        var step = 0
        // Warm up: every (window, user) cell exists, the named user is interned, the scratch buffer is grown.
        while step < values.count {
            _ = values[step].withUnsafeBytes { engine.ingest(partition: Int32(step % 4), value: $0) }
            step += 1
        }
        step = 0
        MallocTrace.traced {
            free(malloc(24))
            while step < 10 * values.count {
                let index = step % values.count
                _ = values[index].withUnsafeBytes { engine.ingest(partition: Int32(index % 4), value: $0) }
                step += 1
            }
        }
        #expect(engine.stats.records == 11 * values.count)
    }
}
