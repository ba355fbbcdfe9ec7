import EventModel

/// Records handed to the producer and still waiting for their delivery report, by sequence number: the
/// facts the manifest records once the report (whose opaque value is the sequence) says where it landed.
///
/// A fixed ring of slots indexed by `sequence mod capacity`, allocated once, so that sending and
/// acknowledging allocate nothing. Reports can come out of order, so a slot may still be taken by an older
/// record when a newer one needs it: `isFree` tells the sender to serve reports first.
/// A class because it owns memory; one worker thread uses it.
public final class PendingRing {
    /// One record awaiting its report.
    public struct Entry: Sendable, Equatable {
        /// The event as synthesized.
        public var facts: EventFacts
        /// When it was handed to the producer, epoch microseconds.
        public var sendTimeUs: Int64
    }

    /// How many slots there are: a power of two.
    public let capacity: Int
    /// Records waiting.
    @exclusivity(unchecked) public private(set) var count = 0
    private let mask: UInt64
    private let slots: UnsafeMutablePointer<Entry?>

    /// A ring with at least `minimumCapacity` slots (rounded up to a power of two).
    public init(minimumCapacity: Int) {
        var capacity = 1
        while capacity < max(minimumCapacity, 1) { capacity <<= 1 }
        self.capacity = capacity
        mask = UInt64(capacity - 1)
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Whether the slot of `sequence` is free.
    public func isFree(_ sequence: UInt64) -> Bool {
        slots[Int(sequence & mask)] == nil
    }

    /// Keeps `facts` until its report; the slot of its sequence must be free.
    public func insert(_ facts: EventFacts, sendTimeUs: Int64) {
        let slot = Int(facts.sequence & mask)
        precondition(slots[slot] == nil, "pending slot of sequence \(facts.sequence) is taken")
        slots[slot] = Entry(facts: facts, sendTimeUs: sendTimeUs)
        count += 1
    }

    /// Takes the record with `sequence` out, or nil when none waits under that number.
    public func remove(_ sequence: UInt64) -> Entry? {
        let slot = Int(sequence & mask)
        guard let entry = slots[slot], entry.facts.sequence == sequence else { return nil }
        slots[slot] = nil
        count -= 1
        return entry
    }

    /// Takes every waiting record out, in slot order: the records whose report never came.
    public func removeAll(_ body: (Entry) throws -> Void) rethrows {
        var slot = 0
        while slot < capacity, count > 0 {
            if let entry = slots[slot] {
                slots[slot] = nil
                count -= 1
                try body(entry)
            }
            slot += 1
        }
    }
}

extension PendingRing {
    /// Moves the send time of the waiting record `sequence`, after a retry sent it later than first recorded.
    public func update(_ sequence: UInt64, sendTimeUs: Int64) {
        let slot = Int(sequence & mask)
        guard slots[slot]?.facts.sequence == sequence else { return }
        slots[slot]?.sendTimeUs = sendTimeUs
    }
}
