import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

/// The PDFfit2 forward model against diffpy.pdffit2 1.5.2's own calculated G(r)
/// (`xrd/pdf-fit/reference/ni_pdfgetx3.json`: Gcalc on the fit range after refinement).
@Suite struct PDFfitModelTests {
    static let referencePath = "xrd/pdf-fit/reference/ni_pdfgetx3.json"

    /// r and G of a .gr file through the registry.
    static func readGr(_ url: URL) throws -> (r: [Double], g: [Double]) {
        let scan = try #require(try FormatRegistry.read(url).scans.first)
        return (try #require(scan.columns["r"]), try #require(scan.columns["g_r"]))
    }

    /// With PDFfit2's refined variables plugged in, the model G(r) equals PDFfit2's at every fit point and
    /// Rw equals its Rw, for all four Ni fits (delta2, qbroad, delta1 included).
    @Test(.enabled(if: SharedData.isPresent)) func nickelGEqualsPDFfit2AtItsRefinedValues() throws {
        let reference = try #require(ReferenceData.json(Self.referencePath) as? [String: Any], Comment(rawValue: SharedData.missing(Self.referencePath)))
        let results = try #require(reference["results"] as? [String: [String: Any]])
        let data = try Self.readGr(try #require(SharedData.url("xrd/pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr")))
        let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/diffpy/srreal_Ni.cif")))
        for (name, result) in results.sorted(by: { $0.key < $1.key }) {
            var phase = PDFPhase(structure: structure)
            #expect(phase.atoms.count == 4)
            var instrument = PDFInstrument(radiation: .xray, qmax: 26)
            let variables = try #require(result["refined_variables"] as? [String: Double])
            for (v, value) in variables { try PDFfitVariable(parsing: v).set(value, phase: &phase, instrument: &instrument) }
            let grid = try PDFGrid(r: data.r, fitMin: 1.7, fitMax: 30)
            let calculator = PDFfitCalculator(grid: grid, qmax: instrument.qmax)
            let g = try calculator.fitPointsG(phases: [phase], instrument: instrument)
            let arrays = try #require(result["arrays"] as? [String: [Double]])
            let expected = try #require(arrays["Gcalc"])
            try #require(g.count == expected.count, "\(name): \(g.count) fit points, PDFfit2 \(expected.count)")
            var maxDiff = 0.0, chi2 = 0.0, norm = 0.0
            let fit = grid.fitIndices
            for (k, i) in fit.enumerated() {
                maxDiff = max(maxDiff, abs(g[k] - expected[k]))
                chi2 += (data.g[i] - g[k]) * (data.g[i] - g[k])
                norm += data.g[i] * data.g[i]
            }
            let rw = (chi2 / norm).squareRoot()
            let rwRef = try #require(result["Rw"] as? Double)
            print("PDFfit2 Ni \(name): max |G - G_pdffit2| \(maxDiff), Rw \(rw) vs \(rwRef)")
            // PDFfit2's Gcalc is stored with 7 significant digits (|G| ≤ ~10 here).
            #expect(maxDiff < 2e-5, "\(name): max |ΔG| \(maxDiff)")
            #expect(abs(rw - rwRef) < 1e-6, "\(name): Rw \(rw) vs PDFfit2 \(rwRef)")
        }
    }
}
