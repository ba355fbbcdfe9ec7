import ArgumentParser
import Foundation
import Report

/// `windtunnel report`: renders report.md, report.html and junit.xml again from a results folder's
/// `validation.json` (named so because `Report` is the module that renders them).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render report.md, report.html and junit.xml again from a results folder's validation.json.",
        discussion: "Exit codes: 0 the validation passed, 1 it failed, 2 the folder holds no readable validation.json."
    )

    @Argument(help: "A results folder holding validation.json.")
    var folder: String

    func run() throws {
        let path = URL(fileURLWithPath: folder).appendingPathComponent(ReportFiles.json).path
        guard FileManager.default.fileExists(atPath: path) else { throw fail("\(path) does not exist", exitCode: 2) }
        let document: ValidationDocument
        do {
            document = try ReportFiles.read(folder: folder)
        } catch let error as DecodingError {
            throw fail("\(path) is not a validation.json this build reads: \(Self.describe(error))", exitCode: 2)
        } catch {
            throw fail("\(path) cannot be read: \(error.localizedDescription)", exitCode: 2)
        }
        do {
            try ReportFiles.renderings(document, to: folder)
        } catch {
            throw fail("could not write the reports into \(folder): \(error.localizedDescription)", exitCode: 2)
        }
        print(ReportFiles.summary(document, folder: folder))
        if document.result.verdict == .fail { throw ExitCode(1) }
    }

    /// A decoding error in one line, naming the key path.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
