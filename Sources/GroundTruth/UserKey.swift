/// A user as the validator keys it. `user_NNNN`, the generator's form, becomes a number so that keying an
/// event by user allocates nothing; any other spelling is kept as text.
public enum UserKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `user_` followed by this number written without leading zeros.
    case numbered(Int64)
    /// Any other user id, exactly as written.
    case named(String)

    /// The key for a user id given as text.
    public init(_ text: String) {
        var text = text
        self = text.withUTF8 { UserKey(utf8: $0) }
    }

    /// The key for a user id given as UTF-8 bytes.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        if let number = Self.numberedForm(bytes) {
            self = .numbered(number)
        } else {
            self = .named(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The number of `user_NNNN` when `bytes` is exactly that form with 1 to 18 digits and no leading zero
    /// (so that the number renders back to the same text and cannot overflow).
    private static func numberedForm(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let prefix: StaticString = "user_"
        let prefixLength = prefix.utf8CodeUnitCount
        let digits = bytes.count - prefixLength
        guard digits >= 1, digits <= 18 else { return nil }
        for offset in 0..<prefixLength where bytes[offset] != prefix.utf8Start[offset] {
            return nil
        }
        if digits > 1, bytes[prefixLength] == UInt8(ascii: "0") { return nil }
        var number: Int64 = 0
        for offset in prefixLength..<bytes.count {
            let byte = bytes[offset]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            number = number * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return number
    }

    /// The user id as text, as detectors print it.
    public var description: String {
        switch self {
        case .numbered(let number): "user_\(number)"
        case .named(let name): name
        }
    }

    public static func < (lhs: UserKey, rhs: UserKey) -> Bool {
        switch (lhs, rhs) {
        case (.numbered(let left), .numbered(let right)): left < right
        case (.numbered, .named): true
        case (.named, .numbered): false
        case (.named(let left), .named(let right)): left < right
        }
    }
}

extension UserKey: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
