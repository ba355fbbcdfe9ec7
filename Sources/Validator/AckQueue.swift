import EventModel

/// What the validator keeps of one acknowledged manifest record until the topic replay reaches it.
struct PendingAck {
    let offset: Int64
    let sequence: UInt64
    let ackedAtMs: Int64
    let lateness: Lateness
    let intendedMalformed: Bool
    let intendedMatching: Bool
}

/// A first-in, first-out queue of one worker's acknowledged records of one partition, in offset order.
struct AckQueue {
    private var items: [PendingAck] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: PendingAck? { isEmpty ? nil : items[head] }

    mutating func append(_ item: PendingAck) {
        items.append(item)
    }

    mutating func removeFirst() {
        head += 1
        // Reclaim the consumed front once it is most of the storage, so a long replay stays small.
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4_096, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
