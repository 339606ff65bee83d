import Foundation
@testable import Catalog
import TestSupport

/// Helpers for catalog tests: the repository's catalog directory and scratch folders.
enum CatalogFixtures {
    /// The repository's `catalog/` folder.
    static var repositoryCatalog: URL { SharedData.projectRoot.appendingPathComponent("catalog") }

    /// A fresh, empty temporary directory.
    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of the repository's catalog in a scratch directory, to break on purpose.
    static func catalogCopy() throws -> URL {
        let directory = try scratchDirectory().appendingPathComponent("catalog")
        try FileManager.default.copyItem(at: repositoryCatalog, to: directory)
        return directory
    }

    /// A minimal valid record; `techniques` as YAML list items.
    static func record(id: String, name: String, techniques: [String], description: String = "A test source.") -> String {
        """
        id: \(id)
        name: \(name)
        kind: reference-library
        section: xas-reference-libraries
        description: \(description)
        homepage: https://example.org/\(id)
        techniques: [\(techniques.joined(separator: ", "))]
        api: {kind: none}
        identifiers: {policy: none}
        license: {name: CC-BY-4.0, redistribution: "yes"}
        access: [anonymous-http]
        formats: [XDI]
        last_verified: 2026-11-25
        library_recipe: roentgen xas library refs/ -o refs.rxanes
        """
    }
}
