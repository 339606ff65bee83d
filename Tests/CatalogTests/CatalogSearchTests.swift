import Foundation
import Testing
@testable import Catalog
import XrayCore
import TestSupport

@Suite struct CatalogSearchTests {
    let index: CatalogIndex

    init() throws {
        index = try CatalogIndex(files: .embedded, cacheDirectory: nil)
    }

    @Test func arsenicMineralsRankFirst() throws {
        let hits = try index.search("arsenic minerals")
        #expect(hits.first?.record.id == "arsenic-minerals")
        #expect(try index.search("molybdenum minerals").first?.record.id == "molybdenum-minerals")
        #expect(try index.search("opXRD").first?.record.id == "opxrd")
        #expect(try index.search("PaNOSC").first?.record.id == "panosc")
        #expect(try index.search("XAS database").first?.record.id == "cls-xasdb")
    }

    @Test func queryWordsAreStemmedAndElementNamesFound() throws {
        // "mineral" (singular) and the element symbol "As" → arsenic.
        #expect(try index.search("arsenic mineral").first?.record.id == "arsenic-minerals")
        #expect(try index.search("SrTiO3").first?.record.id == "mdf-srtio3-hedm")
    }

    @Test func techniqueXASListsTheReferenceLibrariesAndMineralSets() throws {
        let ids = try index.search(nil, technique: "XAS").map(\.record.id)
        for expected in ["refxas", "cls-xasdb", "ssrl-xafs-library", "ixas-xaslib", "lytle-archive",
                         "arsenic-minerals", "molybdenum-minerals"] {
            #expect(ids.contains(expected), "\(expected) missing from --technique XAS")
        }
        // The XAS-only libraries come before multi-technique facilities.
        let firstFacility = try #require(ids.firstIndex { ["esrf", "desy", "diamond"].contains($0) })
        #expect(ids.firstIndex(of: "refxas")! < firstFacility)
        // opXRD is a diffraction collection: not an XAS source.
        #expect(!ids.contains("opxrd"))
    }

    @Test func techniqueFilterCombinesWithQueryAndKind() throws {
        let hits = try index.search("minerals", technique: "x-ray powder diffraction", kind: .dataset)
        #expect(Set(hits.map(\.record.id)) == ["arsenic-minerals", "molybdenum-minerals"])
        #expect(try index.search(nil, technique: "XRD").map(\.record.id).contains("opxrd"))
    }

    @Test func unknownTechniqueIsAClearError() {
        #expect(throws: RoentgenError.self) { try index.search(nil, technique: "telepathy") }
    }

    @Test func freeTextXASFindsARecordThatListsOnlyEXAFS() throws {
        let directory = try CatalogFixtures.scratchDirectory()
        try CatalogFixtures.record(id: "exafs-only", name: "Old scans", techniques: ["EXAFS"])
            .write(to: directory.appendingPathComponent("exafs-only.yaml"), atomically: true, encoding: .utf8)
        try CatalogFixtures.record(id: "xrd-only", name: "Patterns", techniques: ["XRD"])
            .write(to: directory.appendingPathComponent("xrd-only.yaml"), atomically: true, encoding: .utf8)
        let small = try CatalogIndex(files: try CatalogFiles.directory(directory), cacheDirectory: nil)
        #expect(try small.search("XAS").map(\.record.id) == ["exafs-only"])
        #expect(try small.search(nil, technique: "XAS").map(\.record.id) == ["exafs-only"])
        #expect(try small.search(nil, technique: "EXAFS").map(\.record.id) == ["exafs-only"])
        #expect(try small.search(nil, technique: "XANES").isEmpty)
    }

    @Test func operatorCharactersInQueriesAreWords() throws {
        // FTS5 syntax in user text must not raise an SQL error.
        _ = try index.search("\"unbalanced AND (XAS OR")
        _ = try index.search("NEAR(x y) * -")
    }

    @Test func recordLookupAndIncomingRelations() throws {
        let esrf = try #require(try index.record(id: "esrf"))
        #expect(esrf.kind == .facility)
        let incoming = try index.incomingRelations(to: "esrf")
        #expect(incoming.contains { $0.source.id == "panosc" && $0.type == "federates" })
        #expect(try index.record(id: "nope") == nil)
    }
}

@Suite struct PaNETTests {
    let panet = PaNET.shared

    @Test func namesResolveByIdLabelAltLabelAndIRI() {
        #expect(panet.term(named: "XAS")?.id == "PaNET01196")
        #expect(panet.term(named: "x-ray absorption spectroscopy")?.id == "PaNET01196")
        #expect(panet.term(named: "PaNET01198")?.label == "extended x-ray absorption fine structure")
        #expect(panet.term(named: "http://purl.org/pan-science/PaNET/PaNET01199")?.altLabels.contains("XANES") == true)
        #expect(panet.term(named: "powder XRD")?.id == "PaNET01101")
        #expect(panet.term(named: "telepathy") == nil)
    }

    @Test func descendantsFollowThePolyHierarchy() {
        let xas = panet.descendants(of: "PaNET01196")
        #expect(xas.isSuperset(of: ["PaNET01197", "PaNET01198", "PaNET01199"]))
        #expect(!xas.contains("PaNET01216"))
        let xrd = panet.descendants(of: "PaNET01216")
        #expect(xrd.contains("PaNET01101"))  // via Roentgen's supplementary link
        #expect(panet.ancestors(of: "PaNET01198").contains("PaNET01196"))
        #expect(panet.terms.count > 500)
    }
}
