import EventModel
import Foundation
import Kafka

/// Events synthesized by the generator's own synthesizer before timing starts, with their `wt-worker` and
/// `wt-seq` headers, so that (a) sends exactly what (b) sends. Everything sits in memory allocated once, so
/// that the raw loop itself allocates nothing per record either. A class because it owns that memory.
public final class PrebuiltEvents {
    /// Keys, values and sequence texts back to back; `spans[i]` locates event i's three parts.
    private let storage: UnsafeMutableRawPointer
    private var spans: [(key: Range<Int>, value: Range<Int>, sequence: Range<Int>)] = []
    private let names = (worker: strdup("wt-worker"), sequence: strdup("wt-seq"))
    private let workerValue = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
    private let headers = UnsafeMutablePointer<MessageHeader>.allocate(capacity: 2)
    /// Average value size, bytes.
    public let averageBytes: Double

    public init(count: Int) throws {
        let synthesizer = try EventSynthesizer(settings: GeneratorSettings(), worker: 0)
        let value = RecordBuffer()
        let key = RecordBuffer()
        let all = RecordBuffer(capacity: count * 256)
        for index in 0..<count {
            _ = synthesizer.synthesize(
                sequence: UInt64(index), scheduledMs: 1_769_000_000_000 + Int64(index / 10), carriesTerm: index % 100 == 0, value: value, key: key)
            let keyStart = all.count
            all.append(key.bytes)
            let valueStart = all.count
            all.append(value.bytes)
            let sequenceStart = all.count
            all.append(decimal: Int64(index))
            spans.append((keyStart..<valueStart, valueStart..<sequenceStart, sequenceStart..<all.count))
        }
        storage = .allocate(byteCount: all.count, alignment: 8)
        storage.copyMemory(from: all.bytes.baseAddress!, byteCount: all.count)
        averageBytes = Double(spans.map(\.value.count).reduce(0, +)) / Double(max(count, 1))
        workerValue[0] = UInt8(ascii: "0")
        headers.initialize(to: MessageHeader(name: names.worker!, value: UnsafeRawBufferPointer(workerValue)))
        (headers + 1).initialize(to: MessageHeader(name: names.sequence!, value: UnsafeRawBufferPointer(workerValue)))
    }

    deinit {
        storage.deallocate()
        free(names.worker)
        free(names.sequence)
        workerValue.deallocate()
        headers.deallocate()
    }

    public var count: Int { spans.count }

    /// Lends event `index`'s key, value and headers to `body`.
    public func withEvent<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeBufferPointer<MessageHeader>) throws -> R) rethrows -> R {
        let span = spans[index]
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage + range.lowerBound, count: range.count) }
        headers[1].value = bytes(span.sequence)
        return try body(bytes(span.key), bytes(span.value), UnsafeBufferPointer(start: headers, count: 2))
    }
}
