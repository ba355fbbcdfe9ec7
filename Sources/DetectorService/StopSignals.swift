import Dispatch
import Foundation

/// SIGTERM and SIGINT ask the detector to stop after the current batch; SIGUSR1 asks for its stats. The
/// signals are received on a dispatch queue and only set flags, which the reading loop checks between polls.
final class StopSignals: @unchecked Sendable {
    // Unchecked: both flags are only touched under `lock`.
    private let lock = NSLock()
    private var stop = false
    private var stats = false
    private var sources: [DispatchSourceSignal] = []
    private static let handled: [(number: Int32, isStop: Bool)] = [(SIGTERM, true), (SIGINT, true), (SIGUSR1, false)]

    init() {
        for (number, isStop) in Self.handled {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.raise(stop: isStop) }
            source.resume()
            sources.append(source)
        }
    }

    /// Gives the signals their default actions back, for whatever the process does after the detector.
    deinit {
        sources.forEach { $0.cancel() }
        for (number, _) in Self.handled { signal(number, SIG_DFL) }
    }

    private func raise(stop isStop: Bool) {
        lock.withLock {
            if isStop { stop = true } else { stats = true }
        }
    }

    /// Whether a stop was asked for.
    var stopRequested: Bool { lock.withLock { stop } }

    /// Whether stats were asked for since the last call.
    func takeStatsRequest() -> Bool {
        lock.withLock {
            defer { stats = false }
            return stats
        }
    }
}
