import Foundation

/// Whole input files read as UTF-8 text, with errors that name the file.
enum TextFile {
    /// The text of `path`; `what` names the file's role in messages ("alert file", "batch log").
    static func read(_ path: String, what: String) throws(ValidatorError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ValidatorError("\(what) \(path) does not exist")
        }
        guard !isFolder.boolValue else { throw ValidatorError("\(what) \(path) is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidatorError("\(what) \(path) cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ValidatorError("\(what) \(path) is not UTF-8 text") }
        return text
    }
}
