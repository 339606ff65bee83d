import Foundation
import XrayCore

/// The rotations of a space group plus inversion, acting on Miller indices (h' = h·R): the Laue
/// class, whose orbits are the powder line's symmetry families (members share |F|² and d).
struct LaueGroup {
    /// Columns of each distinct rotation R and −R, so h' = (h·c0, h·c1, h·c2).
    private(set) var columns: [(SIMD3<Int32>, SIMD3<Int32>, SIMD3<Int32>)] = []

    init(operations: [SymmetryOperation]) {
        // Distinct rotations by a 7-bit-per-entry key (entries of −64…63; others, which no real
        // operation has, by their entries).
        var seenKeys = Set<Int>(minimumCapacity: 2 * operations.count)
        var seenOther = Set<[Int]>()
        columns.reserveCapacity(2 * operations.count)
        for op in operations {
            let r = op.rotation
            guard r.count == 9 else { continue }
            for sign in [1, -1] {
                var key = 0, packed = true
                for v in r {
                    let e = sign * v
                    if e < -64 || e > 63 { packed = false; break }
                    key = key << 7 | (e + 64)
                }
                let inserted = packed ? seenKeys.insert(key).inserted : seenOther.insert(r.map { sign * $0 }).inserted
                guard inserted else { continue }
                let s = Int32(sign)
                columns.append((SIMD3(s * Int32(r[0]), s * Int32(r[3]), s * Int32(r[6])),
                                SIMD3(s * Int32(r[1]), s * Int32(r[4]), s * Int32(r[7])),
                                SIMD3(s * Int32(r[2]), s * Int32(r[5]), s * Int32(r[8]))))
            }
        }
    }

    /// Calls `body` with h, −h and h·R for every rotation R of the group (with repeats where h lies on a
    /// symmetry element).
    @inline(__always)
    func forEachImage(of h: SIMD3<Int32>, _ body: (SIMD3<Int32>) -> Void) {
        body(h)
        body(SIMD3<Int32>.zero &- h)
        for (c0, c1, c2) in columns {
            body(SIMD3((h &* c0).wrappedSum(), (h &* c1).wrappedSum(), (h &* c2).wrappedSum()))
        }
    }
}
