/// Kafka's rule for topic names (`org.apache.kafka.common.internals.Topic.validate`): 1 to 249 characters
/// from `a-z A-Z 0-9 . _ -`, and neither `.` nor `..`. A broker that accepts more (Tansu creates a topic of
/// any name) would let a typo through that every real cluster refuses.
public enum TopicName {
    /// The longest name Kafka accepts.
    public static let longest = 249

    /// Why `name` is no topic name, or nil when it is one.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a topic name cannot be empty" }
        if name == "." || name == ".." { return "a topic name cannot be '.' or '..'" }
        if name.utf8.count > longest { return "a topic name is at most \(longest) characters, not \(name.utf8.count)" }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        return allowed ? nil : "a topic name holds only letters, digits, '.', '_' and '-'"
    }
}
