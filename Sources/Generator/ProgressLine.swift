/// The coordinator's once-a-second line on standard error: achieved rate against the target, schedule lag,
/// delivery errors, records in flight, and elapsed against total time.
struct ProgressLine {
    private let targetRate: Int
    /// The timetable's length in seconds, tail included, when known.
    private let totalSeconds: Double?
    /// Each worker's figures at the last update, and its rate between its last two reports.
    private var previous: [WorkerStats?]
    private var rates: [Double]

    init(plans: [WorkerPlan]) {
        targetRate = plans.map(\.settings.recordsPerSecond).reduce(0, +)
        previous = Array(repeating: nil, count: plans.count)
        rates = Array(repeating: 0, count: plans.count)
        totalSeconds = plans.compactMap { plan -> Double? in
            guard let count = plan.run.eventCount else { return nil }
            let tail = plan.run.tail.map { Double($0.count) / Double($0.sendingRate) } ?? 0
            return Double(count) / Double(plan.settings.recordsPerSecond) + tail
        }.max()
    }

    /// The line for the workers' latest figures at `nowNs`. Rates come from each worker's own reports (sent
    /// and elapsed time), so they do not depend on when the coordinator happens to look.
    mutating func update(stats: [WorkerStats?], nowNs: UInt64, startNs: UInt64) -> String {
        for (index, latest) in stats.enumerated() {
            guard let latest else { continue }
            let before = previous[index] ?? WorkerStats(elapsedMs: 0, sent: 0, acknowledged: 0, failed: 0, inFlight: 0, lagP99Ms: 0, inTail: false)
            if latest.elapsedMs > before.elapsedMs {
                rates[index] = Double(latest.sent - min(before.sent, latest.sent)) * 1_000 / Double(latest.elapsedMs - before.elapsedMs)
            }
            previous[index] = latest
        }
        let known = stats.compactMap { $0 }
        let sent = known.map(\.sent).reduce(0, +)
        let rate = rates.reduce(0, +)
        let elapsed = Double(nowNs - startNs) / 1e9
        let total = totalSeconds.map { " / \(Self.seconds($0))" } ?? ""
        let inTail = known.contains(where: \.inTail) ? " (tail)" : ""
        return "generate: \(Self.seconds(elapsed))\(total)\(inTail)  rate \(Self.grouped(Int(rate.rounded())))/s of \(Self.grouped(targetRate))/s"
            + "  lag p99 \(Self.milliseconds(known.map(\.lagP99Ms).max() ?? 0))"
            + "  delivery errors \(Self.grouped(Int(known.map(\.failed).reduce(0, +))))"
            + "  in flight \(Self.grouped(known.map(\.inFlight).reduce(0, +)))"
            + "  sent \(Self.grouped(Int(sent)))"
    }

    static func seconds(_ value: Double) -> String {
        "\(Int(value.rounded()))s"
    }

    static func milliseconds(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) ms"
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (position, digit) in digits.enumerated() {
            if position > 0, (digits.count - position) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}
