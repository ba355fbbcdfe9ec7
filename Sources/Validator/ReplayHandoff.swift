import Foundation

/// The meeting point of the replay's two threads: the reading thread takes spare batches, fills them from
/// the consumer and delivers them; the tallying thread takes delivered batches in order and returns them as
/// spares. A fixed number of batches circulates, so the reader can run at most that far ahead.
final class ReplayHandoff: @unchecked Sendable {
    /// How the reading ended.
    enum Ending: Sendable {
        case reachedTargets
        case idle
        case failed(ValidatorError)
    }

    private let condition = NSCondition()
    private var delivered: [RecordBatch] = []
    private var spares: [RecordBatch]
    private var ending: Ending?
    private var cancelled = false

    init(batches: Int, capacity: Int) {
        spares = (0..<batches).map { _ in RecordBatch(capacity: capacity) }
    }

    // MARK: Reading thread

    /// A spare batch, waiting for one; nil once the tallying side has cancelled.
    func takeSpare() -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while spares.isEmpty, !cancelled { condition.wait() }
        return cancelled ? nil : spares.removeLast()
    }

    /// Hands a filled batch to the tallying thread, or an empty one back to the spares.
    func deliver(_ batch: RecordBatch) {
        condition.lock()
        if batch.count > 0 { delivered.append(batch) } else { spares.append(batch) }
        condition.broadcast()
        condition.unlock()
    }

    /// Says that no more batches come, and why.
    func finish(_ ending: Ending) {
        condition.lock()
        self.ending = ending
        condition.broadcast()
        condition.unlock()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    // MARK: Tallying thread

    /// The next delivered batch, waiting for one; nil when the reader has finished and all were taken.
    func next() -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while delivered.isEmpty, ending == nil { condition.wait() }
        return delivered.isEmpty ? nil : delivered.removeFirst()
    }

    /// Returns a tallied batch to the spares.
    func recycle(_ batch: RecordBatch) {
        batch.removeAll()
        condition.lock()
        spares.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the reader (after a failure on the tallying side) and waits until it has finished.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while ending == nil { condition.wait() }
        condition.unlock()
    }

    /// How the reading ended; call after `next()` returned nil.
    var result: Ending? {
        condition.lock()
        defer { condition.unlock() }
        return ending
    }
}
