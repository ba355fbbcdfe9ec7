import Foundation
import Manifest

/// Runs a generation: starts one worker process per plan, holds them at a start barrier until every one has
/// connected, releases them at one start time, merges their live figures into a progress line once a
/// second, passes a stop request on to them, and sums up their final figures.
///
/// A worker that dies is reported by name as soon as it is noticed; the others carry on, so their manifests
/// stay complete. The dead worker's figures are recovered from its manifest, which holds every record up to
/// its last flushed chunk (at most about a second before it died).
public final class Coordinator {
    /// Why a generation could not start.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    private let executable: String
    private let workerArguments: [String]
    private let plans: [WorkerPlan]
    private let progress: (String) -> Void
    /// Called once a second with every worker's latest figures (nil for a worker that has sent none yet),
    /// for live metrics.
    public var observe: ([WorkerStats?]) -> Void = { _ in }

    /// The longest wait for every worker to reach the barrier.
    static let readyTimeoutNs: UInt64 = 60_000_000_000
    /// How far after the release the timetables start, so that every worker is waiting when it comes.
    static let startDelayNs: UInt64 = 250_000_000

    /// A coordinator that starts `executable workerArguments` once per plan, reporting progress lines to `progress`.
    public init(executable: String, workerArguments: [String], plans: [WorkerPlan], progress: @escaping (String) -> Void) {
        self.executable = executable
        self.workerArguments = workerArguments
        self.plans = plans
        self.progress = progress
    }

    /// Runs the workers to the end (or until `stop`) and returns the summary.
    public func run(stop: StopRequest) throws -> GenerationSummary {
        // A worker that dies closes its pipe; writing to it must give an error, not end the coordinator.
        signal(SIGPIPE, SIG_IGN)
        var workers: [WorkerProcess] = []
        do {
            for plan in plans {
                let worker = try WorkerProcess(index: plan.workerIndex, executable: executable, arguments: workerArguments, plan: plan)
                workers.append(worker)
                progress("generate: worker \(worker.index) started (pid \(worker.pid))")
            }
            try awaitBarrier(workers, stop: stop)
        } catch {
            workers.forEach { $0.terminate() }
            while workers.contains(where: { !$0.hasEnded }) { usleep(20_000) }
            throw error
        }
        let start = Self.startSignal()
        for worker in workers {
            // A worker that died at the barrier is reported below like any other dead worker.
            try? worker.release(start)
        }
        progress("generate: \(workers.count) worker\(workers.count == 1 ? "" : "s") released")
        var problems = watch(workers, start: start, stop: stop)
        return summarize(workers, start: start, stop: stop, problems: &problems)
    }

    private func awaitBarrier(_ workers: [WorkerProcess], stop: StopRequest) throws {
        let clock = MonotonicClock()
        let deadline = clock.nowNs() + Self.readyTimeoutNs
        while !workers.allSatisfy(\.isReady) {
            if let ended = workers.first(where: { !$0.isReady && $0.ending != nil }) {
                throw StartError(description: "worker \(ended.index) ended (\(ended.ending ?? "")) before it was ready; its error is above")
            }
            if stop.isRequested { throw StartError(description: "stopped before the workers were released") }
            if clock.nowNs() > deadline {
                let late = workers.filter { !$0.isReady }.map { String($0.index) }.joined(separator: ", ")
                throw StartError(description: "worker \(late) not ready after \(Self.readyTimeoutNs / 1_000_000_000) s (are the brokers reachable?)")
            }
            usleep(10_000)
        }
    }

    /// A start a little in the future, on the monotonic clock every local process shares, and its wall time.
    private static func startSignal() -> StartSignal {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let startNs = MonotonicClock().nowNs() + startDelayNs
        let wallNs = Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec) + Int64(startDelayNs)
        return StartSignal(startNs: startNs, startEpochMs: wallNs / 1_000_000)
    }

    /// Waits for every worker to end, printing progress once a second; returns the dead workers' messages.
    private func watch(_ workers: [WorkerProcess], start: StartSignal, stop: StopRequest) -> [String] {
        let clock = MonotonicClock()
        var problems: [String] = []
        var reported = Set<Int>()
        var forwarded = false
        var line = ProgressLine(plans: plans)
        // A little after each whole second, when the workers' once-a-second figures have arrived.
        var nextProgressNs = start.startNs + 1_100_000_000
        while true {
            if stop.isRequested, !forwarded {
                forwarded = true
                progress("generate: stopping: flushing and finishing manifests")
                workers.forEach { $0.terminate() }
            }
            for worker in workers where !reported.contains(worker.index) && worker.hasEnded && worker.finalReport == nil {
                reported.insert(worker.index)
                let message = "worker \(worker.index) died: \(worker.ending ?? "unknown")"
                progress(message)
                problems.append(message)
            }
            if workers.allSatisfy(\.hasEnded) { break }
            let now = clock.nowNs()
            if now >= nextProgressNs {
                nextProgressNs += 1_000_000_000
                let stats = workers.map(\.latestStats)
                progress(line.update(stats: stats, nowNs: now, startNs: start.startNs))
                observe(stats)
            }
            usleep(50_000)
        }
        return problems
    }

    private func summarize(_ workers: [WorkerProcess], start: StartSignal, stop: StopRequest, problems: inout [String]) -> GenerationSummary {
        var tally = SendTally()
        var lag = ScheduleLag()
        var figures: [WorkerFigures] = []
        var achieved = 0.0
        var endedAtMs = start.startEpochMs
        var stoppedEarly = false
        for (worker, plan) in zip(workers, plans) {
            if let error = worker.protocolError { problems.append("worker \(worker.index) wrote an unreadable line: \(error)") }
            guard let report = worker.finalReport else {
                let recovered = recoveredTally(plan: plan, problems: &problems)
                tally.merge(recovered)
                figures.append(
                    WorkerFigures(
                        worker: worker.index, status: "died: \(worker.ending ?? "unknown")", targetRate: plan.settings.recordsPerSecond,
                        achievedRate: nil, sent: recovered.sent, acknowledged: recovered.acknowledged, deliveryFailures: recovered.failed,
                        unacknowledged: recovered.unacknowledged, scheduleLag: nil))
                continue
            }
            var status = report.stoppedEarly ? "stopped early" : "completed"
            if let failure = report.failure {
                status = "failed: \(failure)"
                problems.append("worker \(worker.index) failed: \(failure)")
            } else if !worker.exitedCleanly {
                problems.append("worker \(worker.index) ended with \(worker.ending ?? "unknown") after its final figures")
            }
            tally.merge(report.tally)
            lag.merge(report.lag)
            achieved += report.achievedRate
            endedAtMs = max(endedAtMs, report.endedAtMs)
            stoppedEarly = stoppedEarly || report.stoppedEarly
            figures.append(
                WorkerFigures(
                    worker: worker.index, status: status, targetRate: report.targetRate, achievedRate: report.achievedRate,
                    sent: report.tally.sent, acknowledged: report.tally.acknowledged, deliveryFailures: report.tally.failed,
                    unacknowledged: report.tally.unacknowledged, scheduleLag: report.lag.summary))
        }
        if tally.failed > 0 { problems.append("\(tally.failed) records failed delivery") }
        if tally.unacknowledged > 0 { problems.append("\(tally.unacknowledged) records had no delivery report when their worker stopped") }
        // The last delivery report ends the run; the clock stands in only when no worker reported its end.
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        let reportedEnd = figures.contains { $0.achievedRate != nil }
        return GenerationSummary(
            topic: plans.first?.run.topic ?? "", processes: plans.count, workerCount: plans.first?.workerCount ?? 0,
            targetRate: plans.map(\.settings.recordsPerSecond).reduce(0, +), achievedRate: achieved, sent: tally.sent,
            acknowledged: tally.acknowledged, deliveryFailures: tally.failed, unacknowledged: tally.unacknowledged,
            partitionEndOffsets: tally.partitionEndOffsets, scheduleLag: lag.summary, lateness: tally.latenessByName,
            malformed: tally.malformedByName, termRecords: tally.termRecords, tailRecords: tally.tail,
            startedAtMs: start.startEpochMs, endedAtMs: reportedEnd ? endedAtMs : Int64(wall.tv_sec) * 1_000 + Int64(wall.tv_nsec) / 1_000_000,
            stoppedEarly: stoppedEarly || stop.isRequested, problems: problems, workers: figures)
    }

    /// A dead worker's counts, read back from its manifest.
    private func recoveredTally(plan: WorkerPlan, problems: inout [String]) -> SendTally {
        guard let folder = plan.manifestFolder else { return SendTally() }
        let path = "\(folder)/\(ManifestFormat.fileName(worker: plan.workerIndex))"
        do {
            return try SendTally(manifestAt: path)
        } catch {
            problems.append("worker \(plan.workerIndex)'s manifest could not be read back: \(error)")
            return SendTally()
        }
    }
}
