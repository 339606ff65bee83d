import Foundation
import Testing
@testable import Catalog
import TestSupport

@Suite struct CatalogRenderTests {
    @Test func markdownHasEverySectionAndRecord() throws {
        let records = try CatalogLoader.load(.embedded)
        let markdown = CatalogRenderer.markdown(records)
        for heading in ["## Synchrotron data (multi-facility portals)", "## Major photon and neutron facilities",
                        "## Synchrotron XAS (reference spectrum libraries)", "## Combined XAS + XRD datasets (same specimens)",
                        "## Benchtop (lab) X-ray datasets"] {
            #expect(markdown.contains(heading), "missing \(heading)")
        }
        for record in records {
            #expect(markdown.contains("**[\(record.name)](\(record.homepage))**"))
        }
        // Sections come in the seed list's order.
        let portals = try #require(markdown.range(of: "## Synchrotron data"))
        let benchtop = try #require(markdown.range(of: "## Benchtop"))
        #expect(portals.lowerBound < benchtop.lowerBound)
    }

    @Test func readmeTableIsTheRenderedCatalog() throws {
        // The README's source table is generated (`roentgen catalog render --table`): it must not drift.
        let readme = try String(contentsOf: SharedData.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let table = CatalogRenderer.table(try CatalogLoader.load(.embedded))
        #expect(readme.contains(table), "README.md's source table is out of date: paste `roentgen catalog render --table`")
    }

    @Test func renderCommandPrintsMarkdown() async throws {
        let result = try await RoentgenCLI.run(["catalog", "render", "--markdown"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("# Open experimental X-ray data sources"))
        #expect(result.stdout.contains("Arsenic minerals XAS and XRD reference set (28 species)"))
    }
}
