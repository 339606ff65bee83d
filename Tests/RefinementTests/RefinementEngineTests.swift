import Foundation
import Testing
@testable import Refinement

@Suite("Refinement engine: NIST StRD certified values")
struct NISTTests {
    func misra(start b1: Double, _ b2: Double, analytic: Bool) throws -> RefinementResult {
        let set = try ParameterSet([Parameter("b1", b1), Parameter("b2", b2)])
        return try Refinement.refine(Misra1a(analytic: analytic), parameters: set)
    }

    @Test("Misra1a from both NIST starts, numeric and analytic derivatives", arguments: [
        (500.0, 1e-4, false), (250.0, 5e-4, false), (500.0, 1e-4, true), (250.0, 5e-4, true),
    ])
    func misra1a(_ b1: Double, _ b2: Double, _ analytic: Bool) throws {
        let r = try misra(start: b1, b2, analytic: analytic)
        let c = Misra1a.certified
        #expect(r.converged)
        #expect(abs(r.value("b1")! / c.b1 - 1) < 1e-7)
        #expect(abs(r.value("b2")! / c.b2 - 1) < 1e-7)
        #expect(abs(r.esd["b1"]! / c.b1sd - 1) < 1e-5)
        #expect(abs(r.esd["b2"]! / c.b2sd - 1) < 1e-5)
        #expect(abs(r.chiSquare / c.rss - 1) < 1e-8)
        #expect(r.nData == 14 && r.nVarys == 2)
        #expect(abs(r.reducedChiSquare - c.rss / 12) < 1e-9)
    }

    @Test("Non-finite residuals at the start name the start values out of any physical range")
    func nonFiniteStartNamesTheCulprit() throws {
        // b2 = 1e308: x^b2 overflows, b1·inf − b1·inf … gives NaN/inf residuals.
        let set = try ParameterSet([Parameter("b1", 1), Parameter("b2", 1e308)])
        #expect { _ = try Refinement.refine(DanWood(), parameters: set) } throws: { error in
            let text = "\(error)"
            return text.contains("not finite at the start values") && text.contains("b2 = 1e+308") && !text.contains("b1 =")
        }
    }

    @Test("DanWood from NIST start 1")
    func danWood() throws {
        let set = try ParameterSet([Parameter("b1", 1), Parameter("b2", 5)])
        let r = try Refinement.refine(DanWood(), parameters: set)
        let c = DanWood.certified
        #expect(abs(r.value("b1")! / c.b1 - 1) < 1e-7)
        #expect(abs(r.value("b2")! / c.b2 - 1) < 1e-7)
        #expect(abs(r.esd["b1"]! / c.b1sd - 1) < 1e-5)
        #expect(abs(r.esd["b2"]! / c.b2sd - 1) < 1e-5)
        #expect(abs(r.chiSquare / c.rss - 1) < 1e-8)
        // b1 and b2 of a power law are strongly anticorrelated.
        #expect(r.correlations.count == 1)
        #expect(r.correlations[0].value < -0.9)
    }

    @Test("Unscaled covariance: esd² = (JᵀJ)⁻¹ without the residual variance")
    func unscaled() throws {
        var options = RefinementOptions()
        options.scaleCovariance = false
        let set = try ParameterSet([Parameter("b1", 500), Parameter("b2", 1e-4)])
        let r = try Refinement.refine(Misra1a(), parameters: set, options: options)
        let scale = (Misra1a.certified.rss / 12).squareRoot()
        #expect(abs(r.esd["b1"]! * scale / Misra1a.certified.b1sd - 1) < 1e-5)
        let rescaled = r.rescaled(by: scale)
        #expect(abs(rescaled.esd["b2"]! / Misra1a.certified.b2sd - 1) < 1e-5)
    }
}

/// y = a·exp(−b·x) + c on exact data, with c constrained as 0.5·a, compared with the same model
/// written with two parameters (the constraint substituted by hand).
struct DecayWithOffset: RefinementModel {
    let x: [Double] = (0..<40).map { Double($0) * 0.25 }
    var y: [Double] {
        // Deterministic "noise" so that χ² and the esds are not zero.
        x.enumerated().map { i, x in 3 * exp(-0.7 * x) + 1.5 + 0.01 * sin(Double(i) * 1.7) }
    }
    func residuals(_ p: ParameterValues) throws -> [Double] {
        let a = p["a"]!, b = p["b"]!, c = p["c"] ?? 0.5 * a
        return zip(x, y).map { x, y in y - (a * exp(-b * x) + c) }
    }
    /// Analytic derivatives for a, b and c (c may be constrained: the engine applies the chain rule).
    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        let a = p["a"]!, b = p["b"]!
        // Without a parameter c, c = 0.5·a is substituted by hand and ∂r/∂a gains −0.5.
        let substituted = p["c"] == nil ? 0.5 : 0
        return names.map { name in
            x.map { x in
                switch name {
                case "a": return -exp(-b * x) - substituted
                case "b": return a * x * exp(-b * x)
                default: return -1
                }
            }
        }
    }
}

@Suite("Refinement engine: constraints, bounds, restraints, steps")
struct ConstraintTests {
    @Test("A constrained parameter gives the same fit as substituting it by hand; its esd is propagated")
    func constraint() throws {
        let constrained = try ParameterSet([Parameter("a", 1), Parameter("b", 1), Parameter("c", expression: "0.5*a")])
        let r1 = try Refinement.refine(DecayWithOffset(), parameters: constrained)
        let substituted = try ParameterSet([Parameter("a", 1), Parameter("b", 1)])
        let r2 = try Refinement.refine(DecayWithOffset(), parameters: substituted)
        #expect(abs(r1.value("a")! - r2.value("a")!) < 1e-9)
        #expect(abs(r1.value("b")! - r2.value("b")!) < 1e-9)
        #expect(abs(r1.value("c")! - 0.5 * r1.value("a")!) < 1e-12)
        #expect(abs(r1.esd["a"]! / r2.esd["a"]! - 1) < 1e-5)
        #expect(abs(r1.esd["c"]! / (0.5 * r1.esd["a"]!) - 1) < 1e-5)
        #expect(r1.nVarys == 2)
    }

    @Test("Chains of constraints evaluate in dependency order whatever the order of definition")
    func chain() throws {
        let set = try ParameterSet([
            Parameter("d", expression: "c + 1"), Parameter("c", expression: "2*a"), Parameter("a", 3, vary: false),
        ])
        let v = try set.evaluated()
        #expect(v["c"] == 6 && v["d"] == 7)
    }

    @Test("Circular constraints are named")
    func circular() throws {
        let set = try ParameterSet([Parameter("p", expression: "q"), Parameter("q", expression: "2*p")])
        let e = #expect(throws: RefinementError.self) { try set.evaluated() }
        #expect(e?.message.contains("circular") == true)
        #expect(e?.message.contains("p") == true && e?.message.contains("q") == true)
    }

    @Test("An upper bound holds the parameter on the bound; the other moves to its best value given it")
    func bounds() throws {
        let set = try ParameterSet([Parameter("b1", 150, upper: 200), Parameter("b2", 1e-4)])
        let r = try Refinement.refine(Misra1a(analytic: true), parameters: set)
        #expect(r.value("b1") == 200)
        // With b1 fixed at 200 the best b2 solves a one-parameter problem; refine that directly.
        let fixed = try ParameterSet([Parameter("b1", 200, vary: false), Parameter("b2", 1e-4)])
        let r1 = try Refinement.refine(Misra1a(analytic: true), parameters: fixed)
        #expect(abs(r.value("b2")! / r1.value("b2")! - 1) < 1e-8)
    }

    @Test("A restraint pulls a parameter towards its target with weight 1/σ²")
    func restraint() throws {
        var options = RefinementOptions()
        options.restraints = [Restraint("b1", target: 230, sigma: 1e-4)]
        let set = try ParameterSet([Parameter("b1", 500), Parameter("b2", 1e-4)])
        let r = try Refinement.refine(Misra1a(), parameters: set, options: options)
        #expect(abs(r.value("b1")! - 230) < 1e-3)
        #expect(r.nData == 15)
        let fixed = try ParameterSet([Parameter("b1", 230, vary: false), Parameter("b2", 1e-4)])
        let r1 = try Refinement.refine(Misra1a(), parameters: fixed)
        #expect(abs(r.value("b2")! / r1.value("b2")! - 1) < 1e-5)
    }

    @Test("Steps release parameters in order; the last step equals a one-shot refinement")
    func steps() throws {
        let set = try ParameterSet([Parameter("a", 1, vary: false), Parameter("b", 0.5, vary: false),
                                    Parameter("c", 0, vary: false)])
        let staged = try Refinement.refine(DecayWithOffset(), parameters: set,
                                           steps: [RefinementStep("offset", release: ["c"]),
                                                   RefinementStep("amplitude", release: ["a"]),
                                                   RefinementStep("all", release: ["b"])])
        #expect(staged.steps.map(\.varied) == [["c"], ["a", "c"], ["a", "b", "c"]])
        #expect(staged.steps[0].chiSquare > staged.steps[2].chiSquare)
        let all = try ParameterSet([Parameter("a", 1), Parameter("b", 0.5), Parameter("c", 0)])
        let once = try Refinement.refine(DecayWithOffset(), parameters: all)
        for n in ["a", "b", "c"] { #expect(abs(staged.value(n)! - once.value(n)!) < 1e-8) }
        #expect(staged.report().contains("[[Steps]]"))
    }

    @Test("A step naming an unknown parameter names it and the step")
    func unknownInStep() throws {
        let set = try ParameterSet([Parameter("a", 1), Parameter("b", 0.5), Parameter("c", 0)])
        let e = #expect(throws: RefinementError.self) {
            try Refinement.refine(DecayWithOffset(), parameters: set, steps: [RefinementStep("first", release: ["zeta"])])
        }
        #expect(e?.parameter == "zeta")
        #expect(e?.description.contains("first") == true)
    }
}

/// y = (a + b)·x: a and b cannot be told apart.
struct Degenerate: RefinementModel {
    func residuals(_ p: ParameterValues) throws -> [Double] {
        let slope: Double = p["a"]! + p["b"]!
        return (1...10).map { (i: Int) -> Double in
            let x = Double(i), wiggle = 0.01 * Double(i % 3)
            return 2.5 * x - slope * x + wiggle
        }
    }
}

/// y = a·x with an unused parameter u.
struct Unused: RefinementModel {
    func residuals(_ p: ParameterValues) throws -> [Double] {
        let slope: Double = p["a"]!
        return (1...10).map { (i: Int) -> Double in
            let x = Double(i), wiggle = 0.01 * Double(i % 3)
            return 2.5 * x - slope * x + wiggle
        }
    }
}

@Suite("Refinement engine: bad input")
struct RefinementBadInputTests {
    @Test("A singular normal matrix names the parameters that cannot be separated")
    func singular() throws {
        let set = try ParameterSet([Parameter("a", 1), Parameter("b", 1), Parameter("k", 2, vary: false)])
        let e = #expect(throws: RefinementError.self) { try Refinement.refine(Degenerate(), parameters: set) }
        #expect(Set(e?.correlatedParameters ?? []) == ["a", "b"])
        #expect(e?.message.contains("singular") == true)
        var options = RefinementOptions()
        options.allowSingular = true
        let r = try Refinement.refine(Degenerate(), parameters: set, options: options)
        #expect(r.esd.isEmpty)
        #expect(abs(r.value("a")! + r.value("b")! - 2.5) < 0.01)
    }

    @Test("A parameter with no effect is named as such")
    func noEffect() throws {
        let set = try ParameterSet([Parameter("a", 1), Parameter("u", 1)])
        let e = #expect(throws: RefinementError.self) { try Refinement.refine(Unused(), parameters: set) }
        #expect(e?.correlatedParameters == ["u (no effect on the fit)"])
    }

    @Test("More varied parameters than residuals says both numbers")
    func underdetermined() throws {
        struct Two: RefinementModel {
            func residuals(_ p: ParameterValues) throws -> [Double] { [p["a"]! - 1, p["b"]! - p["c"]!] }
        }
        let set = try ParameterSet([Parameter("a", 0), Parameter("b", 0), Parameter("c", 0)])
        let e = #expect(throws: RefinementError.self) { try Refinement.refine(Two(), parameters: set) }
        #expect(e?.message.contains("3 varied parameters but only 2 residuals") == true)
    }

    @Test("Duplicate and invalid names, bad bounds and a non-finite start are refused with the name")
    func badParameters() throws {
        #expect(throws: RefinementError.self) { try ParameterSet([Parameter("a", 1), Parameter("a", 2)]) }
        #expect(throws: RefinementError.self) { try ParameterSet([Parameter("2a", 1)]) }
        #expect(throws: RefinementError.self) { try ParameterSet([Parameter("a", 1, lower: 3, upper: 2)]) }
        let e = #expect(throws: RefinementError.self) { try ParameterSet([Parameter("a", .nan)]) }
        #expect(e?.parameter == "a")
    }

    @Test("A model that cannot be evaluated at the start fails with its residual index")
    func nonFiniteStart() throws {
        let set = try ParameterSet([Parameter("b1", 500), Parameter("b2", .greatestFiniteMagnitude)])
        #expect(throws: RefinementError.self) { try Refinement.refine(Misra1a(), parameters: set) }
    }
}

/// y = a·b·x: only the product is determined; the matrix inverts numerically but a and b are
/// correlated at ±1.
struct Product: RefinementModel {
    func residuals(_ p: ParameterValues) throws -> [Double] {
        let k: Double = p["a"]! * p["b"]!
        return (1...12).map { (i: Int) -> Double in
            let x = Double(i)
            return 3 * x + 0.01 * Double(i % 4) - k * x
        }
    }
}

@Suite("Refinement engine: proportional parameters")
struct ProportionalTests {
    @Test("Parameters whose effects are proportional are named as fully correlated")
    func product() throws {
        let set = try ParameterSet([Parameter("a", 1), Parameter("b", 2)])
        let e = #expect(throws: RefinementError.self) { try Refinement.refine(Product(), parameters: set) }
        #expect(Set(e?.correlatedParameters ?? []) == ["a", "b"])
    }
}
