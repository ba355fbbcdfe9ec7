import Kafka

/// Topic records copied out of librdkafka's buffers so that another thread can tally them: the reading
/// thread fills a batch while the tallying thread works through the previous one. Values sit end to end in
/// one reused buffer, so a batch allocates only when it outgrows its capacity.
///
/// A class shared between two threads by hand-off: `ReplayHandoff` gives it to one thread at a time, and only
/// that thread touches it, hence `@unchecked Sendable`. For the same reason, and because no access outlives
/// a call, the per-record state skips dynamic exclusivity checks (they cost 4% of a replay, measured).
final class RecordBatch: @unchecked Sendable {
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private(set) var partitions: [Int32] = []
    @exclusivity(unchecked) private(set) var offsets: [Int64] = []
    @exclusivity(unchecked) private(set) var timestamps: [Int64] = []
    /// The `wt-worker` header as a number, or -1.
    @exclusivity(unchecked) private(set) var workers: [Int] = []
    /// The `wt-seq` header as a number, or `UInt64.max`.
    @exclusivity(unchecked) private(set) var sequences: [UInt64] = []
    @exclusivity(unchecked) private var valueEnds: [Int] = []
    @exclusivity(unchecked) private var values: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var valueCapacity: Int
    @exclusivity(unchecked) private var valueFill = 0

    init(capacity: Int) {
        valueCapacity = capacity * 256
        values = .allocate(byteCount: valueCapacity, alignment: 8)
        partitions.reserveCapacity(capacity)
        offsets.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        workers.reserveCapacity(capacity)
        sequences.reserveCapacity(capacity)
        valueEnds.reserveCapacity(capacity)
    }

    deinit {
        values.deallocate()
    }

    func removeAll() {
        count = 0
        valueFill = 0
        partitions.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        workers.removeAll(keepingCapacity: true)
        sequences.removeAll(keepingCapacity: true)
        valueEnds.removeAll(keepingCapacity: true)
    }

    /// Copies one record; `withHeaders` reads the `wt-worker` and `wt-seq` headers (only a manifest needs them).
    func append(_ record: ConsumedRecord, withHeaders: Bool) {
        let value = record.value
        if valueFill + value.count > valueCapacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: max(valueCapacity * 2, valueFill + value.count), alignment: 8)
            grown.copyMemory(from: values, byteCount: valueFill)
            values.deallocate()
            values = grown
            valueCapacity = max(valueCapacity * 2, valueFill + value.count)
        }
        if let base = value.baseAddress { (values + valueFill).copyMemory(from: base, byteCount: value.count) }
        valueFill += value.count
        valueEnds.append(valueFill)
        partitions.append(record.partition)
        offsets.append(record.offset)
        timestamps.append(record.timestamp)
        if withHeaders {
            workers.append(record.header("wt-worker").flatMap(TopicReplay.decimal).map(Int.init) ?? -1)
            sequences.append(record.header("wt-seq").flatMap(TopicReplay.decimal) ?? .max)
        } else {
            workers.append(-1)
            sequences.append(.max)
        }
        count += 1
    }

    /// The value of record `index`, valid until the batch is emptied.
    func value(_ index: Int) -> UnsafeRawBufferPointer {
        let start = index == 0 ? 0 : valueEnds[index - 1]
        return UnsafeRawBufferPointer(start: values + start, count: valueEnds[index] - start)
    }

    /// Bytes of all values.
    var valueBytes: Int { valueFill }
}
