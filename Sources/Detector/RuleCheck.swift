import Contracts

/// Why `RuleSettings` cannot drive a detector.
public struct RuleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, in a sentence that names the setting.
    public let reason: String

    public var description: String { "invalid detector rule: \(reason)" }
}

extension RuleSettings {
    /// The longest window and watermark delay accepted: 2^40 ms, about 34 years. With event times bounded by
    /// `EventScanner.timestampLimit`, this keeps every window bound and watermark free of overflow.
    static let longestDurationMs: Int64 = 1 << 40

    /// Throws when a setting is out of range.
    func check() throws(RuleError) {
        guard (1...Self.longestDurationMs).contains(windowMs) else {
            throw RuleError(reason: "the window must be between 1 ms and \(Self.longestDurationMs) ms, not \(windowMs) ms")
        }
        guard (0...Self.longestDurationMs).contains(watermarkDelayMs) else {
            throw RuleError(
                reason: "the watermark delay must be between 0 ms and \(Self.longestDurationMs) ms, not \(watermarkDelayMs) ms")
        }
        guard threshold >= 0 else { throw RuleError(reason: "the threshold must not be negative, not \(threshold)") }
        guard !term.isEmpty else { throw RuleError(reason: "the term is empty, so every event of the severities would match") }
    }
}
