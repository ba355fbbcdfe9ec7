/// Whether `bytes` is well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogate code
/// points, nothing above U+10FFFF. Runs of ASCII are checked eight bytes at a time, because event values
/// are almost all ASCII and this check runs once per record.
func isWellFormedUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let count = bytes.count
    var index = 0
    while index < count {
        if index + 8 <= count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
        }
        let lead = base[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return false
        }
        guard index + length <= count else { return false }
        for offset in 1..<length where base[index + offset] & 0xC0 != 0x80 {
            return false
        }
        let second = base[index + 1]
        switch lead {
        case 0xE0 where second < 0xA0: return false  // overlong three-byte form
        case 0xED where second >= 0xA0: return false  // UTF-16 surrogate
        case 0xF0 where second < 0x90: return false  // overlong four-byte form
        case 0xF4 where second >= 0x90: return false  // above U+10FFFF
        default: break
        }
        index += length
    }
    return true
}
