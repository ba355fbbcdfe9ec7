/// UTF-8 well-formedness (Unicode 15, table 3-7): the checks that reject overlong encodings, encoded
/// surrogates (U+D800...U+DFFF) and code points above U+10FFFF, not just bad continuation bytes.
enum UTF8Sequence {
    /// The index just past the multi-byte sequence whose lead byte (>= 0x80) is at `index`, or nil when the
    /// bytes there, up to `limit`, are not one well-formed sequence.
    @inline(__always)
    static func end(in bytes: UnsafePointer<UInt8>, at index: Int, limit: Int) -> Int? {
        let length: Int
        // The second byte's range is narrower after some lead bytes: that is what rules out overlong
        // forms (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return nil
        }
        guard limit - index >= length else { return nil }
        let second = bytes[index + 1]
        guard second >= lower, second <= upper else { return nil }
        var next = index + 2
        while next < index + length {
            guard bytes[next] & 0xC0 == 0x80 else { return nil }
            next += 1
        }
        return next
    }

    /// Whether all `count` bytes form well-formed UTF-8.
    static func isValid(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        var index = 0
        while index < count {
            if bytes[index] < 0x80 {
                index += 1
            } else if let next = end(in: bytes, at: index, limit: count) {
                index = next
            } else {
                return false
            }
        }
        return true
    }
}
