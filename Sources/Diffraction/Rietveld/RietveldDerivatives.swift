import Foundation
import Refinement

/// Derivatives of the weighted residuals, the way a Rietveld program gets them cheaply:
/// background terms analytically (−Tₙ(t)√w); parameters that change only line intensities (scales,
/// phase fractions, coordinates, U_iso, occupancies, March–Dollase r, the Kα2 ratio) as Σ_hkl ∂I/∂p ·
/// Ω_hkl with the line profiles Ω of the current point kept from one evaluation and ∂I/∂p by a forward
/// difference of the (cheap) intensities; parameters that move or reshape lines (cell, zero,
/// displacement, U V W X Y, SH/L, size) by a forward difference of the pattern of the phase(s) they touch.
extension RietveldModel {
    public func derivatives(_ p: ParameterValues, for names: [String]) throws -> [[Double]]? {
        let (base, profiles) = try evaluate(p, record: true)
        let histogram = try histogramTerms(p)
        let used = usedIndices
        var columns: [[Double]] = []
        columns.reserveCapacity(names.count)
        let phaseKeys = compiled.map { $0.phase.key + "_" }
        for name in names {
            var dy = [Double](repeating: 0, count: twoTheta.count)
            if name.hasPrefix("bkg_"), let k = Int(name.dropFirst(4)), k < backgroundTerms {
                dy = backgroundBasis[k]
            } else if name == "ka2_ratio" {
                for (ph, lines) in base.lines.enumerated() {
                    for (l, line) in lines.enumerated() {
                        let prof = profiles[ph][l]
                        for (j, v) in prof.values2.enumerated() { dy[prof.start2 + j] += line.intensity * v }
                    }
                }
            } else {
                guard let index = p.index(of: name) else { throw RefinementError("unknown parameter '\(name)'") }
                let value = p.values[index]
                let step = Self.differenceStep(name: name, value: value)
                var shifted = p
                shifted.values[index] = value + step
                let phase = phaseKeys.firstIndex { name.hasPrefix($0) }
                if Self.changesIntensityOnly(name, phaseKey: phase.map { phaseKeys[$0] }) {
                    let phases = phase.map { [$0] } ?? Array(compiled.indices)
                    // Scales enter as factors: ∂I/∂s = I/s exactly (so that a histogram scale and a phase
                    // fraction released together give exactly proportional columns and a named singular matrix).
                    let isFactor = value != 0 && (name == "scale" || (phase.map { name == phaseKeys[$0] + "fraction" } ?? false))
                    for ph in phases {
                        let lines = base.lines[ph]
                        let lines2 = isFactor ? lines
                            : try compiled[ph].lines(shifted, histogram: try histogramTerms(shifted), instrument: instrument)
                        guard lines2.count == lines.count else { continue }
                        for l in 0..<lines.count {
                            let dI = isFactor ? lines[l].intensity / value : (lines2[l].intensity - lines[l].intensity) / step
                            if dI == 0 { continue }
                            let prof = profiles[ph][l]
                            for (j, v) in prof.values.enumerated() { dy[prof.start + j] += dI * v }
                            if !prof.values2.isEmpty {
                                let r = dI * histogram.ratio
                                for (j, v) in prof.values2.enumerated() { dy[prof.start2 + j] += r * v }
                            }
                        }
                    }
                } else if let ph = phase {
                    let lines2 = try compiled[ph].lines(shifted, histogram: histogram, instrument: instrument)
                    var y2 = [Double](repeating: 0, count: twoTheta.count)
                    let same = lines2.count == profiles[ph].count
                    for (l, line) in lines2.enumerated() {
                        addProfile(line, histogram: histogram, into: &y2,
                                   rules: same ? (profiles[ph][l].rule, profiles[ph][l].rule2) : nil)
                    }
                    let y = base.phaseContributions[ph]
                    for i in 0..<dy.count { dy[i] = (y2[i] - y[i]) / step }
                } else {
                    let y2 = try evaluate(shifted, record: false, rules: profiles).calculation.calculated
                    for i in 0..<dy.count { dy[i] = (y2[i] - base.calculated[i]) / step }
                }
            }
            columns.append(used.map { -dy[$0] * sqrtWeight[$0] })
        }
        return columns
    }

    /// Whether a parameter changes line intensities only (not positions or shapes).
    static func changesIntensityOnly(_ name: String, phaseKey: String?) -> Bool {
        if name == "scale" { return true }
        guard let key = phaseKey else { return false }
        let rest = name.dropFirst(key.count)
        if rest == "fraction" || rest == "md_r" { return true }
        for suffix in ["_x", "_y", "_z", "_uiso", "_occ"] where rest.hasSuffix(suffix) { return true }
        return false
    }

    /// A forward-difference step small against the parameter's scale.
    static func differenceStep(name: String, value: Double) -> Double {
        let typical: Double
        switch name {
        case _ where name.hasSuffix("_uiso"): typical = 0.01
        case _ where name.hasSuffix("_x") || name.hasSuffix("_y") || name.hasSuffix("_z"): typical = 0.1
        case "SH_L": typical = 0.01
        case "zero": typical = 0.01
        default: typical = 1
        }
        return 1e-6 * max(abs(value), typical)
    }
}
