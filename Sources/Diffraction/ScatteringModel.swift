import Foundation
import XrayCore

/// The unit-cell contents prepared for structure-factor sums: atoms grouped by form factor,
/// with coordinates, occupancies and Debye–Waller tensors in contiguous arrays.
struct ScatteringModel {
    var factors: [AtomicScatteringFactor] = []
    /// Per factor: anomalous f′ and f″ in electrons at the simulation's energy (zero when off).
    var fPrime: [Double] = [], fDoublePrime: [Double] = []
    /// Per atom: index into `factors`.
    var factorIndex: [Int] = []
    var x: [Double] = [], y: [Double] = [], z: [Double] = []
    var occupancy: [Double] = []
    /// Per atom, 6 entries: the Debye–Waller exponent T = exp(−(β₀h² + β₁k² + β₂l² + β₃hk + β₄hl + β₅kl)),
    /// β = 2π²·C with the off-diagonal terms doubled, C the fractional covariance (isotropic: C = U G*).
    var beta: [Double] = []
    /// Whether any atom has a non-zero Debye–Waller tensor.
    var hasDebyeWaller = false
    var hasAnomalous: Bool { fDoublePrime.contains { $0 != 0 } || fPrime.contains { $0 != 0 } }
    /// Sites whose anisotropic tensor was not positive definite (isotropic U used instead).
    var nonPositiveDefinite: [String] = []

    /// `atoms` are unit-cell atoms whose `uAniso` is already rotated to their positions
    /// (`CrystalStructure.unitCellAtomsRotatingDisplacements`).
    init(atoms: [AtomSite], cell: UnitCell, options: SimulationOptions) throws {
        var indexByKey: [String: Int] = [:]
        let energy = AnomalousScatteringFactor.hcElectronVoltAngstrom / options.wavelength
        if options.anomalous, !AnomalousScatteringFactor.energyRange.contains(energy) {
            throw RoentgenError.badParameter("anomalous terms need 1–200 keV (λ = \(options.wavelength) Å is \(String(format: "%.4g", energy / 1000)) keV)")
        }
        let reciprocal = cell.reciprocalMetric
        for atom in atoms {
            var factor: AtomicScatteringFactor?
            if options.ionicFormFactors, atom.charge != 0 {
                let name = atom.element.symbol + "\(abs(atom.charge))" + (atom.charge > 0 ? "+" : "-")
                factor = AtomicScatteringFactor.ion(name)
            }
            factor = factor ?? AtomicScatteringFactor.neutral(atom.element.atomicNumber)
            guard let factor else {
                throw RoentgenError(.badData, "no X-ray form factor for \(atom.element.symbol) (Waasmaier–Kirfel covers Z ≤ 98)")
            }
            let index: Int
            if let existing = indexByKey[factor.ion] { index = existing } else {
                index = factors.count
                indexByKey[factor.ion] = index
                factors.append(factor)
                var anomalous = AnomalousScatteringFactor(fPrime: 0, fDoublePrime: 0)
                if options.anomalous {
                    guard let value = AnomalousScatteringFactor.chantler(factor.atomicNumber, energy: energy) else {
                        throw RoentgenError(.badData, "no anomalous scattering factors for \(atom.element.symbol) (the Chantler table covers Z ≤ 92)")
                    }
                    anomalous = value
                }
                fPrime.append(anomalous.fPrime); fDoublePrime.append(anomalous.fDoublePrime)
            }
            factorIndex.append(index)
            x.append(atom.fract.x); y.append(atom.fract.y); z.append(atom.fract.z)
            occupancy.append(atom.occupancy)
            var c = [Double](repeating: 0, count: 9)
            if options.debyeWaller {
                if options.anisotropicDisplacement, let u = atom.uAniso, u.count == 6 {
                    if AtomSite.isPositiveDefinite(uAniso: u) {
                        c = cell.fractionalCovariance(uAniso: u)
                    } else {
                        if !nonPositiveDefinite.contains(atom.label) { nonPositiveDefinite.append(atom.label) }
                        c = reciprocal.map { $0 * (atom.uIso ?? 0) }
                    }
                } else if let u = atom.uAniso, u.count == 6, AtomSite.isPositiveDefinite(uAniso: u) {
                    // Isotropic on request: the tensor's proper U_eq (a reader's (U11+U22+U33)/3 is off in oblique cells).
                    let uEq = cell.equivalentIsotropicU(uAniso: u)
                    c = reciprocal.map { $0 * uEq }
                } else if let u = atom.uIso {
                    c = reciprocal.map { $0 * u }
                }
            }
            let k = 2 * Double.pi * Double.pi
            beta += [k * c[0], k * c[4], k * c[8], 2 * k * c[1], 2 * k * c[2], 2 * k * c[5]]
        }
        hasDebyeWaller = beta.contains { $0 != 0 }
    }

    /// cos and sin of 2π n t for n in −n…n, per atom, laid out [atom][n + nMax].
    private func phaseTable(_ t: [Double], nMax: Int) -> (cos: [Double], sin: [Double]) {
        let width = 2 * nMax + 1
        var c = [Double](repeating: 0, count: t.count * width), s = c
        for j in 0..<t.count {
            let base = j * width + nMax
            c[base] = 1
            let c1 = cos(2 * Double.pi * t[j]), s1 = sin(2 * Double.pi * t[j])
            var cn = 1.0, sn = 0.0
            for n in 1...max(1, nMax) where n <= nMax {
                // Angle addition keeps tables exact to rounding without n·t products.
                let cNext = cn * c1 - sn * s1, sNext = sn * c1 + cn * s1
                cn = cNext; sn = sNext
                c[base + n] = cn; s[base + n] = sn
                c[base - n] = cn; s[base - n] = -sn
            }
        }
        return (c, s)
    }

    /// Phase tables for reflections up to `bounds`, ready for `structureFactorSquared`.
    func phases(bounds: (Int, Int, Int)) -> PhaseTables {
        PhaseTables(x: phaseTable(x, nMax: bounds.0), y: phaseTable(y, nMax: bounds.1), z: phaseTable(z, nMax: bounds.2),
                    bounds: bounds)
    }

    struct PhaseTables {
        var x: (cos: [Double], sin: [Double]), y: (cos: [Double], sin: [Double]), z: (cos: [Double], sin: [Double])
        var bounds: (Int, Int, Int)
    }

    /// The Friedel-pair mean ½(|F(h)|² + |F(−h)|²) in electrons² at s² = (sin θ/λ)², which is |F(h)|²
    /// without anomalous terms; `f` is scratch space of `factors.count`.
    ///
    /// With A = Σ a cos φ, B = Σ a sin φ, C = Σ b cos φ, D = Σ b sin φ (a = occ·T·(f0 + f′), b = occ·T·f″),
    /// F(±h) = (A ∓ D) + i(±B + C), so the mean is A² + B² + C² + D².
    func structureFactorSquared(_ hkl: SIMD3<Int32>, s2: Double, tables t: PhaseTables, scratch f: inout [Double]) -> Double {
        let (hb, kb, lb) = t.bounds
        let wx = 2 * hb + 1, wy = 2 * kb + 1, wz = 2 * lb + 1
        for e in 0..<factors.count { f[e] = factors[e].f0(s2: s2) + fPrime[e] }
        let h = Int(hkl.x) + hb, k = Int(hkl.y) + kb, l = Int(hkl.z) + lb
        let hx = Double(hkl.x), ky = Double(hkl.y), lz = Double(hkl.z)
        let q0 = hx * hx, q1 = ky * ky, q2 = lz * lz, q3 = hx * ky, q4 = hx * lz, q5 = ky * lz
        var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0
        let useB = hasDebyeWaller, anomalous = hasAnomalous
        return t.x.cos.withUnsafeBufferPointer { xc in t.x.sin.withUnsafeBufferPointer { xs in
            t.y.cos.withUnsafeBufferPointer { yc in t.y.sin.withUnsafeBufferPointer { ys in
                t.z.cos.withUnsafeBufferPointer { zc in t.z.sin.withUnsafeBufferPointer { zs in
                    beta.withUnsafeBufferPointer { bt in
                        for j in 0..<x.count {
                            var weight = occupancy[j]
                            if useB {
                                let o = 6 * j
                                weight *= exp(-(bt[o] * q0 + bt[o + 1] * q1 + bt[o + 2] * q2
                                                + bt[o + 3] * q3 + bt[o + 4] * q4 + bt[o + 5] * q5))
                            }
                            let ax = xc[j * wx + h], bx = xs[j * wx + h]
                            let ay = yc[j * wy + k], by = ys[j * wy + k]
                            let az = zc[j * wz + l], bz = zs[j * wz + l]
                            let cxy = ax * ay - bx * by, sxy = ax * by + bx * ay
                            let c = cxy * az - sxy * bz, s = cxy * bz + sxy * az
                            let a = weight * f[factorIndex[j]]
                            sa += a * c
                            sb += a * s
                            if anomalous {
                                let b = weight * fDoublePrime[factorIndex[j]]
                                sc += b * c
                                sd += b * s
                            }
                        }
                        return sa * sa + sb * sb + sc * sc + sd * sd
                    }
                } }
            } }
        } }
    }
}
