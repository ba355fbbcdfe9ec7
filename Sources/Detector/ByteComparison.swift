/// Byte comparisons by pointer for the per-record path. Generic collection algorithms (`elementsEqual`,
/// `first`, iterating a slice) would do the same, but unoptimized builds run them through protocol witnesses
/// whose coroutine frames are allocated, and the hot path must allocate nothing in any build.
enum ByteComparison {
    /// Whether `text` holds exactly the bytes of `literal`.
    @inline(__always)
    static func equals(_ text: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        equals(text, UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Whether two byte buffers are equal.
    @inline(__always)
    static func equals(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        guard left.count == right.count else { return false }
        guard let a = left.baseAddress, let b = right.baseAddress else { return true }
        var index = 0
        while index < left.count {
            if a[index] != b[index] { return false }
            index += 1
        }
        return true
    }
}
