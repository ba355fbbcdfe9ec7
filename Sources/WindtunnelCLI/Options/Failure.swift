import ArgumentParser
import Foundation

/// Prints a one-line error to standard error and gives the exit code for it: the way every command ends
/// when the world (a broker, a file) is not as it should be, as opposed to a usage error.
func fail(_ message: String, exitCode: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("windtunnel: error: \(message)\n".utf8))
    return ExitCode(exitCode)
}

/// Prints a line to standard error (progress and notes, so that standard output stays machine-readable).
func note(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
