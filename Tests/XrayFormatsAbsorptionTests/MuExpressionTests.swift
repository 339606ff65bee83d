import Foundation
import OrderedCollections
import Testing
import TestSupport
import XAS
import XrayCore
@testable import XrayFormats

@Suite struct MuExpressionTests {
    let columns: OrderedDictionary<String, [Double]> = ["energy": [1, 2], "i0": [10, 20], "itrans": [5, 4], "IF1": [1, 2], "if2": [3, 4]]

    @Test func arithmeticAndFunctions() throws {
        #expect(try MuExpression("ln(i0/itrans)").evaluate(columns) == [log(2.0), log(5.0)])
        #expect(try MuExpression("(if1+if2)/i0").evaluate(columns) == [0.4, 0.3])
        #expect(try MuExpression("-log(itrans/i0)*2 - 1").evaluate(columns) == [2 * log(2.0) - 1, 2 * log(5.0) - 1])
        #expect(try MuExpression("sqrt(abs(-i0)) + exp(0) + log10(100) + 1e1").evaluate(columns) == [Double(10).squareRoot() + 13, Double(20).squareRoot() + 13])
        #expect(try MuExpression("itrans").columnNames == ["itrans"])
    }

    @Test func badExpressionsAreParameterErrors() {
        for bad in ["", "ln(i0/itrans", "i0 +", "system(i0)", "i0 $ it", "((i0)))", "nosuch/i0"] {
            do {
                _ = try MuExpression(bad).evaluate(columns)
                Issue.record("'\(bad)' must fail")
            } catch let e as RoentgenError {
                #expect(e.kind == .badParameter, "\(bad)")
            } catch {
                Issue.record("\(bad): \(error)")
            }
        }
    }

    /// `sum(PATTERN)` / `mean(PATTERN)` over the channels of a many-element detector file
    /// equal the written-out sum (x23a2med.dat: four fluorescence channels ifch1–4).
    @Test(.enabled(if: SharedData.isPresent)) func sumAndMeanOverChannelPatterns() throws {
        let url = try #require(SharedData.url("xas/demeter/filetypes/x23a2med.dat"))
        let scan = try #require(try FormatRegistry.read(url).scans.first)
        let summed = try MuExpression("sum(ifch*)/i0").evaluate(scan.columns)
        #expect(summed == (try MuExpression("(ifch1+ifch2+ifch3+ifch4)/i0").evaluate(scan.columns)))
        let mean = try MuExpression("mean(IFCH?)").evaluate(scan.columns)
        #expect(mean == (try MuExpression("(ifch1+ifch2+ifch3+ifch4)/4").evaluate(scan.columns)))
        #expect(try MuExpression("sum(ifch*)/i0").aggregatedColumns(Array(scan.columns.keys)) == ["ifch*": ["ifch1", "ifch2", "ifch3", "ifch4"]])
        let spectrum = try MuSelection.selectMu(scan, expression: "sum(ifch*)/i0")
        #expect(spectrum.mu?.count == scan.columns["energy"]?.count)
    }

    @Test func channelPatterns() throws {
        #expect(MuExpression.matches("Mn_Ka_mca1", pattern: "mn_ka_mca?"))
        #expect(!MuExpression.matches("Mn_Ka_mca10", pattern: "Mn_Ka_mca?"))
        #expect(MuExpression.matches("Mn_Ka_mca10", pattern: "Mn_Ka_mca*"))
        #expect(MuExpression.matches("ifch3", pattern: "*3") && !MuExpression.matches("ifch3", pattern: "*4"))
        #expect(MuExpression.matches("a_b_c", pattern: "a*c") && !MuExpression.matches("a_b_d", pattern: "a*c"))
        #expect(try MuExpression("sum(if*)").evaluate(columns) == [4, 6])   // IF1 + if2, case-insensitive
        for bad in ["sum(zz*)", "sum(i0+1)", "sum()", "total(if*)"] {
            let error = try #require(throws: RoentgenError.self, "\(bad)") { try MuExpression(bad).evaluate(columns) }
            #expect(error.kind == .badParameter)
        }
        let none = try #require(throws: RoentgenError.self) { try MuExpression("sum(zz*)").evaluate(columns) }
        #expect(none.message.contains("no column matches 'zz*'") && none.message.contains("i0, itrans"))
    }

    @Test func defaultChoices() {
        #expect(MuSelection.defaultExpression(for: ["mutrans", "i0", "itrans"]) == "mutrans")
        #expect(MuSelection.defaultExpression(for: ["io", "it", "iref", "if"]) == "ln(io/it)")
        #expect(MuSelection.defaultExpression(for: ["i0", "if"]) == "(if)/i0")
        #expect(MuSelection.defaultExpression(for: ["i0", "ifch1", "ifch2", "ifch3"]) == "(ifch1+ifch2+ifch3)/i0")
        #expect(MuSelection.defaultExpression(for: ["mcs3", "mcs4"]) == nil)
        #expect(MuSelection.defaultExpression(for: ["i0_32", "it_32", "iref_32"]) == "ln(i0_32/it_32)")
        #expect(MuSelection.defaultExpression(for: ["log_i0_it", "log_it_ir", "i0"]) == "log_i0_it")
        #expect(MuSelection.defaultExpression(for: ["i0", "i", "ir"]) == "ln(i0/i)")
        #expect(MuSelection.defaultExpression(for: ["i", "ir"]) == nil)
        #expect(MuSelection.defaultExpression(for: ["_xanes"]) == "_xanes")   // FDMNES: energy and one column
    }

    /// Label rules that reach real files: counters with a numeric suffix (APS 9-BM 2019), a
    /// column that already holds log(I0/It), and `i` for the transmitted beam; each gives the
    /// edge its MANIFEST names.
    @Test(.enabled(if: SharedData.isPresent)) func moreLabelsGiveTheRightEdge() throws {
        for (path, expected, edge) in [("xas/larch/beamlines/APS9BM_2019.dat", "ln(i0_32/it_32)", 6539.0),
                                       ("xas/larch/tests/cu2s_xafs.dat", "log_i0_it", 8979.0),
                                       ("xas/demeter/recipes/tipb.305", "ln(i0/i)", 4966.0)] {
            let spectrum = try MuSelection.selectMu(try #require(try readShared(path).scans.first), expression: nil)
            #expect(spectrum.muExpression == expected, "\(path)")
            let e0 = findE0(energy: spectrum.energy, mu: try #require(spectrum.mu))
            #expect(abs(e0 - edge) < 12, "\(path): E0 \(e0) eV, edge \(edge)")
        }
    }

    /// A transmission pair whose detector read zero throughout gives no μ: the default moves on
    /// to the fluorescence the file has, and the edge is then the one its MANIFEST names (S K at
    /// APS 9-BM with a Lytle detector, Ge K at SSRL with a 30-channel detector).
    @Test(.enabled(if: SharedData.isPresent)) func deadTransmissionFallsBackToFluorescence() throws {
        for (path, expected, edge) in [("xas/larch/beamlines/APS9BM_2006.dat", "(lytle)/i0", 2472.0),
                                       ("xas/larch/beamlines/SSRLmicro_2008.dat", "sum(sca1_*)/i0", 11103.0)] {
            let scan = try #require(try readShared(path).scans.first)
            #expect(scan.columns["i1"]?.allSatisfy { $0 == 0 } == true, "\(path): i1 is all zeros")
            #expect(MuSelection.defaultExpression(for: Array(scan.columns.keys)) == "ln(i0/i1)")
            let spectrum = try MuSelection.selectMu(scan, expression: nil)
            #expect(spectrum.muExpression == expected)
            let e0 = findE0(energy: spectrum.energy, mu: try #require(spectrum.mu))
            #expect(abs(e0 - edge) < 12, "\(path): E0 \(e0) eV, edge \(edge)")
        }
    }

    @Test func selectionReportsItsChoiceAndCleans() throws {
        let scan = Scan(name: "s", kind: .absorption, columns: ["energy": [3, 1, 2], "i0": [1, 1, 1], "it": [1, 0, 1]])
        let spectrum = try selectMu(scan, expression: nil)
        #expect(spectrum.muExpression == "ln(i0/it)")
        let (clean, dropped, sorted) = MuSelection.finiteSortedByEnergy(spectrum)
        #expect(dropped == 1 && sorted)
        #expect(clean.energy == [2, 3])
        #expect(clean.channels["i0"] == [1, 1])
        #expect(throws: RoentgenError.self) { try selectMu(Scan(name: "x", kind: .other, columns: ["k": [1]]), expression: nil) }
    }
}
