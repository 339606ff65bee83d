import Foundation
import Testing
@testable import Catalog
import TestSupport

@Suite struct CatalogLintTests {
    @Test func repositoryCatalogIsValid() throws {
        let files = try CatalogFiles.directory(CatalogFixtures.repositoryCatalog)
        let issues = CatalogLint.lint(files)
        #expect(issues.isEmpty, "\(issues.map(\.description).joined(separator: "\n"))")
        #expect(files.files.count >= 30)
    }

    @Test func embeddedCatalogIsTheRepositoryCatalog() throws {
        let onDisk = try CatalogFiles.directory(CatalogFixtures.repositoryCatalog)
        #expect(CatalogFiles.embedded.fingerprint == onDisk.fingerprint)
    }

    @Test func everySeedSourceHasARecord() throws {
        let ids = Set(try CatalogLoader.load(.embedded).map(\.id))
        let seed = ["panosc", "esrf-icat", "cls-frdr", "mdf", "mdf-srtio3-hedm", "refxas", "cls-xasdb",
                    "ssrl-xafs-library", "ixas-xaslib", "lytle-archive", "arsenic-minerals", "molybdenum-minerals",
                    "opxrd", "materials-cloud-archive", "nomad", "esrf", "ceric-eric", "eli-eric", "ess", "egi",
                    "european-xfel", "ill", "desy", "psi", "hzdr", "diamond", "elettra", "zenodo", "datacite",
                    "scicat", "nims-mdr", "cod"]
        #expect(Set(seed).subtracting(ids).isEmpty, "missing: \(Set(seed).subtracting(ids).sorted())")
    }

    @Test func brokenRecordIsNamedWithFileAndField() throws {
        let directory = try CatalogFixtures.catalogCopy()
        let path = directory.appendingPathComponent("opxrd.yaml")
        var text = try String(contentsOf: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "  redistribution: per-dataset\n", with: "")
        text = text.replacingOccurrences(of: "  - x-ray diffraction\n", with: "  - x-ray telepathy\n")
        text = text.replacingOccurrences(of: "homepage: https://xrd.aimat.science", with: "homepage: not a url")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let issues = CatalogLint.lint(try CatalogFiles.directory(directory))
        #expect(issues.allSatisfy { $0.file.hasSuffix("opxrd.yaml") })
        let fields = Set(issues.map(\.field))
        #expect(fields.contains("license.redistribution"))
        #expect(fields.contains("techniques[1]"))
        #expect(fields.contains("homepage"))
        let homepage = try #require(issues.first { $0.field == "homepage" })
        #expect(homepage.line == text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("homepage:") }.map { $0 + 1 })
    }

    @Test func duplicateIdsUnknownFieldsAndMissingPIDPolicy() throws {
        let directory = try CatalogFixtures.scratchDirectory()
        try CatalogFixtures.record(id: "one", name: "One", techniques: ["XAS"])
            .write(to: directory.appendingPathComponent("one.yaml"), atomically: true, encoding: .utf8)
        try CatalogFixtures.record(id: "one", name: "Copy", techniques: ["XAS"])
            .write(to: directory.appendingPathComponent("two.yaml"), atomically: true, encoding: .utf8)
        let noPolicy = CatalogFixtures.record(id: "three", name: "Three", techniques: ["EXAFS"])
            .replacingOccurrences(of: "identifiers: {policy: none}", with: "identifiers: {dois: [\"10.5281/zenodo.1\"]}")
            .replacingOccurrences(of: "kind: reference-library", with: "kind: dataset\nlicence: typo")
        try noPolicy.write(to: directory.appendingPathComponent("three.yaml"), atomically: true, encoding: .utf8)
        let issues = CatalogLint.lint(try CatalogFiles.directory(directory))
        #expect(issues.contains { $0.file.hasSuffix("two.yaml") && $0.message.contains("duplicate id 'one'") })
        #expect(issues.contains { $0.file.hasSuffix("three.yaml") && $0.field == "identifiers.policy" })
        #expect(issues.contains { $0.file.hasSuffix("three.yaml") && $0.field == "licence" })
        #expect(!issues.contains { $0.file.hasSuffix("one.yaml") })
    }

    @Test func datasetWithoutPersistentIdentifierIsRejected() throws {
        let directory = try CatalogFixtures.scratchDirectory()
        let text = CatalogFixtures.record(id: "bare", name: "Bare", techniques: ["XRD"])
            .replacingOccurrences(of: "kind: reference-library", with: "kind: dataset")
        try text.write(to: directory.appendingPathComponent("bare.yaml"), atomically: true, encoding: .utf8)
        let issues = CatalogLint.lint(try CatalogFiles.directory(directory))
        #expect(issues.map(\.field) == ["identifiers"])
    }

    @Test func invalidYAMLIsReportedNotThrown() throws {
        let directory = try CatalogFixtures.scratchDirectory()
        try "id: [unclosed\nname: x\n".write(to: directory.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let issues = CatalogLint.lint(try CatalogFiles.directory(directory))
        #expect(issues.count == 1)
        #expect(issues.first?.message.hasPrefix("not valid YAML") == true)
    }

    @Test func lintCommandExitsNonZeroNamingTheFile() async throws {
        let directory = try CatalogFixtures.catalogCopy()
        let path = directory.appendingPathComponent("refxas.yaml")
        let text = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(of: "kind: reference-library", with: "kind: library")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let bad = try await RoentgenCLI.run(["catalog", "lint", "--catalog", directory.path])
        #expect(bad.status != 0)
        let kindLine = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("kind:") }! + 1
        #expect(bad.stderr.contains("refxas.yaml:\(kindLine): kind: 'library' is not one of"))
        let good = try await RoentgenCLI.run(["catalog", "lint"])
        #expect(good.status == 0)
        #expect(good.stdout.contains("all valid"))
        // A folder without records is a wrong --catalog (was "0 records …: all valid", exit 0), for search too.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-empty-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let kind = try await RoentgenCLI.run(["sources", "search", "arsenic", "--kind", "foo"])
        #expect(kind.status == 1 && kind.stderr.contains("--kind 'foo' is not a kind") && !kind.stderr.contains("Usage:"), "\(kind.stderr)")
        for args in [["catalog", "lint", "--catalog", empty.path], ["sources", "search", "arsenic", "--catalog", empty.path]] {
            let r = try await RoentgenCLI.run(args)
            #expect(r.status != 0 && r.stderr.contains("no catalog records") && r.stderr.contains(empty.lastPathComponent) && r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
    }
}
