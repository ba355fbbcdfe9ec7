/// A JSON string as found in a record value: the byte range between its quotes, still escaped.
struct JSONStringSpan: Sendable, Equatable {
    /// Index of the first byte after the opening quote.
    var start: Int
    /// Index of the closing quote.
    var end: Int
    /// Whether the contents hold a backslash escape, so they must be decoded before they are compared.
    var isEscaped: Bool

    var count: Int { end - start }
}

/// What a JSON number literal is, as far as an epoch-millisecond timestamp cares.
enum NumberLiteral: Sendable, Equatable {
    /// An integer literal (no fraction, no exponent): its sign and, when it fits in 64 bits, its magnitude.
    case integer(isNegative: Bool, magnitude: UInt64?)
    /// A literal with a fraction or an exponent, such as `1.5`, `1.0` or `1e3`.
    case fractional
}

/// Reads RFC 8259 JSON over raw bytes, validating as it goes and allocating nothing.
///
/// Every method starts at `position` and leaves it just past what it read. Failures throw the
/// `MalformedKind` to report: bad UTF-8 inside a string is `notUTF8`, anything else `invalidJSON`.
struct JSONCursor {
    /// Deeper nesting is refused as invalid JSON, so that hostile input cannot exhaust the stack while
    /// values are skipped recursively. Foundation's JSON parser stops at the same depth.
    static let maximumDepth = 512

    let bytes: UnsafePointer<UInt8>
    let count: Int
    var position = 0

    var isAtEnd: Bool { position >= count }

    /// The byte at the cursor, or 0 past the end: 0 is valid nowhere outside a string, so every check made
    /// on it fails as it should for truncated input.
    @inline(__always)
    var current: UInt8 { position < count ? bytes[position] : 0 }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) throws(MalformedKind) {
        guard current == byte else { throw .invalidJSON }
        position += 1
    }

    // MARK: Strings

    /// Reads a string whose opening quote is at the cursor.
    mutating func scanString() throws(MalformedKind) -> JSONStringSpan {
        position += 1
        let start = position
        var isEscaped = false
        while true {
            // Log text is mostly plain ASCII: step over it eight bytes at a time.
            while count - position >= 8,
                Self.isPlainASCII(UnsafeRawPointer(bytes + position).loadUnaligned(as: UInt64.self))
            {
                position += 8
            }
            guard position < count else { throw .invalidJSON }
            let byte = bytes[position]
            switch byte {
            case 0x22:
                let span = JSONStringSpan(start: start, end: position, isEscaped: isEscaped)
                position += 1
                return span
            case 0x5C:
                isEscaped = true
                try scanEscape()
            case 0x00..<0x20:
                throw .invalidJSON
            case 0x80...:
                guard let next = UTF8Sequence.end(in: bytes, at: position, limit: count) else { throw .notUTF8 }
                position = next
            default:
                position += 1
            }
        }
    }

    /// Whether eight bytes hold no quote, backslash, control character or non-ASCII byte.
    ///
    /// Per byte b < 0x80, each subtraction below sets the high bit exactly when b is < 0x20, == 0x22 or
    /// == 0x5C; a borrow into the next byte only happens after such a byte, which already fails the test.
    @inline(__always)
    static func isPlainASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let control = word &- ones &* 0x20
        let quote = (word ^ (ones &* 0x22)) &- ones
        let backslash = (word ^ (ones &* 0x5C)) &- ones
        return (word | control | quote | backslash) & highBits == 0
    }

    /// Reads the escape whose backslash is at the cursor. `\u` escapes must name Unicode scalars: a high
    /// surrogate must be followed by an escaped low one, and a low one may not stand alone.
    private mutating func scanEscape() throws(MalformedKind) {
        guard count - position >= 2 else { throw .invalidJSON }
        switch bytes[position + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            position += 2
        case 0x75:
            let unit = try hexQuad(at: position + 2)
            position += 6
            switch unit {
            case 0xD800...0xDBFF:
                guard count - position >= 6, bytes[position] == 0x5C, bytes[position + 1] == 0x75,
                    (0xDC00...0xDFFF).contains(try hexQuad(at: position + 2))
                else { throw .invalidJSON }
                position += 6
            case 0xDC00...0xDFFF:
                throw .invalidJSON
            default:
                break
            }
        default:
            throw .invalidJSON
        }
    }

    private func hexQuad(at index: Int) throws(MalformedKind) -> UInt32 {
        guard count - index >= 4 else { throw .invalidJSON }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = JSONStringDecoding.hexValue(bytes[index + offset]) else { throw .invalidJSON }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: Numbers

    /// Reads a number whose first byte (`-` or a digit) is at the cursor. A leading zero ends the integer
    /// part, so in `01` the `1` is left for the caller, which rejects it.
    mutating func scanNumber() throws(MalformedKind) -> NumberLiteral {
        var isNegative = false
        if current == 0x2D {
            isNegative = true
            position += 1
        }
        var magnitude: UInt64? = 0
        switch current {
        case 0x30:
            position += 1
        case 0x31...0x39:
            while position < count, (0x30...0x39).contains(bytes[position]) {
                let digit = UInt64(bytes[position] &- 0x30)
                if let sofar = magnitude {
                    let (product, overflow) = sofar.multipliedReportingOverflow(by: 10)
                    let (sum, carry) = product.addingReportingOverflow(digit)
                    magnitude = overflow || carry ? nil : sum
                }
                position += 1
            }
        default:
            throw .invalidJSON
        }
        var isInteger = true
        if current == 0x2E {
            isInteger = false
            position += 1
            try scanDigits()
        }
        if current == 0x65 || current == 0x45 {
            isInteger = false
            position += 1
            if current == 0x2B || current == 0x2D { position += 1 }
            try scanDigits()
        }
        return isInteger ? .integer(isNegative: isNegative, magnitude: magnitude) : .fractional
    }

    private mutating func scanDigits() throws(MalformedKind) {
        guard (0x30...0x39).contains(current) else { throw .invalidJSON }
        repeat { position += 1 } while (0x30...0x39).contains(current)
    }

    // MARK: Any value

    /// Reads and validates any JSON value at the cursor. `depth` counts the arrays and objects around it.
    mutating func skipValue(depth: Int) throws(MalformedKind) {
        switch current {
        case 0x22: _ = try scanString()
        case 0x7B: try skipObject(depth: depth + 1)
        case 0x5B: try skipArray(depth: depth + 1)
        case 0x2D, 0x30...0x39: _ = try scanNumber()
        case 0x74: try consumeWord("true")
        case 0x66: try consumeWord("false")
        case 0x6E: try consumeWord("null")
        default: throw .invalidJSON
        }
    }

    private mutating func skipObject(depth: Int) throws(MalformedKind) {
        guard depth <= Self.maximumDepth else { throw .invalidJSON }
        position += 1
        skipWhitespace()
        if current == 0x7D {
            position += 1
            return
        }
        while true {
            guard current == 0x22 else { throw .invalidJSON }
            _ = try scanString()
            skipWhitespace()
            try consume(0x3A)
            skipWhitespace()
            try skipValue(depth: depth)
            skipWhitespace()
            guard current == 0x2C else { return try consume(0x7D) }
            position += 1
            skipWhitespace()
        }
    }

    private mutating func skipArray(depth: Int) throws(MalformedKind) {
        guard depth <= Self.maximumDepth else { throw .invalidJSON }
        position += 1
        skipWhitespace()
        if current == 0x5D {
            position += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            skipWhitespace()
            guard current == 0x2C else { return try consume(0x5D) }
            position += 1
            skipWhitespace()
        }
    }

    private mutating func consumeWord(_ word: StaticString) throws(MalformedKind) {
        let length = word.utf8CodeUnitCount
        guard count - position >= length else { throw .invalidJSON }
        // A counted loop: a `for ... where` over a range allocates in unoptimized builds.
        var offset = 0
        while offset < length {
            guard bytes[position + offset] == word.utf8Start[offset] else { throw .invalidJSON }
            offset += 1
        }
        position += length
    }
}
