import Foundation
import Testing
@testable import Refinement

@Suite("Refinement expressions")
struct ExpressionTests {
    func eval(_ text: String, _ vars: [String: Double] = [:]) throws -> Double {
        try Expression(text).evaluate { vars[$0] }
    }

    @Test("Precedence and associativity follow Python")
    func precedence() throws {
        #expect(try eval("2*3+4") == 10)
        #expect(try eval("2+3*4") == 14)
        #expect(try eval("-2**2") == -4)
        #expect(try eval("2**3**2") == 512)
        #expect(try eval("2^3") == 8)
        #expect(try eval("(1+2)*(3-5)/4") == -1.5)
        #expect(try eval("8/2/2") == 2)
        #expect(try eval("1.5e-3*2e+3") == 3)
        #expect(try eval(".5 + 5.") == 5.5)
        #expect(try eval("- -3") == 3)
    }

    @Test("Functions, constants and names")
    func functions() throws {
        #expect(abs(try eval("sqrt(2)*sqrt(2)") - 2) < 1e-15)
        #expect(try eval("max(1, a, 3)", ["a": 7]) == 7)
        #expect(try eval("min(b)", ["b": -2]) == -2)
        #expect(abs(try eval("cos(pi)") + 1) < 1e-15)
        #expect(abs(try eval("log(e)") - 1) < 1e-15)
        #expect(abs(try eval("atan2(1, 1)") - .pi / 4) < 1e-15)
        #expect(try eval("1.5*sigma2_1", ["sigma2_1": 0.004]) == 1.5 * 0.004)
        // A parameter called `e` shadows the constant.
        #expect(try eval("e*2", ["e": 3]) == 6)
    }

    @Test("Registered functions are callable with their arity checked")
    func registered() throws {
        var table = FunctionTable.standard
        table.register("twice", arity: 1) { 2 * $0[0] }
        #expect(try Expression("twice(x)+1").evaluate(functions: table) { $0 == "x" ? 4 : nil } == 9)
        let e = #expect(throws: RefinementError.self) {
            try Expression("twice(1, 2)").evaluate(functions: table) { _ in nil }
        }
        #expect(e?.column == 1)
        #expect(e?.message.contains("takes 1 argument") == true)
    }

    @Test("Syntax errors name the parameter and the column", arguments: [
        ("2*(a+1", 7), ("2**", 4), ("a b", 3), ("", 1), ("3 + * 4", 5), ("f(1,", 5), ("1 $ 2", 3),
    ])
    func syntax(_ text: String, _ column: Int) throws {
        let e = #expect(throws: RefinementError.self) { try Expression(text, parameter: "delta2") }
        #expect(e?.parameter == "delta2")
        #expect(e?.column == column)
        #expect(e?.description.hasPrefix("parameter 'delta2', column \(column)") == true)
    }

    @Test("Unknown names and functions name the parameter and the column")
    func unknown() throws {
        let set = try ParameterSet([Parameter("a", 1), Parameter("b", expression: "a + 2*zeta")])
        let e = #expect(throws: RefinementError.self) { try set.evaluated() }
        #expect(e?.parameter == "b")
        #expect(e?.column == 7)
        #expect(e?.message.contains("'zeta'") == true)
        let f = #expect(throws: RefinementError.self) {
            try ParameterSet([Parameter("a", 1), Parameter("b", expression: "sqr(a)")]).evaluated()
        }
        #expect(f?.message.contains("unknown function 'sqr'") == true)
    }
}

@Suite("Refinement result: report and JSON")
struct ReportTests {
    @Test("The report lists statistics, values with esds, fixed and constrained parameters, correlations")
    func report() throws {
        let set = try ParameterSet([Parameter("b1", 500), Parameter("b2", 1e-4), Parameter("k", 3, vary: false),
                                    Parameter("twice", expression: "2*b1")])
        let r = try Refinement.refine(Misra1a(), parameters: set)
        let text = r.report()
        #expect(text.contains("# data points      = 14"))
        #expect(text.contains("b1   : 238.9421"))
        #expect(text.contains("(init = 500)"))
        #expect(text.contains("k    : 3 (fixed)"))
        #expect(text.contains("== '2*b1'"))
        #expect(text.contains("C(b1, b2) = -0.99"))
        #expect(abs(r.esd["twice"]! / (2 * Misra1a.certified.b1sd) - 1) < 1e-5)
        let json = try JSONEncoder().encode(r)
        let back = try JSONDecoder().decode(RefinementResult.self, from: json)
        #expect(back.value("b1") == r.value("b1"))
        #expect(back.esd == r.esd)
        #expect(back.correlations == r.correlations)
    }
}
