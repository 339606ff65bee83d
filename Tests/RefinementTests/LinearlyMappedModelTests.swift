import Foundation
import Testing
@testable import Refinement

/// Misra1a's curve m = b1·(1 − exp(−b2·x)) seen through a fixed linear map L (rᵢ = dᵢ − 0.5·dᵢ₋₁
/// of d = y − m), with b1 constrained as 2·a: as a `LinearlyMappedModel` (∂m/∂p, chain rule before
/// the map), with the map applied by the model itself (`derivatives`), and with the engine's differences.
struct MappedMisra: LinearlyMappedModel {
    enum Mode { case mapped, direct, numeric }
    var mode: Mode

    static func map(_ d: [Double]) -> [Double] { d.indices.map { d[$0] - ($0 > 0 ? 0.5 * d[$0 - 1] : 0) } }

    func residuals(_ p: ParameterValues) throws -> [Double] {
        let b1 = p["b1"]!, b2 = p["b2"]!
        return Self.map(zip(Misra1a.x, Misra1a.y).map { x, y in y - b1 * (1 - exp(-b2 * x)) })
    }

    func modelDerivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        guard mode == .mapped else { return nil }
        let b1 = p["b1"]!, b2 = p["b2"]!
        return names.map { name in
            Misra1a.x.map { x in name == "b1" ? 1 - exp(-b2 * x) : name == "b2" ? b1 * x * exp(-b2 * x) : 0 }
        }
    }

    func residualColumns(_ modelColumns: [[Double]]) throws -> [[Double]] { modelColumns.map { Self.map($0.map { -$0 }) } }

    func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        guard mode == .direct else { return nil }
        var copy = self
        copy.mode = .mapped
        return try copy.modelDerivatives(p, for: names).map { try residualColumns($0) }
    }
}

@Suite("Refinement engine: linearly mapped models")
struct LinearlyMappedModelTests {
    @Test func chainRuleBeforeTheMapGivesTheSameFit() throws {
        let set = try ParameterSet([Parameter("a", 250), Parameter("b1", expression: "2*a"), Parameter("b2", 2e-4)])
        let mapped = try Refinement.refine(MappedMisra(mode: .mapped), parameters: set)
        let direct = try Refinement.refine(MappedMisra(mode: .direct), parameters: set)
        let numeric = try Refinement.refine(MappedMisra(mode: .numeric), parameters: set)
        for r in [mapped, direct, numeric] { #expect(r.converged) }
        for name in ["a", "b2"] {
            let v = mapped.value(name)!
            #expect(abs(direct.value(name)! / v - 1) < 1e-9, "\(name)")
            #expect(abs(numeric.value(name)! / v - 1) < 1e-6, "\(name)")
            #expect(abs(direct.esd[name]! / mapped.esd[name]! - 1) < 1e-8, "\(name) esd")
        }
        #expect(mapped.evaluations == direct.evaluations)
    }
}
