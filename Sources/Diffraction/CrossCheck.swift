import Foundation
import XrayCore

/// A crystalline phase with its weight fraction from quantitative diffraction (RIR or Rietveld).
public struct QuantifiedPhase: Sendable, Hashable {
    public var name: String
    /// Composition (any multiple of the formula unit: only ratios matter).
    public var formula: ChemicalFormula
    /// Weight fraction (0…1) and its standard uncertainty (0 when the analysis gave none).
    public var weightFraction: Double
    public var weightFractionError: Double
    public init(name: String, formula: ChemicalFormula, weightFraction: Double, weightFractionError: Double = 0) {
        self.name = name; self.formula = formula; self.weightFraction = weightFraction; self.weightFractionError = weightFractionError
    }
}

/// One species in the comparison: a phase, the XAS standards mapped to it, both fractions of the element.
public struct CrossCheckRow: Sendable, Hashable, Codable {
    public var phase: String
    public var formula: String
    public var standards: [String]
    /// Fraction of the element's atoms in this species from XAS LCF and from diffraction, with uncertainties.
    public var xas: Double
    public var xasError: Double
    public var xrd: Double
    public var xrdError: Double
    /// xas − xrd and the normalised difference (xas − xrd)/σ, σ² = σ_xas² + σ_xrd² + floor².
    public var difference: Double
    public var z: Double

    enum CodingKeys: String, CodingKey {
        case phase, formula, standards, xas, xrd, difference, z
        case xasError = "xas_error", xrdError = "xrd_error"
    }
}

/// The outcome of `CrossCheck.compare`.
public struct CrossCheckResult: Sendable, Hashable, Codable {
    public var element: String
    public var rows: [CrossCheckRow]
    /// Σ z² over the species and its degrees of freedom (species − 1: both distributions sum to one).
    public var chiSquare: Double
    public var degreesOfFreedom: Int
    /// P(χ² ≥ observed) for that many degrees of freedom.
    public var pValue: Double
    /// Systematic uncertainty added in quadrature to every difference.
    public var floor: Double
    /// True when p ≥ 0.05 and every |z| ≤ 3.
    public var agree: Bool
    public var test: String

    enum CodingKeys: String, CodingKey {
        case element, rows, floor, agree, test
        case chiSquare = "chi_square", degreesOfFreedom = "degrees_of_freedom", pValue = "p_value"
    }
}

/// Checks that XAS linear-combination fitting (the share of one element's atoms in each species)
/// agrees with quantitative phase analysis (weight fractions of phases).
public enum CrossCheck {
    /// The element's molar distribution over phases from weight fractions:
    /// x_p = (w_p·n_p/M_p) / Σ_q (w_q·n_q/M_q), with n_p atoms of the element and M_p the molar mass
    /// of the formula (g/mol), and first-order propagation of the weight fractions' uncertainties
    /// (taken as independent). Phases without the element get 0.
    /// - Throws: `RoentgenError.badData` when no phase holds the element or the fractions are not positive.
    public static func elementDistribution(_ phases: [QuantifiedPhase], element: Element) throws -> [(fraction: Double, error: Double)] {
        let perGram = phases.map { p -> Double in
            let n = p.formula.amounts.filter { $0.element == element }.reduce(0) { $0 + $1.count }
            let mass = p.formula.amounts.reduce(0) { $0 + $1.count * $1.element.molarMass }
            return mass > 0 ? n / mass : 0
        }
        let moles = zip(phases, perGram).map { max(0, $0.weightFraction) * $1 }
        let total = moles.reduce(0, +)
        guard total > 0 else {
            throw RoentgenError(.badData, "no phase with a positive weight fraction holds \(element.symbol) (phases: \(phases.map { "\($0.name) \($0.weightFraction)" }.joined(separator: ", ")))")
        }
        // ∂x_p/∂w_q = (δ_pq·a_p·S − a_p·w_p·a_q) / S², a = moles per gram, S = total.
        return phases.indices.map { p in
            let x = moles[p] / total
            var variance = 0.0
            for q in phases.indices {
                let d = ((p == q ? perGram[p] * total : 0) - moles[p] * perGram[q]) / (total * total)
                variance += d * d * phases[q].weightFractionError * phases[q].weightFractionError
            }
            return (x, variance.squareRoot())
        }
    }

    /// Compares, species by species, the XAS fractions (already grouped per phase, summing to one)
    /// with the diffraction-derived distribution.
    ///
    /// Test: z = Δ/σ per species with σ² = σ_xas² + σ_xrd² + floor², and Pearson's χ² = Σz² with
    /// (species − 1) degrees of freedom; the distributions agree when P(χ²) ≥ 0.05 and no |z| > 3.
    public static func compare(element: Element, phases: [QuantifiedPhase], standards: [[String]],
                               xas: [(fraction: Double, error: Double)], floor: Double = 0.02) throws -> CrossCheckResult {
        let xrd = try elementDistribution(phases, element: element)
        var rows: [CrossCheckRow] = []
        var chi2 = 0.0
        for i in phases.indices {
            // Phases without the element and without a standard say nothing about its distribution.
            let holds = phases[i].formula.amounts.contains { $0.element == element }
            guard holds || !standards[i].isEmpty else { continue }
            let d = xas[i].fraction - xrd[i].fraction
            let sigma = (xas[i].error * xas[i].error + xrd[i].error * xrd[i].error + floor * floor).squareRoot()
            let z = sigma > 0 ? d / sigma : (d == 0 ? 0 : .infinity)
            chi2 += z * z
            rows.append(CrossCheckRow(phase: phases[i].name, formula: text(phases[i].formula), standards: standards[i],
                                      xas: xas[i].fraction, xasError: xas[i].error, xrd: xrd[i].fraction, xrdError: xrd[i].error,
                                      difference: d, z: z))
        }
        let dof = max(1, rows.count - 1)
        let p = chiSquareSurvival(chi2, degreesOfFreedom: dof)
        return CrossCheckResult(element: element.symbol, rows: rows, chiSquare: chi2, degreesOfFreedom: dof, pValue: p, floor: floor,
                                agree: p >= 0.05 && rows.allSatisfy { abs($0.z) <= 3 },
                                test: "Pearson chi-square of z = (x_xas - x_xrd)/sqrt(s_xas^2 + s_xrd^2 + floor^2) over species, dof = species - 1; agree if p >= 0.05 and every |z| <= 3")
    }

    /// P(X ≥ x) for X ~ χ²(k): the regularised upper incomplete gamma Q(k/2, x/2), by its series
    /// for x < a + 1 and its continued fraction (modified Lentz) otherwise (Numerical Recipes §6.2).
    public static func chiSquareSurvival(_ x: Double, degreesOfFreedom k: Int) -> Double {
        guard x > 0 else { return 1 }
        guard x.isFinite else { return 0 }
        let a = Double(k) / 2, y = x / 2
        let lnPrefactor = -y + a * log(y) - lgamma(a)
        if y < a + 1 {
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<500 {
                n += 1; term *= y / n; sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(lnPrefactor))
        }
        let tiny = 1e-300
        var b = y + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...500 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(lnPrefactor) * h)
    }

    /// Whether an XAS standard's name denotes this formula: some token of the name (split at
    /// `_ . - : space`) parses as a formula with the same element ratios (within 1 %).
    public static func standard(_ name: String, matches formula: ChemicalFormula) -> Bool {
        let tokens = name.split(whereSeparator: { "_.-: /".contains($0) }).map(String.init)
        return tokens.contains { token in
            guard token.first?.isUppercase == true, let f = try? ChemicalFormula(token) else { return false }
            return sameRatios(f, formula)
        }
    }

    /// `Fe3 O4`-style text of a formula (counts with up to 4 decimals, 1 omitted).
    public static func text(_ f: ChemicalFormula) -> String {
        f.amounts.map { $0.count == 1 ? $0.element.symbol : $0.element.symbol + String(format: "%g", ($0.count * 1e4).rounded() / 1e4) }.joined(separator: " ")
    }

    static func sameRatios(_ a: ChemicalFormula, _ b: ChemicalFormula) -> Bool {
        func normalised(_ f: ChemicalFormula) -> [String: Double] {
            var m: [String: Double] = [:]
            for x in f.amounts { m[x.element.symbol, default: 0] += x.count }
            let total = m.values.reduce(0, +)
            return total > 0 ? m.mapValues { $0 / total } : [:]
        }
        let na = normalised(a), nb = normalised(b)
        guard Set(na.keys) == Set(nb.keys), !na.isEmpty else { return false }
        return na.allSatisfy { abs($0.value - (nb[$0.key] ?? 0)) <= 0.01 * max($0.value, nb[$0.key] ?? 0) }
    }
}
