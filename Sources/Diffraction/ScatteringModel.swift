import Foundation
import XrayCore

/// The unit-cell contents prepared for structure-factor sums: atoms grouped by form factor,
/// with coordinates, occupancies and Debye–Waller B in contiguous arrays.
struct ScatteringModel {
    var factors: [AtomicScatteringFactor] = []
    /// Per atom: index into `factors`.
    var factorIndex: [Int] = []
    var x: [Double] = [], y: [Double] = [], z: [Double] = []
    var occupancy: [Double] = []
    /// Per atom B in Å² (0 when Debye–Waller is off or unknown).
    var b: [Double] = []
    var hasDebyeWaller: Bool { b.contains { $0 != 0 } }

    init(atoms: [AtomSite], options: SimulationOptions) throws {
        var indexByKey: [String: Int] = [:]
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
            }
            factorIndex.append(index)
            x.append(atom.fract.x); y.append(atom.fract.y); z.append(atom.fract.z)
            occupancy.append(atom.occupancy)
            b.append(options.debyeWaller ? (atom.bIso ?? 0) : 0)
        }
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

    /// |F(hkl)|² in electrons² at s² = (sin θ/λ)²; `f` is scratch space of `factors.count`.
    func structureFactorSquared(_ hkl: SIMD3<Int32>, s2: Double, tables t: PhaseTables, scratch f: inout [Double]) -> Double {
        let (hb, kb, lb) = t.bounds
        let wx = 2 * hb + 1, wy = 2 * kb + 1, wz = 2 * lb + 1
        for e in 0..<factors.count { f[e] = factors[e].f0(s2: s2) }
        let h = Int(hkl.x) + hb, k = Int(hkl.y) + kb, l = Int(hkl.z) + lb
        var re = 0.0, im = 0.0
        let useB = hasDebyeWaller
        return t.x.cos.withUnsafeBufferPointer { xc in t.x.sin.withUnsafeBufferPointer { xs in
            t.y.cos.withUnsafeBufferPointer { yc in t.y.sin.withUnsafeBufferPointer { ys in
                t.z.cos.withUnsafeBufferPointer { zc in t.z.sin.withUnsafeBufferPointer { zs in
                    for j in 0..<x.count {
                        var amplitude = f[factorIndex[j]] * occupancy[j]
                        if useB { amplitude *= exp(-b[j] * s2) }
                        let ax = xc[j * wx + h], bx = xs[j * wx + h]
                        let ay = yc[j * wy + k], by = ys[j * wy + k]
                        let az = zc[j * wz + l], bz = zs[j * wz + l]
                        let cxy = ax * ay - bx * by, sxy = ax * by + bx * ay
                        re += amplitude * (cxy * az - sxy * bz)
                        im += amplitude * (cxy * bz + sxy * az)
                    }
                    return re * re + im * im
                } }
            } }
        } }
    }
}
