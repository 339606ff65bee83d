import Foundation
import XrayCore

/// The reflections of a powder simulation inside a 2θ range as Laue orbits (symmetry families), one
/// entry per orbit instead of one per (h, k, l), in the order their members first appear when every
/// reflection of one Friedel half-space is sorted by |g| (ties in enumeration order h, k, l ascending).
///
/// The half-space reflections (h > 0, or h = 0 and k > 0, or h = k = 0 and l > 0) are visited once in
/// that enumeration order; the first one of an orbit not yet seen generates the orbit under the Laue
/// group (`LaueGroup`), and every member is marked in a bitmap of the half-space box, so later members
/// are skipped without sorting or comparing reflections. Each family keeps:
/// - `representative`: its member that comes first in |g| order (smallest |g|, then enumeration order), the
///   reflection whose |F|² stands for the family;
/// - `g`: that member's |g| = 1/d (Å⁻¹), from the same arithmetic as `ReflectionList`;
/// - `count`: its members in the half-space and inside the range (half the multiplicity).
/// The label shown, the orbit's lexicographically largest member, is `LaueGroup.largestImage(of:)`.
struct PowderFamilies {
    struct Family {
        var g: Double
        var representative: SIMD3<Int32>
        var count: Int
        /// The orbit's lexicographically largest member (h, −h and every ±h·R), the family's label:
        /// `LaueGroup.largestImage(of:)`, found while the orbit is generated.
        var label: SIMD3<Int32>
    }

    /// Families in increasing |g| (then enumeration order of the representatives).
    private(set) var families: [Family] = []
    /// Largest |h|, |k|, |l| of the representatives (bounds of the phase tables).
    private(set) var bounds: (Int, Int, Int) = (0, 0, 0)

    var isEmpty: Bool { families.isEmpty }

    init(cell: UnitCell, wavelength: Double, twoThetaRange: ClosedRange<Double>, laue: LaueGroup) {
        let gMin = 2 * sin(twoThetaRange.lowerBound * Double.pi / 360) / wavelength
        let gMax = 2 * sin(twoThetaRange.upperBound * Double.pi / 360) / wavelength
        let r = cell.reciprocalMetric
        // |h| = |g · a| ≤ gMax · a.
        let hMax = Int((gMax * cell.a).rounded(.down)), kMax = Int((gMax * cell.b).rounded(.down))
        let lMax = Int((gMax * cell.c).rounded(.down))
        guard hMax >= 0, kMax >= 0, lMax >= 0 else { return }
        let g2Min = gMin * gMin * (1 - 1e-12), g2Max = gMax * gMax * (1 + 1e-12)
        let r0 = r[0], r1 = r[1], r2 = r[2], r4 = r[4], r5 = r[5], r8 = r[8]
        // |g|² of (h, k, l), written exactly as `ReflectionList` computes it (same rounding).
        @inline(__always) func g2(_ h: SIMD3<Int32>) -> Double {
            let x = Double(h.x), y = Double(h.y), z = Double(h.z)
            let partial = r0 * x * x + r4 * y * y + 2 * r1 * x * y
            let linear = 2 * (r2 * x + r5 * y)
            return partial + z * (r8 * z + linear)
        }
        // Seen-bitmap over the half-space box h 0…hMax, k −kMax…kMax, l −lMax…lMax.
        let ny = 2 * kMax + 1, nz = 2 * lMax + 1
        var seen = [UInt64](repeating: 0, count: ((hMax + 1) * ny * nz + 63) / 64)
        var bh: Int32 = 0, bk: Int32 = 0, bl: Int32 = 0
        seen.withUnsafeMutableBufferPointer { seen in
            for hi in 0...hMax {
                let x = Double(hi)
                for ki in (hi == 0 ? 0 : -kMax)...kMax {
                    let y = Double(ki)
                    let lStart = (hi == 0 && ki == 0) ? 1 : -lMax
                    guard lStart <= lMax else { continue }
                    let partial = r0 * x * x + r4 * y * y + 2 * r1 * x * y
                    let linear = 2 * (r2 * x + r5 * y)
                    // Only l near the roots of r8·l² + linear·l + partial = |g|²max can be in range (one more
                    // on each side for rounding; the test below decides).
                    let discriminant = linear * linear - 4 * r8 * (partial - g2Max)
                    guard discriminant >= 0 else { continue }
                    let root = discriminant.squareRoot()
                    let zLow = (-linear - root) / (2 * r8), zHigh = (-linear + root) / (2 * r8)
                    guard zLow.isFinite, zHigh.isFinite else { continue }
                    let lFirst = max(lStart, Int(max(Double(-lMax), zLow.rounded(.down))) - 1)
                    let lLast = min(lMax, Int(min(Double(lMax), zHigh.rounded(.up))) + 1)
                    guard lFirst <= lLast else { continue }
                    let rowBit = (hi * ny + ki + kMax) * nz + lMax
                    for li in lFirst...lLast {
                        let z = Double(li)
                        let g2h = partial + z * (r8 * z + linear)
                        if g2h < g2Min || g2h > g2Max { continue }
                        let bit = rowBit + li
                        if seen[bit >> 6] & (1 << UInt64(bit & 63)) != 0 { continue }
                        // A new orbit: mark its half-space members, count those in range, find the first in |g| order.
                        let h = SIMD3(Int32(hi), Int32(ki), Int32(li))
                        var family = Family(g: .infinity, representative: h, count: 0, label: h)
                        // m and −m: the one in the half-space is the member; it is also the larger of
                        // the two in (h, k, l) order, so the label is the largest of these.
                        @inline(__always) func visit(_ m: SIMD3<Int32>) {
                            let c = m.x > 0 || (m.x == 0 && (m.y > 0 || (m.y == 0 && m.z > 0))) ? m : SIMD3<Int32>.zero &- m
                            let l = family.label
                            if (c.x, c.y, c.z) > (l.x, l.y, l.z) { family.label = c }
                            guard Int(c.x) <= hMax, abs(Int(c.y)) <= kMax, abs(Int(c.z)) <= lMax else { return }
                            let b = (Int(c.x) * ny + Int(c.y) + kMax) * nz + Int(c.z) + lMax
                            let mask: UInt64 = 1 << UInt64(b & 63)
                            guard seen[b >> 6] & mask == 0 else { return }
                            seen[b >> 6] |= mask
                            let gc2 = g2(c)
                            guard gc2 >= g2Min, gc2 <= g2Max else { return }
                            family.count += 1
                            let gc = gc2.squareRoot()
                            let r = family.representative
                            if gc < family.g || (gc == family.g && (c.x, c.y, c.z) < (r.x, r.y, r.z)) {
                                family.g = gc; family.representative = c
                            }
                        }
                        visit(h)
                        for (c0, c1, c2) in laue.columns {
                            visit(SIMD3((h &* c0).wrappedSum(), (h &* c1).wrappedSum(), (h &* c2).wrappedSum()))
                        }
                        guard family.count > 0 else { continue }
                        let rep = family.representative
                        bh = max(bh, abs(rep.x)); bk = max(bk, abs(rep.y)); bl = max(bl, abs(rep.z))
                        families.append(family)
                    }
                }
            }
        }
        families = Self.sortedByG(families)
        bounds = (Int(bh), Int(bk), Int(bl))
    }

    /// `families` in increasing (|g|, representative (h, k, l)): a bucket sort on |g| (buckets in
    /// increasing order, as many as families), each bucket by insertion.
    static func sortedByG(_ families: [Family]) -> [Family] {
        let n = families.count
        guard n > 1 else { return families }
        var lo = Double.infinity, hi = -Double.infinity
        for f in families { lo = min(lo, f.g); hi = max(hi, f.g) }
        guard hi > lo else { return families.sorted(by: precedes) }
        let scale = Double(n - 1) / (hi - lo)
        // (g − lo)·scale is non-decreasing in g, so bucket order follows |g| order.
        var start = [Int](repeating: 0, count: n + 1)
        var bucket = [Int](repeating: 0, count: n)
        for (i, f) in families.enumerated() {
            let b = min(n - 1, Int((f.g - lo) * scale))
            bucket[i] = b
            start[b + 1] += 1
        }
        for b in 0..<n { start[b + 1] += start[b] }
        var next = start
        var out = families
        for (i, f) in families.enumerated() {
            out[next[bucket[i]]] = f
            next[bucket[i]] += 1
        }
        for b in 0..<n where start[b + 1] - start[b] > 1 {
            for i in (start[b] + 1)..<start[b + 1] {
                let f = out[i]
                var j = i
                while j > start[b], precedes(f, out[j - 1]) { out[j] = out[j - 1]; j -= 1 }
                out[j] = f
            }
        }
        return out
    }

    @inline(__always)
    static func precedes(_ a: Family, _ b: Family) -> Bool {
        a.g != b.g ? a.g < b.g : (a.representative.x, a.representative.y, a.representative.z)
            < (b.representative.x, b.representative.y, b.representative.z)
    }
}
