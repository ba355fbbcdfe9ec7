/// Identifiers as findings show them: a user id longer than `longest` characters (an alert that carried a
/// whole log line, or worse, in its user field) is cut, with a note of its full length, so that one absurd
/// record cannot copy megabytes into every report file.
enum ShownIdentifier {
    /// Characters kept of an identifier.
    static let longest = 120

    static func shown(_ identifier: String) -> String {
        guard identifier.count > longest else { return identifier }
        return "\(identifier.prefix(longest))... (cut: \(identifier.count) characters in all)"
    }
}
