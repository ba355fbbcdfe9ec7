/// Why a validation could not judge: an input (option, file, topic) is missing or unusable. The message
/// names the input and what is wrong with it, in one line; the command exits with code 2.
public struct ValidatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, as a sentence a user can act on.
    public let message: String

    public var description: String { message }

    public init(_ message: String) {
        self.message = message
    }
}
