import ArgumentParser
import Foundation

/// Checks of paths given on the command line, made before any work starts, so that a results folder that is
/// a file is said in one line at once, not after a whole run (and not in Foundation's error-domain words).
enum PathOption {
    /// `path` must be a folder, or not exist yet (it is made, with its parents).
    static func checkFolder(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw ValidationError("\(option) \(path): is a file; give a folder (it is made if missing)") }
            return
        }
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: parent.path, isDirectory: &isFolder) { parent.deleteLastPathComponent() }
        guard isFolder.boolValue else { throw ValidationError("\(option) \(path): \(parent.path) is a file, so no folder can be made there") }
    }

    /// `path` must be a file, or not exist yet in a folder that does.
    static func checkFile(_ path: String, option: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else { throw ValidationError("\(option) \(path): is a folder; give a file's path") }
            return
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("\(option) \(path): the folder \(parent) does not exist")
        }
    }
}
