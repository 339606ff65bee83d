import Foundation
import XrayCore

/// Parameters of a pair distribution function calculation from a structure (PDFfit2 conventions).
public struct PDFSimulationOptions: Sendable, Hashable {
    /// r grid in Å.
    public var rMin = 0.01, rMax = 20.0, rStep = 0.01
    /// Qmax in Å⁻¹ for termination ripples (0: none).
    public var qMax = 25.0
    /// Q-resolution damping: G is multiplied by exp(−(qdamp·r)²/2).
    public var qDamp = 0.0
    /// U_iso in Å² applied to every site (nil: each site's own U_iso, else 0.005).
    public var uIso: Double?
    public init() {}
}

/// G(r) = (1/N) Σᵢ Σⱼ≠ᵢ (fᵢfⱼ/⟨f⟩²) Tᵢⱼ(r)/r − 4πρ₀r, with Gaussian pair peaks Tᵢⱼ of variance
/// Uᵢ + Uⱼ (isotropic), f the X-ray form factors at Q = 0, damped by exp(−(qdamp r)²/2) and convolved
/// with the Qmax termination kernel [sin Qmax(r−r′)/(r−r′) − sin Qmax(r+r′)/(r+r′)]/π.
public enum PDFSimulator {
    public static func simulate(_ structure: CrystalStructure, options: PDFSimulationOptions = PDFSimulationOptions()) throws -> (r: [Double], g: [Double]) {
        guard options.rStep > 0, options.rMax > options.rMin, options.rMin >= 0 else {
            throw RoentgenError.badParameter("r grid \(options.rMin):\(options.rMax) step \(options.rStep) is not valid (expected 0 ≤ rmin < rmax, step > 0)")
        }
        guard options.qMax >= 0, options.qDamp >= 0 else { throw RoentgenError.badParameter("qmax and qdamp must be non-negative") }
        if let u = options.uIso, !(u > 0) { throw RoentgenError.badParameter("uiso must be positive (got \(u) Å²)") }
        let atoms = structure.unitCellAtoms()
        guard !atoms.isEmpty else { throw RoentgenError(.badData, "structure '\(structure.name)' has no atoms") }
        let cell = structure.cell
        let n = atoms.reduce(0) { $0 + $1.occupancy }
        let rho0 = n / cell.volume
        let f = atoms.map { AtomicScatteringFactor.neutral($0.element.atomicNumber)?.f0(s2: 0) ?? Double($0.element.atomicNumber) }
        let fMean = zip(atoms, f).reduce(0) { $0 + $1.0.occupancy * $1.1 } / n
        // A site's anisotropic tensor gives its proper U_eq (a reader's (U11+U22+U33)/3 is off in oblique cells).
        let u = atoms.map { atom -> Double in
            if let u = options.uIso { return u }
            if let t = atom.uAniso, AtomSite.isPositiveDefinite(uAniso: t) { return structure.cell.equivalentIsotropicU(uAniso: t) }
            return atom.uIso ?? 0.005
        }
        // Peaks are computed on a fine grid reaching beyond rMax so the termination convolution sees them.
        let margin = options.qMax > 0 ? 8.0 : 1.0
        let step = options.rStep
        let count = Int((options.rMax + margin) / step) + 1
        var peaks = [Double](repeating: 0, count: count)
        let reach = options.rMax + margin
        let basis = cell.cartesianBasis
        // Cells to visit: enough that every vector shorter than `reach` is found.
        let recip = cell.reciprocalLengths
        let na = Int(reach * recip.0) + 1, nb = Int(reach * recip.1) + 1, nc = Int(reach * recip.2) + 1
        let work = Double(2 * na + 1) * Double(2 * nb + 1) * Double(2 * nc + 1) * Double(atoms.count * atoms.count)
        guard work < 5e8 else {
            throw RoentgenError.badParameter("G(r) to \(options.rMax) Å needs \(String(format: "%.3g", work)) pair images for this cell (limit 5e8): lower rmax")
        }
        let positions = atoms.map { cell.cartesian($0.fract) }
        for i in 0..<atoms.count {
            for j in 0..<atoms.count {
                let weight = atoms[i].occupancy * atoms[j].occupancy * f[i] * f[j] / (fMean * fMean) / n
                let sigma = (u[i] + u[j]).squareRoot()
                let base = positions[j] - positions[i]
                for a in -na...na {
                    for b in -nb...nb {
                        for c in -nc...nc {
                            let t = SIMD3(Double(a) * basis[0][0] + Double(b) * basis[1][0] + Double(c) * basis[2][0],
                                          Double(a) * basis[0][1] + Double(b) * basis[1][1] + Double(c) * basis[2][1],
                                          Double(a) * basis[0][2] + Double(b) * basis[1][2] + Double(c) * basis[2][2])
                            let v = base + t
                            let d = (v * v).sum().squareRoot()
                            guard d > 1e-6, d < reach + 5 * sigma else { continue }
                            let lo = max(1, Int(((d - 5 * sigma) / step).rounded(.down)))
                            let hi = min(count - 1, Int(((d + 5 * sigma) / step).rounded(.up)))
                            guard lo <= hi else { continue }
                            let norm = weight / ((2 * Double.pi).squareRoot() * sigma)
                            for k in lo...hi {
                                let r = Double(k) * step
                                let x = (r - d) / sigma
                                peaks[k] += norm * exp(-0.5 * x * x) / r
                            }
                        }
                    }
                }
            }
        }
        // G on the fine grid (r = k·step), then damping, then termination.
        var g = (0..<count).map { k -> Double in
            let r = Double(k) * step
            return peaks[k] - 4 * Double.pi * rho0 * r
        }
        if options.qDamp > 0 {
            for k in 0..<count {
                let r = Double(k) * step
                g[k] *= exp(-0.5 * (options.qDamp * r) * (options.qDamp * r))
            }
        }
        let rOut = stride(from: options.rMin, through: options.rMax + 1e-9, by: step).map { $0 }
        var gOut = [Double](repeating: 0, count: rOut.count)
        if options.qMax > 0 {
            // Termination acts on the peak part; the linear baseline passes the odd-extended sinc filter unchanged.
            let q = options.qMax
            let baseline: (Double) -> Double = { r in -4 * Double.pi * rho0 * r * (options.qDamp > 0 ? exp(-0.5 * (options.qDamp * r) * (options.qDamp * r)) : 1) }
            let part = (0..<count).map { k in g[k] - baseline(Double(k) * step) }
            for (m, r) in rOut.enumerated() {
                var s = 0.0
                for k in 1..<count {
                    let rp = Double(k) * step
                    let dm = r - rp, dp = r + rp
                    let a = abs(dm) < 1e-12 ? q : sin(q * dm) / dm
                    s += part[k] * (a - sin(q * dp) / dp)
                }
                gOut[m] = s * step / Double.pi + baseline(r)
            }
        } else {
            for (m, r) in rOut.enumerated() {
                let x = r / step
                let k = min(Int(x), count - 2), t = x - Double(k)
                gOut[m] = g[k] * (1 - t) + g[k + 1] * t
            }
        }
        return (rOut, gOut)
    }
}
