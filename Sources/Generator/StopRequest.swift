import Dispatch
import Foundation

/// A request to stop, set from a signal (Ctrl-C, SIGTERM) and read by the sending loop once per tick.
/// The signals are caught with dispatch sources, so the handler runs as ordinary code, not in signal context.
public final class StopRequest: @unchecked Sendable {
    // Unchecked: every access to `signalNumber` goes through `lock`.
    private let lock = NSLock()
    private var signalNumber: Int32?
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// A request that `signals` set; their default action (ending the process) is turned off.
    public static func onSignals(_ signals: [Int32] = [SIGINT, SIGTERM]) -> StopRequest {
        let request = StopRequest()
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak request] in request?.request(signal: number) }
            source.resume()
            request.sources.append(source)
        }
        return request
    }

    /// Asks to stop; the first signal is the one remembered.
    public func request(signal number: Int32) {
        lock.withLock { signalNumber = signalNumber ?? number }
    }

    /// Whether a stop was asked for.
    public var isRequested: Bool { lock.withLock { signalNumber != nil } }

    /// The signal that asked to stop, or nil.
    public var stopSignal: Int32? { lock.withLock { signalNumber } }
}
