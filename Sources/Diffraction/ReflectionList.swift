import Foundation
import XrayCore

/// The reciprocal-lattice points (h, k, l) of one Friedel half-space whose 2θ lies in a range.
///
/// Stored as contiguous arrays; `g` is |g| = 1/d in Å⁻¹.
struct ReflectionList {
    var h: [Int32] = [], k: [Int32] = [], l: [Int32] = []
    var g: [Double] = []
    /// Largest |h|, |k|, |l| present (bounds of the phase tables).
    var bounds: (Int, Int, Int) = (0, 0, 0)

    var count: Int { g.count }
    var isEmpty: Bool { g.isEmpty }

    func hkl(_ i: Int) -> SIMD3<Int32> { SIMD3(h[i], k[i], l[i]) }

    init(cell: UnitCell, wavelength: Double, twoThetaRange: ClosedRange<Double>) {
        let gMin = 2 * sin(twoThetaRange.lowerBound * Double.pi / 360) / wavelength
        let gMax = 2 * sin(twoThetaRange.upperBound * Double.pi / 360) / wavelength
        let r = cell.reciprocalMetric
        // |h| = |g · a| ≤ gMax · a.
        let hMax = Int((gMax * cell.a).rounded(.down)), kMax = Int((gMax * cell.b).rounded(.down))
        let lMax = Int((gMax * cell.c).rounded(.down))
        let g2Min = gMin * gMin * (1 - 1e-12), g2Max = gMax * gMax * (1 + 1e-12)
        var bh = 0, bk = 0, bl = 0
        for hi in 0...max(0, hMax) {
            let x = Double(hi)
            for ki in (hi == 0 ? 0 : -kMax)...kMax {
                let y = Double(ki)
                let lStart = (hi == 0 && ki == 0) ? 1 : -lMax
                guard lStart <= lMax else { continue }
                let partial = r[0] * x * x + r[4] * y * y + 2 * r[1] * x * y
                let linear = 2 * (r[2] * x + r[5] * y)
                for li in lStart...lMax {
                    let z = Double(li)
                    let g2 = partial + z * (r[8] * z + linear)
                    if g2 < g2Min || g2 > g2Max { continue }
                    h.append(Int32(hi)); k.append(Int32(ki)); l.append(Int32(li))
                    g.append(g2.squareRoot())
                    bh = max(bh, hi); bk = max(bk, abs(ki)); bl = max(bl, abs(li))
                }
            }
        }
        bounds = (bh, bk, bl)
    }
}
