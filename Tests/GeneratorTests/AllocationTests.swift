import EventModel
import Foundation
import Generator
import Manifest
import Testing

/// glibc's malloc tracer, used to check that the per-event path allocates nothing. It only traces when
/// glibc's debugging library is preloaded when the process starts, so the check re-runs this test binary
/// with the library preloaded and only the probe below enabled, and reads the trace it leaves.
enum MallocTrace {
    static let library = "libc_malloc_debug.so.0"
    static let probeVariable = "WINDTUNNEL_ALLOCATION_PROBE"
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

    /// Runs `body` with tracing on. The library exports its `mtrace` and `muntrace` only as non-default
    /// versions (libc's do-nothing stubs hold the default ones), so they are looked up by version with
    /// `dlvsym`, itself looked up at run time because the C module does not declare it.
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

@Suite("Allocation-free hot path")
struct AllocationTests {
    @Test("placing, synthesizing, pacing, awaiting reports, counting and journaling events allocates nothing once warmed up", .enabled(if: MallocTrace.isAvailable && !MallocTrace.isProbe))
    func hotPathAllocatesNothing() throws {
        let trace = NSTemporaryDirectory() + "malloc-trace-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: trace) }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        probe.arguments = ["--testing-library", "swift-testing", "--filter", "AllocationProbe"]
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

@Suite("AllocationProbe", .enabled(if: MallocTrace.isProbe))
struct AllocationProbe {
    @Test func probe() throws {
        var settings = GeneratorSettings()
        settings.recordsPerSecond = 2_000
        settings.crashRate = 50
        settings.userDistribution = .zipf(exponent: 1.1)
        settings.lateFraction = 0.1
        settings.malformedFraction = 0.02
        let synthesizer = try EventSynthesizer(settings: settings, worker: 0)
        var placement = try CrashPlacement(settings: settings, worker: 0)
        let timetable = try Timetable(recordsPerSecond: settings.recordsPerSecond, startNs: 0, startEpochMs: 1_769_000_000_000)
        var pacer = Pacer(timetable: timetable, clock: ManualClock())
        let path = NSTemporaryDirectory() + "allocation-probe-" + UUID().uuidString + ".wtm"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let manifest = try ManifestWriter(
            path: path, header: ManifestHeader(settings: settings, workerIndex: 0, workerCount: 1, hostName: "probe", startTimeMs: 0),
            chunkRecords: 1_000)
        let value = RecordBuffer()
        let key = RecordBuffer()
        // The worker's own per-event state: records awaiting reports, counts, the `wt-seq` header's text.
        let pending = PendingRing(minimumCapacity: 4_096)
        var tally = SendTally()
        let sequenceText = RecordBuffer(capacity: 32)

        func send(until end: UInt64) throws {
            while pacer.nextIndex < end {
                let batch = pacer.awaitDue(limit: 256)
                let sentNs = pacer.markSent(batch)
                // Counted by hand: unoptimized builds allocate on every step of `for index in batch`.
                var index = batch.lowerBound
                while index < batch.upperBound {
                    defer { index += 1 }
                    let facts = synthesizer.synthesize(
                        sequence: index, scheduledMs: timetable.scheduledEpochMs(of: index), carriesTerm: placement.carriesTerm(index),
                        value: value, key: key)
                    sequenceText.removeAll()
                    sequenceText.append(decimal: Int64(index))
                    pending.insert(facts, sendTimeUs: timetable.epochUs(atNs: sentNs))
                    tally.count(facts)
                    // Acknowledged a few records later, as delivery reports come.
                    if index >= 3, let entry = pending.remove(index - 3) {
                        tally.acknowledge(partition: Int32(index & 3), offset: Int64(index))
                        try manifest.append(
                            ManifestRecord(
                                event: entry.facts, sendTimeUs: entry.sendTimeUs,
                                acknowledgement: .acked(partition: Int32(index & 3), offset: Int64(index), atUs: entry.sendTimeUs)))
                    }
                }
            }
        }
        // Warm up: buffers reach their working size (an oversize record included) and zstd sizes its tables.
        try send(until: 20_000)
        try MallocTrace.traced {
            free(malloc(24))
            try send(until: 60_000)
        }
        try manifest.finish(endTimeMs: 0)
    }
}
