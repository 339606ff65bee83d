import Foundation
import XrayCore

/// The unit-cell contents prepared for structure-factor sums: atoms grouped by form factor,
/// with coordinates, occupancies and Debye–Waller tensors in contiguous arrays.
struct ScatteringModel {
    var factors: [AtomicScatteringFactor] = []
    /// Every factor's coefficients flat, c then (aᵢ, bᵢ) pairs, factor e in gaussianStart[e] ..< gaussianStart[e + 1].
    var gaussians: [Double] = [], gaussianStart: [Int] = [0]
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
    /// Whether any factor has a non-zero f′ or f″.
    var hasAnomalous = false
    /// Sites whose anisotropic tensor was not positive definite (isotropic U used instead).
    var nonPositiveDefinite: [String] = []

    /// `atoms` are unit-cell atoms whose `uAniso` is already rotated to their positions
    /// (`CrystalStructure.unitCellAtomsRotatingDisplacements`).
    init(atoms: [AtomSite], cell: UnitCell, options: SimulationOptions) throws {
        try self.init(sites: atoms, images: atoms.indices.map { ($0, 0, atoms[$0].fract) }, cell: cell, options: options)
    }

    /// The atoms `images` (a site of `sites` at a position each, as from `CrystalStructure.unitCellImages`):
    /// form factor, occupancy and Debye–Waller tensor per site, positions per atom.
    init(sites: [AtomSite], images: [(site: Int, operation: Int, position: SIMD3<Double>)], cell: UnitCell,
         options: SimulationOptions) throws {
        let energy = AnomalousScatteringFactor.hcElectronVoltAngstrom / options.wavelength
        if options.anomalous, !AnomalousScatteringFactor.energyRange.contains(energy) {
            throw RoentgenError.badParameter("anomalous terms need 1–200 keV (λ = \(options.wavelength) Å is \(String(format: "%.4g", energy / 1000)) keV)")
        }
        let reciprocal = cell.reciprocalMetric
        // Per site: factor index, occupancy, the six Debye–Waller coefficients.
        var siteFactor: [Int] = [], siteOccupancy: [Double] = [], siteBeta: [Double] = []
        siteFactor.reserveCapacity(sites.count); siteOccupancy.reserveCapacity(sites.count); siteBeta.reserveCapacity(6 * sites.count)
        // The factor of each (Z, charge looked up) met so far: the table is searched once per kind of atom.
        var lookedUp: [(key: Int, index: Int)] = []
        for atom in sites {
            let ionic = options.ionicFormFactors && atom.charge != 0
            let key = atom.element.atomicNumber * 1024 + (ionic ? atom.charge + 512 : 0)
            let index: Int
            if let known = lookedUp.first(where: { $0.key == key }) {
                index = known.index
            } else {
                var factor: AtomicScatteringFactor?
                if ionic {
                    let name = atom.element.symbol + "\(abs(atom.charge))" + (atom.charge > 0 ? "+" : "-")
                    factor = AtomicScatteringFactor.ion(name)
                }
                factor = factor ?? AtomicScatteringFactor.neutral(atom.element.atomicNumber)
                guard let factor else {
                    throw RoentgenError(.badData, "no X-ray form factor for \(atom.element.symbol) (Waasmaier–Kirfel covers Z ≤ 98)")
                }
                if let existing = factors.firstIndex(where: { $0.ion == factor.ion }) { index = existing } else {
                    index = factors.count
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
                lookedUp.append((key, index))
            }
            siteFactor.append(index)
            siteOccupancy.append(atom.occupancy)
            guard options.debyeWaller else {
                for _ in 0..<6 { siteBeta.append(0) }
                continue
            }
            var c = [Double](repeating: 0, count: 9)
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
            let k = 2 * Double.pi * Double.pi
            siteBeta += [k * c[0], k * c[4], k * c[8], 2 * k * c[1], 2 * k * c[2], 2 * k * c[5]]
        }
        let n = images.count
        factorIndex.reserveCapacity(n); occupancy.reserveCapacity(n); beta.reserveCapacity(6 * n)
        x.reserveCapacity(n); y.reserveCapacity(n); z.reserveCapacity(n)
        for (site, _, p) in images {
            factorIndex.append(siteFactor[site])
            occupancy.append(siteOccupancy[site])
            for q in 0..<6 { beta.append(siteBeta[6 * site + q]) }
            x.append(p.x); y.append(p.y); z.append(p.z)
        }
        for factor in factors {
            gaussians.append(factor.c)
            for i in 0..<factor.a.count { gaussians.append(factor.a[i]); gaussians.append(factor.b[i]) }
            gaussianStart.append(gaussians.count)
        }
        hasDebyeWaller = beta.contains { $0 != 0 }
        hasAnomalous = fDoublePrime.contains { $0 != 0 } || fPrime.contains { $0 != 0 }
    }

    /// cos and sin of 2π n t for n in −nMax…nMax and every atom, laid out [n + nMax][atom] (the atoms of
    /// one index contiguous).
    private func phaseTable(_ t: [Double], nMax: Int) -> (cos: [Double], sin: [Double]) {
        let atoms = t.count
        var c = [Double](repeating: 0, count: atoms * (2 * nMax + 1)), s = c
        for j in 0..<atoms {
            let base = nMax * atoms + j
            c[base] = 1
            let c1 = cos(2 * Double.pi * t[j]), s1 = sin(2 * Double.pi * t[j])
            var cn = 1.0, sn = 0.0
            for n in 1...max(1, nMax) where n <= nMax {
                // Angle addition keeps tables exact to rounding without n·t products.
                let cNext = cn * c1 - sn * s1, sNext = sn * c1 + cn * s1
                cn = cNext; sn = sNext
                c[base + n * atoms] = cn; s[base + n * atoms] = sn
                c[base - n * atoms] = cn; s[base - n * atoms] = -sn
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

    /// f0(s²) + f′ of every factor into `f` (`factors.count` long), electrons.
    func formFactors(s2: Double, into f: inout [Double]) {
        gaussians.withUnsafeBufferPointer { g in
            for e in 0..<factors.count {
                // `AtomicScatteringFactor.f0(s2:)` from the flat coefficients: c + Σ aᵢ exp(−bᵢ s²), same order.
                let (start, end) = (gaussianStart[e], gaussianStart[e + 1])
                var value = g[start]
                for i in stride(from: start + 1, to: end, by: 2) { value += g[i] * exp(-g[i + 1] * s2) }
                f[e] = value + fPrime[e]
            }
        }
    }

    /// The Friedel-pair mean ½(|F(h)|² + |F(−h)|²) in electrons² at s² = (sin θ/λ)², which is |F(h)|²
    /// without anomalous terms; `f` is scratch space of `factors.count`.
    func structureFactorSquared(_ hkl: SIMD3<Int32>, s2: Double, tables t: PhaseTables, scratch f: inout [Double]) -> Double {
        formFactors(s2: s2, into: &f)
        return structureFactorSquared(hkl, formFactors: f, tables: t)
    }

    /// As above with the form factors `f` (from `formFactors(s2:into:)` at this reflection's s²) given.
    ///
    /// With A = Σ a cos φ, B = Σ a sin φ, C = Σ b cos φ, D = Σ b sin φ (a = occ·T·(f0 + f′), b = occ·T·f″),
    /// F(±h) = (A ∓ D) + i(±B + C), so the mean is A² + B² + C² + D².
    func structureFactorSquared(_ hkl: SIMD3<Int32>, formFactors f: [Double], tables t: PhaseTables) -> Double {
        let atoms = x.count
        let (hb, kb, lb) = t.bounds
        let ox = (Int(hkl.x) + hb) * atoms, oy = (Int(hkl.y) + kb) * atoms, oz = (Int(hkl.z) + lb) * atoms
        let hx = Double(hkl.x), ky = Double(hkl.y), lz = Double(hkl.z)
        let q0 = hx * hx, q1 = ky * ky, q2 = lz * lz, q3 = hx * ky, q4 = hx * lz, q5 = ky * lz
        var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0
        let useB = hasDebyeWaller, anomalous = hasAnomalous
        return t.x.cos.withUnsafeBufferPointer { xc in t.x.sin.withUnsafeBufferPointer { xs in
            t.y.cos.withUnsafeBufferPointer { yc in t.y.sin.withUnsafeBufferPointer { ys in
                t.z.cos.withUnsafeBufferPointer { zc in t.z.sin.withUnsafeBufferPointer { zs in
                    beta.withUnsafeBufferPointer { bt in occupancy.withUnsafeBufferPointer { occ in
                        factorIndex.withUnsafeBufferPointer { fi in f.withUnsafeBufferPointer { fe in
                            var first = 0
                            if !useB, !anomalous, let px = xc.baseAddress, let qx = xs.baseAddress, let py = yc.baseAddress,
                               let qy = ys.baseAddress, let pz = zc.baseAddress, let qz = zs.baseAddress, let po = occ.baseAddress {
                                // Four atoms' phase factors at a time (the same products per atom), summed in atom order.
                                typealias V = SIMD4<Double>
                                func load(_ p: UnsafePointer<Double>, _ i: Int) -> V {
                                    UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
                                }
                                while first + 4 <= atoms {
                                    let j = first
                                    let ax = load(px, ox + j), bx = load(qx, ox + j)
                                    let ay = load(py, oy + j), by = load(qy, oy + j)
                                    let az = load(pz, oz + j), bz = load(qz, oz + j)
                                    let cxy = ax * ay - bx * by, sxy = ax * by + bx * ay
                                    let c = cxy * az - sxy * bz, s = cxy * bz + sxy * az
                                    let a = load(po, j) * V(fe[fi[j]], fe[fi[j + 1]], fe[fi[j + 2]], fe[fi[j + 3]])
                                    let ac = a * c, aS = a * s
                                    sa += ac[0]; sa += ac[1]; sa += ac[2]; sa += ac[3]
                                    sb += aS[0]; sb += aS[1]; sb += aS[2]; sb += aS[3]
                                    first += 4
                                }
                            }
                            for j in first..<atoms {
                                var weight = occ[j]
                                if useB {
                                    let o = 6 * j
                                    weight *= exp(-(bt[o] * q0 + bt[o + 1] * q1 + bt[o + 2] * q2
                                                    + bt[o + 3] * q3 + bt[o + 4] * q4 + bt[o + 5] * q5))
                                }
                                let ax = xc[ox + j], bx = xs[ox + j]
                                let ay = yc[oy + j], by = ys[oy + j]
                                let az = zc[oz + j], bz = zs[oz + j]
                                let cxy = ax * ay - bx * by, sxy = ax * by + bx * ay
                                let c = cxy * az - sxy * bz, s = cxy * bz + sxy * az
                                let a = weight * fe[fi[j]]
                                sa += a * c
                                sb += a * s
                                if anomalous {
                                    let b = weight * fDoublePrime[fi[j]]
                                    sc += b * c
                                    sd += b * s
                                }
                            }
                            return sa * sa + sb * sb + sc * sc + sd * sd
                        } }
                    } }
                } }
            } }
        } }
    }
}
