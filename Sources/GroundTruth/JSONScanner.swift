/// Why a JSON text was refused: what was wrong and the byte offset where reading stopped.
struct JSONFault: Error, Sendable {
    /// What is wrong, in a few words.
    let reason: String
    /// Offset of the offending byte from the start of the text.
    let offset: Int
}

/// What a JSON number turned out to be.
enum JSONNumber {
    /// An integer that fits in 64 bits.
    case integer(Int64)
    /// A valid number with a fraction, an exponent, or too many digits for 64 bits.
    case other
}

/// A strict reader of JSON (RFC 8259) over bytes that are already known to be UTF-8.
///
/// It is written for the validator alone, so that a parsing quirk shared with a detector cannot hide a bug
/// in it, and it allocates nothing: strings without escapes are handed out as ranges of the input, others
/// are unescaped into buffers the caller owns and reuses.
struct JSONScanner {
    /// Nesting deeper than this is refused rather than risking the stack on hostile input.
    static let maximumDepth = 64

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { index >= bytes.count }

    /// The next byte that is not JSON whitespace, without consuming it; nil at the end.
    mutating func peekSignificant() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    func fault(_ reason: String) -> JSONFault {
        JSONFault(reason: index < bytes.count ? reason : "\(reason) (the text ends early)", offset: index)
    }

    /// Consumes `byte` after optional whitespace.
    mutating func expect(_ byte: UInt8, _ reason: String) throws(JSONFault) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw fault(reason) }
        index += 1
    }

    /// After an object member or array element: true when another one follows (a comma was read), false
    /// when the container closed with `closer`.
    mutating func continues(closer: UInt8) throws(JSONFault) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw fault("expected ',' or a closing bracket") }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return true
        case closer:
            index += 1
            return false
        default:
            throw fault("expected ',' or a closing bracket")
        }
    }

    /// Reads a string starting at the next significant byte, checking it fully, and returns where its raw
    /// bytes lie between the quotes. When `escaped` is false those bytes are the string's value and need no
    /// copy, which is the common case; otherwise `unescape(_:into:)` gives the value.
    mutating func scanString() throws(JSONFault) -> (range: Range<Int>, escaped: Bool) {
        try expect(UInt8(ascii: "\""), "expected a string")
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return (start..<index - 1, escaped)
            }
            if byte < 0x20 { throw fault("control character inside a string") }
            index += 1
            if byte == UInt8(ascii: "\\") {
                escaped = true
                try skipEscape()
            }
        }
        throw fault("unterminated string")
    }

    /// Reads a string and replaces `output` with its unescaped UTF-8 bytes.
    mutating func readString(into output: inout [UInt8]) throws(JSONFault) {
        let (range, escaped) = try scanString()
        output.removeAll(keepingCapacity: true)
        if escaped {
            unescape(range, into: &output)
        } else {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        }
    }

    /// Appends the unescaped value of the raw string bytes at `range`, which `scanString()` has checked.
    func unescape(_ range: Range<Int>, into output: inout [UInt8]) {
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            let code = bytes[index]
            index += 1
            switch code {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(at: index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hexQuad(at: index + 2) - 0xDC00)
                    index += 6
                }
                appendUTF8(scalar, to: &output)
            default: output.append(code)  // '"', '\\' and '/' stand for themselves
            }
        }
    }

    /// Checks one escape after its backslash and moves past it.
    private mutating func skipEscape() throws(JSONFault) {
        guard index < bytes.count else { throw fault("unterminated escape") }
        switch bytes[index] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            index += 1
            let scalar = try readHexQuad()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw fault("unpaired surrogate in \\u escape") }
                index += 2
                guard (0xDC00...0xDFFF).contains(try readHexQuad()) else { throw fault("unpaired surrogate in \\u escape") }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fault("unpaired surrogate in \\u escape")
            }
        default:
            throw fault("unknown escape")
        }
    }

    /// The value of four hex digits that `readHexQuad()` has already checked.
    private func hexQuad(at start: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes[start..<start + 4] {
            let digit: UInt8 =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                default: byte - UInt8(ascii: "A") + 10
                }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func readHexQuad() throws(JSONFault) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fault("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fault("bad hex digit in \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Reads a number by the JSON grammar and says whether it is a 64-bit integer.
    mutating func readNumber() throws(JSONFault) -> JSONNumber {
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fault("expected a digit") }
        var magnitude: UInt64 = 0
        var fits = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fault("leading zero in a number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                let (product, overflowA) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflowB) = product.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                if overflowA || overflowB { fits = false }
                magnitude = sum
                index += 1
            }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fault("expected a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fault("expected a digit in the exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        guard integral, fits else { return .other }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return .other }
            return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return .other }
        return .integer(Int64(magnitude))
    }

    /// Reads and checks one value of any kind, keeping nothing.
    mutating func skipValue(depth: Int = 0) throws(JSONFault) {
        guard depth < Self.maximumDepth else { throw fault("nesting deeper than \(Self.maximumDepth) levels") }
        guard let first = peekSignificant() else { throw fault("expected a value") }
        switch first {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            index += 1
            if peekSignificant() == UInt8(ascii: "}") {
                index += 1
                return
            }
            repeat {
                _ = try scanString()
                try expect(UInt8(ascii: ":"), "expected ':' after a key")
                try skipValue(depth: depth + 1)
            } while try continues(closer: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            index += 1
            if peekSignificant() == UInt8(ascii: "]") {
                index += 1
                return
            }
            repeat {
                try skipValue(depth: depth + 1)
            } while try continues(closer: UInt8(ascii: "]"))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try readNumber()
        case UInt8(ascii: "t"): try readLiteral("true")
        case UInt8(ascii: "f"): try readLiteral("false")
        case UInt8(ascii: "n"): try readLiteral("null")
        default:
            throw fault("expected a value")
        }
    }

    private mutating func readLiteral(_ word: StaticString) throws(JSONFault) {
        let length = word.utf8CodeUnitCount
        guard index + length <= bytes.count else { throw fault("unknown literal") }
        let pointer = word.utf8Start
        for offset in 0..<length where bytes[index + offset] != pointer[offset] {
            throw fault("unknown literal")
        }
        index += length
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
