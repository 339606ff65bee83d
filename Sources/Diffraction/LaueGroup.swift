import Foundation
import XrayCore

/// The rotations of a space group plus inversion, acting on Miller indices (h' = h·R),
/// used to split a powder line into symmetry families (members share |F|²).
struct LaueGroup {
    /// Columns of each distinct rotation, so h' = (h·c0, h·c1, h·c2).
    private var columns: [(SIMD3<Int32>, SIMD3<Int32>, SIMD3<Int32>)] = []

    init(operations: [SymmetryOperation]) {
        var seen = Set<[Int]>()
        for op in operations {
            for r in [op.rotation, op.rotation.map { -$0 }] where seen.insert(r).inserted {
                columns.append((SIMD3(Int32(r[0]), Int32(r[3]), Int32(r[6])),
                                SIMD3(Int32(r[1]), Int32(r[4]), Int32(r[7])),
                                SIMD3(Int32(r[2]), Int32(r[5]), Int32(r[8]))))
            }
        }
    }

    struct Family {
        /// The first member met (used for |F|²).
        var representative: SIMD3<Int32>
        /// The lexicographically largest member of the whole orbit, for display.
        var largest: [Int]
        /// How many of the given reflections belong to it.
        var count: Int
    }

    /// Splits `hkls` (one powder line) into symmetry families, in order of first appearance.
    func split(_ hkls: [SIMD3<Int32>]) -> [Family] {
        var assigned = [Bool](repeating: false, count: hkls.count)
        var families: [Family] = []
        var orbit: [SIMD3<Int32>] = []
        orbit.reserveCapacity(columns.count + 2)
        for i in 0..<hkls.count where !assigned[i] {
            let h = hkls[i]
            orbit.removeAll(keepingCapacity: true)
            orbit.append(h)
            orbit.append(SIMD3<Int32>.zero &- h)
            for (c0, c1, c2) in columns {
                orbit.append(SIMD3((h &* c0).wrappedSum(), (h &* c1).wrappedSum(), (h &* c2).wrappedSum()))
            }
            var count = 0
            for j in i..<hkls.count where !assigned[j] && orbit.contains(hkls[j]) {
                assigned[j] = true
                count += 1
            }
            var best = orbit[0]
            for m in orbit.dropFirst() where (m.x, m.y, m.z) > (best.x, best.y, best.z) { best = m }
            families.append(Family(representative: h, largest: [Int(best.x), Int(best.y), Int(best.z)], count: count))
        }
        return families
    }
}
