/// Why a replay tally could not be set up: a rule setting, the readability model or the batch log is
/// unusable. The message names the input and what is wrong with it.
public struct SetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, as a sentence a user can act on.
    public let message: String

    public var description: String { message }

    init(_ message: String) {
        self.message = message
    }
}
