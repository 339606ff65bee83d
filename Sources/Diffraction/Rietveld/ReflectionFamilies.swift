import Foundation
import XrayCore

/// One set of symmetry-equivalent reflections of a powder pattern: they share d and |F|².
public struct ReflectionFamily: Sendable, Hashable {
    /// A representative (h, k, l): the lexicographically largest member.
    public var hkl: SIMD3<Int32>
    /// Multiplicity: the number of distinct members, Friedel mates included.
    public var multiplicity: Int
    /// Every member (for preferred orientation), Friedel mates included.
    public var members: [SIMD3<Int32>]
}

/// The reflection families of a phase inside a 2θ range, systematic absences removed.
///
/// Reflections come from `ReflectionList` (one Friedel half-space), are grouped into orbits under the
/// point group's rotations plus inversion (the Laue class, since powder data see |F(h)|² = |F(−h)|²
/// after Friedel averaging), and a family is dropped when its representative is extinguished by a
/// screw axis, glide plane or centring: some operation (R, t) with h·R = h and h·t not an integer
/// (International Tables vol. A, §1.6.4).
public enum ReflectionFamilies {
    public static func generate(cell: UnitCell, operations: [SymmetryOperation], wavelength: Double,
                                twoThetaRange: ClosedRange<Double>) -> [ReflectionFamily] {
        let list = ReflectionList(cell: cell, wavelength: wavelength, twoThetaRange: twoThetaRange)
        var rotations: [[Int32]] = []
        var seen = Set<[Int]>()
        for op in operations {
            for r in [op.rotation, op.rotation.map { -$0 }] where seen.insert(r).inserted {
                rotations.append(r.map(Int32.init))
            }
        }
        var assigned = Set<SIMD3<Int32>>()
        var families: [ReflectionFamily] = []
        for i in 0..<list.count {
            let h = list.hkl(i)
            if assigned.contains(h) { continue }
            var orbit = Set<SIMD3<Int32>>()
            for r in rotations {
                // h' = h·R (Miller indices transform as a row vector).
                orbit.insert(SIMD3(h.x * r[0] + h.y * r[3] + h.z * r[6],
                                   h.x * r[1] + h.y * r[4] + h.z * r[7],
                                   h.x * r[2] + h.y * r[5] + h.z * r[8]))
            }
            for m in orbit { assigned.insert(m); assigned.insert(SIMD3<Int32>.zero &- m) }
            if isExtinct(h, operations: operations) { continue }
            let members = orbit.sorted { ($0.x, $0.y, $0.z) > ($1.x, $1.y, $1.z) }
            families.append(ReflectionFamily(hkl: members[0], multiplicity: members.count, members: members))
        }
        return families
    }

    /// Whether (h, k, l) is a systematic absence of the space group given by `operations`.
    public static func isExtinct(_ h: SIMD3<Int32>, operations: [SymmetryOperation]) -> Bool {
        for op in operations {
            let r = op.rotation
            let x = Int32(r[0]) * h.x + Int32(r[3]) * h.y + Int32(r[6]) * h.z
            let y = Int32(r[1]) * h.x + Int32(r[4]) * h.y + Int32(r[7]) * h.z
            let z = Int32(r[2]) * h.x + Int32(r[5]) * h.y + Int32(r[8]) * h.z
            guard x == h.x, y == h.y, z == h.z else { continue }
            let phase = Double(h.x) * op.translation.x + Double(h.y) * op.translation.y + Double(h.z) * op.translation.z
            if abs(phase - phase.rounded()) > 1e-6 { return true }
        }
        return false
    }
}
