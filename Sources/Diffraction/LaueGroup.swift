import Foundation
import XrayCore

/// The rotations of a space group plus inversion, acting on Miller indices (h' = h·R),
/// used to split a powder line into symmetry families.
struct LaueGroup {
    private var rotations: [[Int]]

    init(operations: [SymmetryOperation]) {
        var set = Set<[Int]>()
        for op in operations {
            set.insert(op.rotation)
            set.insert(op.rotation.map { -$0 })
        }
        rotations = Array(set)
    }

    private func apply(_ r: [Int], _ h: [Int]) -> [Int] {
        [h[0] * r[0] + h[1] * r[3] + h[2] * r[6],
         h[0] * r[1] + h[1] * r[4] + h[2] * r[7],
         h[0] * r[2] + h[1] * r[5] + h[2] * r[8]]
    }

    /// One representative per family (the lexicographically largest member), in input order.
    func families(of hkls: [[Int]]) -> [[Int]] {
        var assigned = Set<[Int]>()
        var representatives: [[Int]] = []
        for hkl in hkls where !assigned.contains(hkl) {
            var orbit: [[Int]] = []
            for r in rotations { orbit.append(apply(r, hkl)) }
            orbit.append(hkl)
            orbit.append(hkl.map { -$0 })
            for member in orbit { assigned.insert(member) }
            representatives.append(orbit.max { $0.lexicographicallyPrecedes($1) } ?? hkl)
        }
        return representatives
    }
}
