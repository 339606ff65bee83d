import Foundation
import XrayCore

/// A space group's action on Miller indices for a powder pattern: its rotations plus inversion (the
/// Laue class, h' = h·R, whose orbits are the symmetry families: members share |F|² and d), and its
/// lattice-centring vectors (operations x + t: a reflection with h·t not an integer is extinct).
struct LaueGroup {
    /// Columns of one rotation of each pair {R, −R} of the Laue class, so h' = ±(h·c0, h·c1, h·c2):
    /// the orbit of h is every h·R and its negative.
    private(set) var columns: [(SIMD3<Int32>, SIMD3<Int32>, SIMD3<Int32>)] = []
    /// Translations t of the operations x + t other than the identity.
    private(set) var centring: [SIMD3<Double>] = []

    init(operations: [SymmetryOperation]) {
        // Distinct rotations up to sign, by a 7-bit-per-entry key of R or −R (whichever key is smaller),
        // in a small open-addressing table (entries outside −64…63, which no real operation has, by their
        // entries in a set).
        var table = [Int](repeating: -1, count: max(16, 4 * operations.count).nextPowerOfTwo)
        let mask = table.count - 1
        var seenOther = Set<[Int]>()
        columns.reserveCapacity(operations.count)
        for op in operations {
            let r = op.rotation
            guard r.count == 9 else { continue }
            if r[0] == 1, r[4] == 1, r[8] == 1, r[1] == 0, r[2] == 0, r[3] == 0, r[5] == 0, r[6] == 0, r[7] == 0 {
                let t = op.translation
                if (0..<3).contains(where: { abs(t[$0] - t[$0].rounded()) > 1e-6 }) { centring.append(t) }
            }
            var plus = 0, minus = 0, packed = true
            for v in r {
                if v < -63 || v > 63 { packed = false; break }
                plus = plus << 7 | (v + 64); minus = minus << 7 | (64 - v)
            }
            var inserted = false
            if packed {
                let key = min(plus, minus)
                var slot = (key &* 0x5851_F42D_4C95_7F2D) >> 7 & mask
                while table[slot] != -1 && table[slot] != key { slot = (slot + 1) & mask }
                if table[slot] == -1 { table[slot] = key; inserted = true }
            } else {
                inserted = seenOther.insert(r).inserted && seenOther.insert(r.map { -$0 }).inserted
            }
            guard inserted else { continue }
            columns.append((SIMD3(Int32(r[0]), Int32(r[3]), Int32(r[6])), SIMD3(Int32(r[1]), Int32(r[4]), Int32(r[7])),
                            SIMD3(Int32(r[2]), Int32(r[5]), Int32(r[8]))))
        }
    }

    /// The lexicographically largest (h, k, l) of the orbit of h (h, −h and every ±h·R): a family's label.
    func largestImage(of h: SIMD3<Int32>) -> SIMD3<Int32> {
        var best = h
        func consider(_ m: SIMD3<Int32>) {
            let n = SIMD3<Int32>.zero &- m
            let top = (m.x, m.y, m.z) > (n.x, n.y, n.z) ? m : n
            if (top.x, top.y, top.z) > (best.x, best.y, best.z) { best = top }
        }
        consider(h)
        for (c0, c1, c2) in columns { consider(SIMD3((h &* c0).wrappedSum(), (h &* c1).wrappedSum(), (h &* c2).wrappedSum())) }
        return best
    }

    /// Whether a lattice centring extinguishes h (h·t not an integer; tolerance 0.01 for translations
    /// written as decimals such as 0.3333): then F(h) = 0 exactly, the unit cell's atoms repeating by t.
    @inline(__always)
    func isCentringExtinct(_ h: SIMD3<Int32>) -> Bool {
        for t in centring {
            let v = Double(h.x) * t.x + Double(h.y) * t.y + Double(h.z) * t.z
            if abs(v - v.rounded()) > 0.01 { return true }
        }
        return false
    }
}

private extension Int {
    /// The smallest power of two ≥ self (self ≥ 1).
    var nextPowerOfTwo: Int { 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
