import Foundation
import OrderedCollections
import Testing
import TestSupport
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

    @Test func defaultChoices() {
        #expect(MuSelection.defaultExpression(for: ["mutrans", "i0", "itrans"]) == "mutrans")
        #expect(MuSelection.defaultExpression(for: ["io", "it", "iref", "if"]) == "ln(io/it)")
        #expect(MuSelection.defaultExpression(for: ["i0", "if"]) == "(if)/i0")
        #expect(MuSelection.defaultExpression(for: ["i0", "ifch1", "ifch2", "ifch3"]) == "(ifch1+ifch2+ifch3)/i0")
        #expect(MuSelection.defaultExpression(for: ["mcs3", "mcs4"]) == nil)
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
