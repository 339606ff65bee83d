import Foundation
import XrayCore

/// The record files of a catalog: the one embedded in the binary (built from `catalog/` by the
/// EmbedCatalog plugin) or a directory given by the user (`--catalog DIR`).
public struct CatalogFiles: Sendable {
    /// File name (`panosc.yaml`) and YAML text of each record, sorted by name.
    public var files: [(name: String, text: String)]
    /// Where the files came from, for messages (`embedded` or a path).
    public var origin: String

    public init(files: [(name: String, text: String)], origin: String) {
        self.files = files.sorted { $0.name < $1.name }
        self.origin = origin
    }

    /// The catalog compiled into this binary from the repository's `catalog/` folder.
    public static var embedded: CatalogFiles {
        CatalogFiles(files: EmbeddedCatalogData.files.map { (name: $0.0, text: $0.1) }, origin: "embedded catalog")
    }

    /// Every `*.yaml` / `*.yml` / `*.json` file in `directory`.
    public static func directory(_ directory: URL) throws -> CatalogFiles {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RoentgenError(.io, "catalog directory not found", file: directory.path)
        }
        let names = try manager.contentsOfDirectory(atPath: directory.path)
            .filter { ["yaml", "yml", "json"].contains(($0 as NSString).pathExtension.lowercased()) }
        var files: [(name: String, text: String)] = []
        for name in names {
            let path = directory.appendingPathComponent(name).path
            guard let data = manager.contents(atPath: path) else {
                throw RoentgenError(.io, "cannot read catalog record", file: path)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw RoentgenError(.invalidRecord, "not UTF-8 text", file: path)
            }
            files.append((name: name, text: text))
        }
        // A folder with no record is a wrong --catalog, not an empty catalog that is "all valid".
        guard !files.isEmpty else {
            throw RoentgenError(.notFound, "no catalog records (*.yaml, *.yml, *.json) in the folder", file: directory.path)
        }
        return CatalogFiles(files: files, origin: directory.path)
    }

    /// SHA-256 over every file's name and text: changes whenever the catalog does.
    public var fingerprint: String {
        var hasher = SHA256()
        for file in files {
            hasher.update(Data(file.name.utf8))
            hasher.update([0])
            hasher.update(Data(file.text.utf8))
            hasher.update([0])
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The path used in messages for one file.
    public func path(of name: String) -> String {
        origin == "embedded catalog" ? "catalog/\(name)" : (origin as NSString).appendingPathComponent(name)
    }
}
