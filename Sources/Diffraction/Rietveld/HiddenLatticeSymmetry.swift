import Foundation
import XrayCore

/// The crystal system of a structure written without its symmetry (space group P1, the identity the
/// only operator, every atom listed), as computed-structure databases often export it (pymatgen's
/// `CifWriter` without `symprec`). Refined as P1, such a cell has six free parameters although its
/// lines depend on fewer: a cubic P1 cell refines a, b and c separately, which splits every line, or
/// leaves the normal matrix singular when a and b are freed together with the displacement.
///
/// The system is found the way it is defined (International Tables vol. A, §2.1.1): by the symmetry
/// elements the atom arrangement has, not by the metric alone. A system is accepted when the cell's
/// metric has the system's form (lengths within `lengthTolerance` relative, angles within
/// `angleTolerance` degrees) and its characteristic rotations, proper or combined with the inversion,
/// each with some translation t, map every atom onto an atom of the same element and occupancy
/// (within `positionTolerance` fractional, periodic):
/// - cubic: 3 along [111] and 2 along c;
/// - rhombohedral axes: 3 along [111] (α = β = γ ≠ 90°);
/// - hexagonal and trigonal (hexagonal axes): 3 along c (γ = 120°);
/// - tetragonal: 4 or 4̄ along c (or along a or b, with the other two lengths equal);
/// - orthorhombic: 2 or m along each of a, b and c;
/// - monoclinic: 2 or m along the axis whose two adjacent angles are 90°.
/// The highest system found gives the cell rules of `CellConstraints`.
public enum HiddenLatticeSymmetry {
    public static let lengthTolerance = 1e-4
    public static let angleTolerance = 1e-3
    public static let positionTolerance = 2e-3

    /// The system found, or nil when the structure has operators beyond the identity (its space
    /// group says the system) or none of the tests passes (triclinic).
    public static func crystalSystem(of s: CrystalStructure) -> (name: String, rules: [CellConstraints.Rule])? {
        guard s.operations.allSatisfy({ $0.rotation == SymmetryOperation.identity.rotation && $0.translation == .zero }),
              !s.sites.isEmpty else { return nil }
        let cell = s.cell
        func equal(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= lengthTolerance * max(x, y) }
        func angle(_ x: Double, _ value: Double) -> Bool { abs(x - value) <= angleTolerance }
        let right = [cell.alpha, cell.beta, cell.gamma].map { angle($0, 90) }
        let allRight = right.allSatisfy { $0 }
        let atoms = s.sites
        func has(_ r: [Int], improperToo: Bool = false) -> Bool {
            isSymmetry(r, atoms) || (improperToo && isSymmetry(r.map { -$0 }, atoms))
        }
        let threefold111 = [0, 0, 1, 1, 0, 0, 0, 1, 0]
        let twofold = [[1, 0, 0, 0, -1, 0, 0, 0, -1], [-1, 0, 0, 0, 1, 0, 0, 0, -1], [-1, 0, 0, 0, -1, 0, 0, 0, 1]]
        let fourfold = [[1, 0, 0, 0, 0, -1, 0, 1, 0], [0, 0, 1, 0, 1, 0, -1, 0, 0], [0, -1, 0, 1, 0, 0, 0, 0, 1]]
        let names = CellConstraints.names
        if equal(cell.a, cell.b), equal(cell.a, cell.c), allRight, has(threefold111), has(twofold[2]) {
            return ("cubic", [.free, .equals("a"), .equals("a"), .fixed(90), .fixed(90), .fixed(90)])
        }
        if equal(cell.a, cell.b), equal(cell.a, cell.c), !allRight, angle(cell.alpha, cell.beta), angle(cell.alpha, cell.gamma),
           has(threefold111) {
            return ("rhombohedral", [.free, .equals("a"), .equals("a"), .free, .equals("alpha"), .equals("alpha")])
        }
        if equal(cell.a, cell.b), right[0], right[1], angle(cell.gamma, 120), has([0, -1, 0, 1, -1, 0, 0, 0, 1]) {
            return ("hexagonal", [.free, .equals("a"), .free, .fixed(90), .fixed(90), .fixed(120)])
        }
        if allRight {
            let lengths = [cell.a, cell.b, cell.c]
            for axis in [2, 0, 1] {
                let others = (0..<3).filter { $0 != axis }
                guard equal(lengths[others[0]], lengths[others[1]]), has(fourfold[axis], improperToo: true) else { continue }
                var rules: [CellConstraints.Rule] = [.free, .free, .free, .fixed(90), .fixed(90), .fixed(90)]
                rules[others[1]] = .equals(names[others[0]])
                return ("tetragonal", rules)
            }
            if twofold.allSatisfy({ has($0, improperToo: true) }) {
                return ("orthorhombic", [.free, .free, .free, .fixed(90), .fixed(90), .fixed(90)])
            }
        }
        // Monoclinic: the unique axis is the one both of whose adjacent angles are right (b first).
        for axis in [1, 2, 0] {
            let adjacent = (0..<3).filter { $0 != axis }
            guard adjacent.allSatisfy({ right[$0] }), has(twofold[axis], improperToo: true) else { continue }
            var rules: [CellConstraints.Rule] = [.free, .free, .free, .free, .free, .free]
            for a in adjacent { rules[3 + a] = .fixed(90) }
            return ("monoclinic", rules)
        }
        return nil
    }

    /// Whether x → R·x + t maps the atoms onto themselves for some t. The candidate translations are
    /// those taking one atom of the least common kind onto each atom of that kind.
    static func isSymmetry(_ r: [Int], _ atoms: [AtomSite]) -> Bool {
        func rotate(_ x: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3(Double(r[0]) * x.x + Double(r[1]) * x.y + Double(r[2]) * x.z,
                  Double(r[3]) * x.x + Double(r[4]) * x.y + Double(r[5]) * x.z,
                  Double(r[6]) * x.x + Double(r[7]) * x.y + Double(r[8]) * x.z)
        }
        func sameKind(_ p: AtomSite, _ q: AtomSite) -> Bool {
            p.element == q.element && abs(p.occupancy - q.occupancy) < 1e-3
        }
        func close(_ x: SIMD3<Double>, _ y: SIMD3<Double>) -> Bool {
            for i in 0..<3 {
                let d = x[i] - y[i]
                if abs(d - d.rounded()) > positionTolerance { return false }
            }
            return true
        }
        guard let anchor = atoms.indices.min(by: { i, j in
            atoms.filter { sameKind($0, atoms[i]) }.count < atoms.filter { sameKind($0, atoms[j]) }.count
        }) else { return false }
        let image = rotate(atoms[anchor].fract)
        for target in atoms where sameKind(target, atoms[anchor]) {
            let t = target.fract - image
            let mapsAll = atoms.allSatisfy { atom in
                let y = rotate(atom.fract) + t
                return atoms.contains { sameKind($0, atom) && close($0.fract, y) }
            }
            if mapsAll { return true }
        }
        return false
    }
}

extension RietveldModel {
    /// The crystal system `HiddenLatticeSymmetry` finds for phase `index` when it is written in P1 with
    /// more symmetry than that (nil otherwise). Its atoms, listed one by one, cannot be refined freely
    /// without breaking that symmetry.
    public func hiddenCrystalSystem(phase index: Int) -> String? {
        HiddenLatticeSymmetry.crystalSystem(of: phases[index].structure)?.name
    }
}
