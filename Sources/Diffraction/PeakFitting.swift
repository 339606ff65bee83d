import Foundation
import XrayNumerics

/// One fitted pseudo-Voigt peak with standard uncertainties.
public struct FittedPeak: Sendable, Hashable {
    /// Centre 2θ in degrees and its standard uncertainty.
    public var twoTheta: Double, twoThetaError: Double
    /// Net peak height above background.
    public var height: Double
    /// Integrated area (intensity × degrees) and its uncertainty.
    public var area: Double, areaError: Double
    /// FWHM in degrees and its uncertainty.
    public var fwhm: Double, fwhmError: Double
    /// Lorentzian fraction η (0 = Gaussian, 1 = Lorentzian).
    public var eta: Double
    /// d-spacing in Å (nil without a wavelength).
    public var d: Double?
    /// Scherrer crystallite size in nm (nil without a wavelength or if the peak is not broader than the instrument).
    public var crystalliteSize: Double?
}

/// Least-squares fitting of overlapping peak groups with pseudo-Voigt profiles plus a constant.
enum PeakFitting {
    /// Fits `candidates` on `net` = intensity − background; `sigma` are point uncertainties.
    static func fit(x: [Double], net: [Double], sigma: [Double], candidates: [PeakCandidate]) -> [FittedPeak] {
        let sorted = candidates.sorted { $0.twoTheta < $1.twoTheta }
        guard !sorted.isEmpty else { return [] }
        let step = (x[x.count - 1] - x[0]) / Double(max(1, x.count - 1))
        // Group peaks whose profiles overlap.
        var groups: [[PeakCandidate]] = [[sorted[0]]]
        for c in sorted.dropFirst() {
            let last = groups[groups.count - 1].last!
            if c.twoTheta - last.twoTheta < 1.5 * (c.fwhm + last.fwhm) { groups[groups.count - 1].append(c) } else { groups.append([c]) }
        }
        var result: [FittedPeak] = []
        for group in groups {
            let lo = group.first!.twoTheta - 2.5 * max(group.first!.fwhm, 2 * step)
            let hi = group.last!.twoTheta + 2.5 * max(group.last!.fwhm, 2 * step)
            guard let start = x.firstIndex(where: { $0 >= lo }), let endIndex = x.lastIndex(where: { $0 <= hi }), endIndex > start else { continue }
            let xs = Array(x[start...endIndex]), ys = Array(net[start...endIndex]), ws = sigma[start...endIndex].map { 1 / max($0, 1e-12) }
            // Parameters per peak: centre, area, fwhm, eta; then one constant.
            var p: [Double] = [], lower: [Double] = [], upper: [Double] = []
            for c in group {
                let w = max(c.fwhm, 2 * step)
                let area = c.height * w * 1.2
                p += [c.twoTheta, area, w, 0.5]
                lower += [c.twoTheta - w, 0, step / 2, 0]
                upper += [c.twoTheta + w, 20 * area + 1, 5 * w, 1]
            }
            p.append(0); lower.append(-.infinity); upper.append(.infinity)
            guard xs.count > p.count else { continue }
            let count = group.count
            var options = LevenbergMarquardtOptions(ftol: 1e-10, xtol: 1e-10)
            options.lower = lower
            options.upper = upper
            options.differenceStep = 1e-7
            let fitResult = levenbergMarquardt(initial: p, options: options) { q in
                var out = [Double](repeating: 0, count: xs.count)
                for i in 0..<xs.count {
                    var model = q[4 * count]
                    for k in 0..<count {
                        model += q[4 * k + 1] * PseudoVoigt.value(xs[i] - q[4 * k], fwhm: q[4 * k + 2], eta: q[4 * k + 3])
                    }
                    out[i] = (model - ys[i]) * ws[i]
                }
                return out
            }
            let q = fitResult.parameters
            // Standard uncertainties: sqrt(diag((JᵀJ)⁻¹) · χ²/(n − p)).
            let scale = fitResult.chiSquare / Double(max(1, xs.count - p.count))
            let e = (0..<p.count).map { j in
                fitResult.inverseNormalMatrix.map { (max(0, $0[j][j]) * scale).squareRoot() } ?? .nan
            }
            for k in 0..<count {
                result.append(FittedPeak(twoTheta: q[4 * k], twoThetaError: e[4 * k],
                                         height: q[4 * k + 1] * PseudoVoigt.height(fwhm: q[4 * k + 2], eta: q[4 * k + 3]),
                                         area: q[4 * k + 1], areaError: e[4 * k + 1],
                                         fwhm: q[4 * k + 2], fwhmError: e[4 * k + 2], eta: q[4 * k + 3]))
            }
        }
        return result.sorted { $0.twoTheta < $1.twoTheta }
    }
}
