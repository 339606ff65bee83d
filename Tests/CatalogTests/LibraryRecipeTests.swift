import Foundation
import Testing
@testable import Catalog
import TestSupport

/// Sources of reference spectra and structures say how to build a Roentgen library from them.
@Suite struct LibraryRecipeTests {
    @Test func referenceSourcesCarryARecipe() throws {
        let records = try CatalogLoader.load(.embedded)
        for id in ["refxas", "cls-xasdb", "ssrl-xafs-library", "ixas-xaslib", "lytle-archive", "arsenic-minerals", "molybdenum-minerals", "cod"] {
            let recipe = try #require(records.first { $0.id == id }?.libraryRecipe, "\(id) has no library_recipe")
            #expect(recipe.contains("roentgen xas library") || recipe.contains("roentgen xrd library"), "\(id)")
        }
        #expect(records.first { $0.id == "cod" }?.libraryRecipe?.contains("--shard") == true)
    }

    @Test func missingOrCommandlessRecipeIsALintIssue() throws {
        let directory = try CatalogFixtures.scratchDirectory()
        let base = CatalogFixtures.record(id: "lib", name: "Lib", techniques: ["XAS"])
        try base.replacingOccurrences(of: "library_recipe: roentgen xas library refs/ -o refs.rxanes\n", with: "")
            .replacingOccurrences(of: "library_recipe: roentgen xas library refs/ -o refs.rxanes", with: "")
            .write(to: directory.appendingPathComponent("lib.yaml"), atomically: true, encoding: .utf8)
        try CatalogFixtures.record(id: "vague", name: "Vague", techniques: ["XAS"])
            .replacingOccurrences(of: "roentgen xas library refs/ -o refs.rxanes", with: "download it somehow")
            .write(to: directory.appendingPathComponent("vague.yaml"), atomically: true, encoding: .utf8)
        let issues = CatalogLint.lint(try CatalogFiles.directory(directory))
        #expect(issues.contains { $0.file.hasSuffix("lib.yaml") && $0.field == "library_recipe" })
        #expect(issues.contains { $0.file.hasSuffix("vague.yaml") && $0.field == "library_recipe" && $0.message.contains("roentgen commands") })
    }

    @Test func sourcesShowPrintsTheRecipe() async throws {
        let out = try await RoentgenCLI.run(["sources", "show", "ixas-xaslib"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("As a reference library:") && out.stdout.contains("roentgen xas library refs/ -o fe.rxanes"))
    }
}
