/// Why the embedded broker could not be started, found or stopped.
public struct BrokerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in one sentence a user can act on.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
