import Foundation
import XrayCore

/// The files a command's arguments name: a folder stands for the files in it (not recursive,
/// hidden files and sub-folders left out, in name order); anything else is kept as given, so a
/// missing file is reported by the reader with its path.
enum InputFiles {
    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func expand(_ arguments: [String]) throws -> [String] {
        var out: [String] = []
        for argument in arguments {
            guard isFolder(argument) else { out.append(argument); continue }
            let folder = URL(fileURLWithPath: argument, isDirectory: true)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let files = names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0).path }.filter { !isFolder($0) }
            guard !files.isEmpty else { throw RoentgenError(.io, "folder holds no files to read", file: argument) }
            out += files
        }
        return out
    }

    /// An error about one of several files, for stderr: a `RoentgenError` names its file (and
    /// line) itself; anything else gets the path in front.
    static func describe(_ error: Error, for what: String) -> String {
        (error as? RoentgenError).flatMap { $0.file != nil ? "\($0)" : nil } ?? "\(what): \(error)"
    }
}

/// The bytes of a file memory-mapped (pages are read when touched): how reference libraries are opened.
func mappedFile(_ path: String) throws -> Data {
    do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
        throw RoentgenError(.io, "cannot read: \(error.localizedDescription)", file: path)
    }
}
