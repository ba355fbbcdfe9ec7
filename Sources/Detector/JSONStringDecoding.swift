/// Decodes the contents of JSON strings that `JSONCursor.scanString` has already validated, so that
/// comparisons see what a JSON parser would: `\u0063rash` is `crash`, `cr\\ash` is `cr\ash`.
enum JSONStringDecoding {
    /// The value of one hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: UInt32(byte &- 0x30)
        case 0x41...0x46: UInt32(byte &- 0x41 &+ 10)
        case 0x61...0x66: UInt32(byte &- 0x61 &+ 10)
        default: nil
        }
    }

    /// Writes the UTF-8 of the validated string contents `span` of `bytes` to `output`, which must have room
    /// for `span.count` bytes (decoding never lengthens: `\uXXXX` is 6 bytes for at most 3, a surrogate pair
    /// 12 for 4). Returns the number of bytes written.
    static func decode(_ span: JSONStringSpan, of bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var read = span.start
        var written = 0
        while read < span.end {
            let byte = bytes[read]
            guard byte == 0x5C else {
                output[written] = byte
                written += 1
                read += 1
                continue
            }
            let escape = bytes[read + 1]
            read += 2
            let simple: UInt8? =
                switch escape {
                case 0x62: 0x08
                case 0x66: 0x0C
                case 0x6E: 0x0A
                case 0x72: 0x0D
                case 0x74: 0x09
                case 0x75: nil
                default: escape
                }
            if let simple {
                output[written] = simple
                written += 1
                continue
            }
            var scalar = quad(bytes, at: read)
            read += 4
            if (0xD800...0xDBFF).contains(scalar) {
                // Validation guarantees the escaped low surrogate that follows.
                let low = quad(bytes, at: read + 2)
                read += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            written = encode(scalar, into: output, at: written)
        }
        return written
    }

    private static func quad(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | (hexValue(bytes[index + offset]) ?? 0) }
        return value
    }

    /// Writes `scalar` as UTF-8 at `index` and returns the index after it.
    private static func encode(_ scalar: UInt32, into output: UnsafeMutableBufferPointer<UInt8>, at index: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            output[index] = UInt8(scalar)
            return index + 1
        case 0x80..<0x800:
            output[index] = UInt8(0xC0 | scalar >> 6)
            output[index + 1] = UInt8(0x80 | scalar & 0x3F)
            return index + 2
        case 0x800..<0x10000:
            output[index] = UInt8(0xE0 | scalar >> 12)
            output[index + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[index + 2] = UInt8(0x80 | scalar & 0x3F)
            return index + 3
        default:
            output[index] = UInt8(0xF0 | scalar >> 18)
            output[index + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[index + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[index + 3] = UInt8(0x80 | scalar & 0x3F)
            return index + 4
        }
    }
}
