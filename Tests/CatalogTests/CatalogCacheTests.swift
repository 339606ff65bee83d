import Foundation
import Testing
@testable import Catalog
import TestSupport

@Suite struct CatalogCacheTests {
    @Test func indexIsBuiltOnceAndRebuiltWhenTheCatalogChanges() throws {
        let cache = try CatalogFixtures.scratchDirectory()
        let first = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        #expect(first.rebuilt)
        #expect(first.path?.hasSuffix(CatalogIndex.fileName) == true)
        let second = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        #expect(!second.rebuilt)
        #expect(try second.search("arsenic minerals").first?.record.id == "arsenic-minerals")

        let directory = try CatalogFixtures.catalogCopy()
        try CatalogFixtures.record(id: "new-library", name: "Brand new XAS library", techniques: ["XANES"])
            .write(to: directory.appendingPathComponent("new-library.yaml"), atomically: true, encoding: .utf8)
        let changed = try CatalogIndex(files: try CatalogFiles.directory(directory), cacheDirectory: cache)
        #expect(changed.rebuilt)
        #expect(try changed.search("brand new").first?.record.id == "new-library")
    }

    @Test func corruptCacheFileIsRebuiltNotFatal() throws {
        let cache = try CatalogFixtures.scratchDirectory()
        let file = cache.appendingPathComponent(CatalogIndex.fileName)
        try Data(repeating: 0xAB, count: 8192).write(to: file)
        let index = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        #expect(index.rebuilt)
        #expect(index.path != nil)
        #expect(try index.search("arsenic minerals").first?.record.id == "arsenic-minerals")
    }

    @Test func truncatedSQLiteCacheIsRebuilt() throws {
        let cache = try CatalogFixtures.scratchDirectory()
        _ = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        let file = cache.appendingPathComponent(CatalogIndex.fileName)
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 3).write(to: file)
        let index = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        #expect(try index.search("opXRD").first?.record.id == "opxrd")
    }

    /// An index written before the head full-text table existed (the first release's schema, with
    /// the same catalog fingerprint) is migrated on open: harvested records stay searchable offline.
    @Test func indexFromAnOlderReleaseIsMigratedKeepingHarvestedRecords() throws {
        let cache = try CatalogFixtures.scratchDirectory()
        do {
            let index = try CatalogIndex(files: .embedded, cacheDirectory: cache)
            try index.upsertDatasets([IndexedDataset(id: "zenodo:7", source: "zenodo", title: "Scorodite As K-edge XANES",
                                                     techniques: ["XANES"], elements: ["As"])])
            try index.database.write { db in try db.execute(sql: "DROP TABLE datasets_head_fts") }
        }
        let reopened = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        #expect(!reopened.rebuilt)
        #expect(try reopened.searchDatasets("scorodite").map(\.dataset.id) == ["zenodo:7"])
        #expect(try reopened.searchDatasets("As").map(\.dataset.id) == ["zenodo:7"])
        // A catalog change rebuilds the catalog tables and migrates the same way.
        let directory = try CatalogFixtures.catalogCopy()
        try CatalogFixtures.record(id: "new-library", name: "Brand new XAS library", techniques: ["XANES"])
            .write(to: directory.appendingPathComponent("new-library.yaml"), atomically: true, encoding: .utf8)
        try reopened.database.write { db in try db.execute(sql: "DROP TABLE datasets_head_fts") }
        let changed = try CatalogIndex(files: try CatalogFiles.directory(directory), cacheDirectory: cache)
        #expect(changed.rebuilt)
        #expect(try changed.searchDatasets("scorodite").map(\.dataset.id) == ["zenodo:7"])
    }

    @Test func unwritableCacheFallsBackToMemory() throws {
        // A regular file where the cache directory should be: it cannot be created.
        let blocker = try CatalogFixtures.scratchDirectory().appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let index = try CatalogIndex(files: .embedded, cacheDirectory: blocker.appendingPathComponent("roentgen"))
        #expect(index.path == nil)
        #expect(try index.search("arsenic minerals").first?.record.id == "arsenic-minerals")
    }

    @Test func cliUsesXDGCacheHomeAndSurvivesACorruptCache() async throws {
        let xdg = try CatalogFixtures.scratchDirectory()
        let run1 = try await RoentgenCLI.run(["sources", "arsenic minerals", "--json"], environment: ["XDG_CACHE_HOME": xdg.path])
        #expect(run1.status == 0)
        let file = xdg.appendingPathComponent("roentgen/\(CatalogIndex.fileName)")
        #expect(FileManager.default.fileExists(atPath: file.path))
        try Data("garbage, not SQLite".utf8).write(to: file)
        let run2 = try await RoentgenCLI.run(["sources", "arsenic minerals", "--json"], environment: ["XDG_CACHE_HOME": xdg.path])
        #expect(run2.status == 0)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(run2.stdout.utf8)) as? [[String: Any]])
        #expect(records.first?["id"] as? String == "arsenic-minerals")
        #expect(records.first?["name"] != nil)
    }
}

@Suite struct DatasetIndexTests {
    @Test func upsertSearchAndReplace() throws {
        let index = try CatalogIndex(files: .embedded, cacheDirectory: nil)
        try index.upsertDatasets([
            IndexedDataset(id: "zenodo:1", source: "zenodo", title: "As K-edge XANES of scorodite",
                           doi: "10.5281/zenodo.1", techniques: ["XANES"], elements: ["As", "Fe"]),
            IndexedDataset(id: "zenodo:2", source: "zenodo", title: "Powder XRD of calcite", techniques: ["XRD"]),
        ])
        #expect(try index.datasetCount() == 2)
        #expect(try index.searchDatasets("scorodite XANES").map(\.dataset.id) == ["zenodo:1"])
        #expect(try index.searchDatasets("calcite").first?.dataset.id == "zenodo:2")
        // Replacing a record keeps one copy and updates its text.
        try index.upsertDatasets([IndexedDataset(id: "zenodo:2", source: "zenodo", title: "Powder XRD of aragonite")])
        #expect(try index.datasetCount() == 2)
        #expect(try index.searchDatasets("calcite").isEmpty)
        #expect(try index.searchDatasets("aragonite").map(\.dataset.id) == ["zenodo:2"])
    }

    @Test func titleAndKeywordMatchesRankBeforeDescriptionMatches() throws {
        let index = try CatalogIndex(files: .embedded, cacheDirectory: nil)
        try index.upsertDatasets([
            IndexedDataset(id: "a", source: "zenodo", title: "Beamline commissioning data",
                           description: "includes hematite XANES among many other spectra of reference oxides"),
            IndexedDataset(id: "b", source: "zenodo", title: "Hematite XANES at the Fe K edge"),
            IndexedDataset(id: "c", source: "nomad", title: "Iron oxide series", keywords: ["hematite", "XANES"]),
        ])
        let hits = try index.searchDatasets("hematite xanes", limit: 10)
        #expect(hits.count == 3)
        #expect(Set(hits.prefix(2).map(\.dataset.id)) == ["b", "c"])
        #expect(hits.last?.dataset.id == "a")
        #expect(hits[0].score > hits[2].score)
        #expect(try index.searchDatasets("hematite xanes", limit: 1).count == 1)
        #expect(try index.searchDatasets("hematite", source: "nomad").map(\.dataset.id) == ["c"])
        #expect(hits.last?.dataset.description.contains("reference oxides") == true)
    }

    @Test func datasetsSurviveACatalogRebuild() throws {
        let cache = try CatalogFixtures.scratchDirectory()
        let index = try CatalogIndex(files: .embedded, cacheDirectory: cache)
        try index.upsertDatasets([IndexedDataset(id: "x:1", source: "nomad", title: "GIWAXS of perovskite films")])
        let directory = try CatalogFixtures.catalogCopy()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("egi.yaml"))
        let rebuilt = try CatalogIndex(files: try CatalogFiles.directory(directory), cacheDirectory: cache)
        #expect(rebuilt.rebuilt)
        #expect(try rebuilt.searchDatasets("perovskite").count == 1)
    }
}
