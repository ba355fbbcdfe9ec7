/// A reusable, growable byte buffer that one record's key or value is written into.
///
/// A class because it owns memory: the producer hands `bytes` to librdkafka (which copies them) and the next
/// event overwrites them, so after the first few events the buffer has reached its working size and writing
/// an event allocates nothing. Not thread-safe: each worker thread owns its buffers.
public final class RecordBuffer {
    // Dynamic exclusivity checks on these three cost more than the copies themselves (measured: about half
    // of the synthesizer's time). The class is confined to one thread and no method hands out an access that
    // outlives the call, so the checks can never fire.
    @exclusivity(unchecked) private var storage: UnsafeMutableRawPointer
    /// How many bytes fit before the buffer has to grow.
    @exclusivity(unchecked) public private(set) var capacity: Int
    /// How many bytes have been written since the last `removeAll()`.
    @exclusivity(unchecked) public private(set) var count: Int = 0

    /// A buffer holding `capacity` bytes before it first grows.
    public init(capacity: Int = 512) {
        self.capacity = max(capacity, 16)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit {
        storage.deallocate()
    }

    /// The bytes written so far; valid until the next write.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage, count: count)
    }

    /// Forgets the contents, keeping the memory.
    public func removeAll() {
        count = 0
    }

    /// Appends raw bytes.
    public func append(_ source: UnsafeRawBufferPointer) {
        guard let base = source.baseAddress, !source.isEmpty else { return }
        reserve(source.count)
        (storage + count).copyMemory(from: base, byteCount: source.count)
        count += source.count
    }

    /// Appends the UTF-8 bytes of a literal; a `StaticString` lives in the binary, so this allocates nothing.
    public func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one byte.
    public func append(byte: UInt8) {
        reserve(1)
        storage.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends `value` in decimal ASCII, as JSON writes an integer, without building a `String`.
    public func append(decimal value: Int64) {
        // 19 digits and a sign cover every Int64; `magnitude` avoids the trap of negating Int64.min.
        reserve(20)
        if value < 0 { append(byte: UInt8(ascii: "-")) }
        var rest = value.magnitude
        var digits = 1
        var probe = rest
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var position = count + digits
        count = position
        repeat {
            position -= 1
            storage.storeBytes(of: UInt8(truncatingIfNeeded: rest % 10) + UInt8(ascii: "0"), toByteOffset: position, as: UInt8.self)
            rest /= 10
        } while rest > 0
    }

    /// Drops bytes from the end so that `newCount` remain.
    public func truncate(to newCount: Int) {
        count = min(max(newCount, 0), count)
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(toHold: count + extra) }
    }

    private func grow(toHold needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }
}
