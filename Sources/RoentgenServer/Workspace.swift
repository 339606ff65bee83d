import Foundation
import XrayCore

/// The folder whose files the server may read (`--root`). Paths come from clients relative to it;
/// anything that would leave it is refused: absolute paths, `..` components (also when sent
/// percent-encoded, since they arrive decoded), NUL bytes, and symbolic links whose target lies
/// outside the root.
public struct Workspace: Sendable {
    /// The root, with symbolic links resolved.
    public let root: URL

    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RoentgenError(.io, "the workspace root is not a folder", file: root.path)
        }
        self.root = root.resolvingSymlinksInPath().standardizedFileURL
    }

    /// A client path refused for leaving the root.
    public struct Refused: Error, Sendable { public var message: String }

    /// `relative` checked to stay inside the root, returned as a path relative to it ("" or "." is the root itself).
    /// Throws `Refused` for a path that leaves the root and `RoentgenError(.notFound)` for a missing one.
    public func resolve(_ relative: String) throws -> String {
        if relative.contains("\0") { throw Refused(message: "a path may not contain NUL bytes") }
        if relative.hasPrefix("/") || relative.hasPrefix("~") || relative.hasPrefix("\\") {
            throw Refused(message: "absolute paths are refused: give a path relative to the workspace root")
        }
        let components = relative.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains(where: { $0 == ".." }) {
            throw Refused(message: "'..' is refused: paths stay inside the workspace root")
        }
        let cleaned = components.filter { $0 != "." }.joined(separator: "/")
        let url = cleaned.isEmpty ? root : root.appendingPathComponent(cleaned)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw RoentgenError(.notFound, "no such file or folder in the workspace", file: cleaned)
        }
        // Symbolic links anywhere on the way must end inside the root.
        let real = url.resolvingSymlinksInPath().standardizedFileURL.path
        guard real == root.path || real.hasPrefix(root.path.hasSuffix("/") ? root.path : root.path + "/") else {
            throw Refused(message: "'\(cleaned)' is a symbolic link leading out of the workspace root")
        }
        return cleaned.isEmpty ? "." : cleaned
    }

    /// A file an operation is about to read because a request's file named it (a refinement or
    /// fit file's data, structures, paths): `path` is absolute or relative to the root (the server's
    /// current folder) and must lie inside the root, symbolic links resolved. Throws `Refused` otherwise.
    public func checkInput(_ path: String) throws {
        let absolute = URL(fileURLWithPath: path.hasPrefix("/") ? path : root.path + "/" + path).standardizedFileURL.path
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        guard absolute.hasPrefix(prefix) else {
            throw Refused(message: "'\(path)' lies outside the workspace root: files named in a fit or refinement file must be inside it too")
        }
        _ = try resolve(String(absolute.dropFirst(prefix.count)))
    }

    /// `FILE[:GROUP]` with FILE resolved (the colon splits only when the whole text is no file).
    public func resolveWithGroup(_ spec: String) throws -> String {
        if (try? resolve(spec)) != nil { return try resolve(spec) }
        guard let i = spec.lastIndex(of: ":") else { return try resolve(spec) }
        return try resolve(String(spec[..<i])) + spec[i...]
    }

    /// `relative` resolved; a folder is also checked entry by entry (an operation reads every file in
    /// it), so a symbolic link inside it that leads out of the root refuses the whole request.
    public func resolveFolderOrFile(_ relative: String) throws -> String {
        let resolved = try resolve(relative)
        guard isFolder(resolved) else { return resolved }
        let folder = resolved == "." ? root : root.appendingPathComponent(resolved)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") {
            _ = try resolve(resolved == "." ? name : resolved + "/" + name)
        }
        return resolved
    }

    /// Whether `relative` (already resolved) is a folder.
    public func isFolder(_ relative: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.appendingPathComponent(relative).path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// A new or existing folder for writing (fetched files), created inside the root.
    public func writableFolder(_ relative: String) throws -> URL {
        if relative.hasPrefix("/") || relative.split(separator: "/").contains(where: { $0 == ".." }) || relative.contains("\0") {
            throw Refused(message: "the destination must be a folder inside the workspace root")
        }
        let url = root.appendingPathComponent(relative, isDirectory: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            // Create it only after checking that its existing parent lies inside the root.
            var parent = url.deletingLastPathComponent()
            while !FileManager.default.fileExists(atPath: parent.path) { parent.deleteLastPathComponent() }
            let real = parent.resolvingSymlinksInPath().standardizedFileURL.path
            guard real == root.path || real.hasPrefix(root.path + "/") else { throw Refused(message: "the destination leads out of the workspace root") }
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        _ = try resolve(relative)
        return url
    }

    /// A file the API was asked to write over, without `overwrite: true` (409).
    public struct Exists: Error, Sendable { public var path: String }

    /// A file to write (a calibrated PONI, a mask, a pattern): its folder inside the root (created if missing), the
    /// file itself new, or, with `replacing`, an existing file inside the root (not a symbolic link out; an existing
    /// file without `replacing` throws `Exists`: the app does not overwrite data unasked). Returns the path relative to the root.
    public func writableFile(_ relative: String, replacing: Bool) throws -> String {
        let components = relative.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard let name = components.last, !relative.hasSuffix("/") else { throw Refused(message: "the destination must name a file inside the workspace root") }
        let folder = components.dropLast().joined(separator: "/")
        let url = try writableFolder(folder.isEmpty ? "." : folder).appendingPathComponent(String(name))
        let path = folder.isEmpty ? String(name) : folder + "/" + name
        if FileManager.default.fileExists(atPath: url.path) || (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil {
            let resolved = try resolve(path)
            guard !isFolder(resolved) else { throw Refused(message: "'\(resolved)' is a folder, not a file to write") }
            guard replacing else { throw Exists(path: resolved) }
        }
        return path
    }
}
