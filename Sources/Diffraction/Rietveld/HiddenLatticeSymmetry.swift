import Foundation
import XrayCore

/// The symmetry of a structure written without it (space group P1, the identity the only operator,
/// every atom listed), as computed-structure databases often export structures (pymatgen's `CifWriter`
/// without `symprec`). Refined as P1, such a phase is wrong and slow: a cubic P1 cell refines a, b and c
/// apart, which splits every line (or leaves the normal matrix singular with the displacement); every
/// atom's coordinates are free; and every Friedel pair is its own line, so a cubic phase has 24–48 times
/// the lines it should.
///
/// The operations are found as a space group is defined (International Tables vol. A, §1.1–1.3): the
/// lattice rotations R (integer matrices, entries −1…1, det ±1, that preserve the metric tensor:
/// Rᵀ G R = G within `metricTolerance`), each with every translation t for which x → R·x + t maps every
/// atom onto an atom of the same element and occupancy (within `positionTolerance` fractional, periodic;
/// the candidate t take one atom of the least common kind onto each atom of that kind), closed under
/// composition. The crystal system follows from the rotations found (§2.1.1): cubic 3 along [111] and
/// 2 along c; rhombohedral axes 3 along [111]; hexagonal and trigonal 3 along c; tetragonal 4 or 4̄ along
/// an axis; orthorhombic 2 or m along a, b and c; monoclinic 2 or m along the axis between two right
/// angles.
public enum HiddenLatticeSymmetry {
    public static let metricTolerance = 1e-4
    public static let positionTolerance = 2e-3

    /// Whether `s` lists the identity as its only operator.
    public static func isP1(_ s: CrystalStructure) -> Bool {
        s.operations.allSatisfy { $0.rotation == SymmetryOperation.identity.rotation && $0.translation == .zero }
    }

    /// The crystal system and cell rules of a P1 structure from the operations its atoms have; nil when
    /// the structure lists operators of its own, or has none beyond the identity and the inversion.
    public static func crystalSystem(of s: CrystalStructure) -> (name: String, rules: [CellConstraints.Rule])? {
        guard isP1(s), !s.sites.isEmpty else { return nil }
        return system(operations: operations(of: s), cell: s.cell)
    }

    /// The cell rules of a structure: by its space-group number when it has one above 1, else from its
    /// operators' rotations, else (P1) from the operations its atoms have.
    public static func cellRules(for s: CrystalStructure) -> [CellConstraints.Rule] {
        if let n = s.spaceGroupNumber, n > 1 {
            return CellConstraints.rules(spaceGroupNumber: n, symbol: s.spaceGroupSymbol, cell: s.cell)
        }
        let ops = isP1(s) ? (s.sites.isEmpty ? s.operations : operations(of: s)) : s.operations
        return system(operations: ops, cell: s.cell)?.rules
            ?? CellConstraints.rules(spaceGroupNumber: s.spaceGroupNumber, symbol: s.spaceGroupSymbol, cell: s.cell)
    }

    /// The P1 structure rewritten with the operations its atoms have and one site per orbit (the first
    /// listed atom of each); nil when it is not P1 or has no operation beyond the identity. The unit cell
    /// it generates holds the same atoms (within `positionTolerance`).
    public static func symmetrized(_ s: CrystalStructure) -> CrystalStructure? {
        guard isP1(s), !s.sites.isEmpty else { return nil }
        let ops = operations(of: s)
        guard ops.count > 1 else { return nil }
        var assigned = [Bool](repeating: false, count: s.sites.count)
        var sites: [AtomSite] = []
        for i in s.sites.indices where !assigned[i] {
            sites.append(s.sites[i])
            for op in ops {
                let y = op.apply(s.sites[i].fract)
                for j in s.sites.indices where !assigned[j] && sameKind(s.sites[i], s.sites[j]) && close(s.sites[j].fract, y) {
                    assigned[j] = true
                }
            }
        }
        var out = CrystalStructure(name: s.name, cell: s.cell, operations: ops, operationsSource: "found from the P1 atoms",
                                   sites: sites, warnings: s.warnings)
        out.warnings.append("written in P1: \(ops.count) symmetry operations found from the atoms, \(sites.count) of \(s.sites.count) atoms kept as sites")
        return out
    }

    /// Every operation (R, t), t in [0, 1), that maps the atoms of P1 structure `s` onto themselves.
    public static func operations(of s: CrystalStructure) -> [SymmetryOperation] {
        let atoms = s.sites
        let kinds = atoms.map { a in atoms.filter { sameKind($0, a) }.count }
        guard let anchor = kinds.indices.min(by: { kinds[$0] < kinds[$1] }) else { return [.identity] }
        var found: [SymmetryOperation] = []
        for r in latticeRotations(s.cell) {
            let image = rotate(r, atoms[anchor].fract)
            for target in atoms where sameKind(target, atoms[anchor]) {
                let op = SymmetryOperation(rotation: r, translation: target.fract - image).normalized
                if !found.contains(where: { same($0, op) }), maps(op, atoms) { found.append(op) }
            }
        }
        // Closed under composition (a product of symmetries is one; rotations with entries beyond ±1 can
        // arise only this way).
        var k = 0
        while k < found.count, found.count <= 192 {
            for j in 0...k {
                for product in [compose(found[k], found[j]), compose(found[j], found[k])]
                where !found.contains(where: { same($0, product) }) && maps(product, atoms) {
                    found.append(product)
                }
            }
            k += 1
        }
        // The identity first, the others in the order found.
        let isIdentity = { (op: SymmetryOperation) in op.rotation == SymmetryOperation.identity.rotation && close(op.translation, .zero) }
        return [.identity] + found.filter { !isIdentity($0) }
    }

    /// The crystal system and cell rules from operations' rotations; nil for triclinic.
    public static func system(operations: [SymmetryOperation], cell: UnitCell) -> (name: String, rules: [CellConstraints.Rule])? {
        let rotations = Set(operations.map(\.rotation))
        func has(_ r: [Int], improperToo: Bool = true) -> Bool {
            rotations.contains(r) || (improperToo && rotations.contains(r.map { -$0 }))
        }
        let threefold111 = [0, 0, 1, 1, 0, 0, 0, 1, 0]
        let twofold = [[1, 0, 0, 0, -1, 0, 0, 0, -1], [-1, 0, 0, 0, 1, 0, 0, 0, -1], [-1, 0, 0, 0, -1, 0, 0, 0, 1]]
        let fourfold = [[1, 0, 0, 0, 0, -1, 0, 1, 0], [0, 0, 1, 0, 1, 0, -1, 0, 0], [0, -1, 0, 1, 0, 0, 0, 0, 1]]
        let right = [cell.alpha, cell.beta, cell.gamma].map { abs($0 - 90) < 1e-3 }
        if has(threefold111, improperToo: false), has(twofold[2], improperToo: false), right.allSatisfy({ $0 }) {
            return ("cubic", [.free, .equals("a"), .equals("a"), .fixed(90), .fixed(90), .fixed(90)])
        }
        if has(threefold111, improperToo: false) {
            return ("rhombohedral", [.free, .equals("a"), .equals("a"), .free, .equals("alpha"), .equals("alpha")])
        }
        if has([0, -1, 0, 1, -1, 0, 0, 0, 1], improperToo: false) {
            return ("hexagonal", [.free, .equals("a"), .free, .fixed(90), .fixed(90), .fixed(120)])
        }
        let names = CellConstraints.names
        for axis in [2, 0, 1] where has(fourfold[axis]) {
            let others = (0..<3).filter { $0 != axis }
            var rules: [CellConstraints.Rule] = [.free, .free, .free, .fixed(90), .fixed(90), .fixed(90)]
            rules[others[1]] = .equals(names[others[0]])
            return ("tetragonal", rules)
        }
        if twofold.allSatisfy({ has($0) }) {
            return ("orthorhombic", [.free, .free, .free, .fixed(90), .fixed(90), .fixed(90)])
        }
        for axis in [1, 2, 0] where has(twofold[axis]) {
            var rules: [CellConstraints.Rule] = [.free, .free, .free, .free, .free, .free]
            for a in 0..<3 where a != axis { rules[3 + a] = .fixed(90) }
            return ("monoclinic", rules)
        }
        return nil
    }

    /// Integer matrices with entries −1…1 and determinant ±1 that preserve the cell's metric tensor.
    static func latticeRotations(_ cell: UnitCell) -> [[Int]] {
        let g = cell.metric
        let scale = max(g[0], g[4], g[8])
        var out: [[Int]] = []
        var r = [Int](repeating: 0, count: 9)
        func search(_ i: Int) {
            if i == 9 {
                let det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6])
                guard abs(det) == 1 else { return }
                for p in 0..<3 {
                    for q in 0..<3 {
                        var v = 0.0
                        for m in 0..<3 { for n in 0..<3 { v += Double(r[3 * m + p]) * g[3 * m + n] * Double(r[3 * n + q]) } }
                        if abs(v - g[3 * p + q]) > metricTolerance * scale { return }
                    }
                }
                out.append(r)
                return
            }
            for v in -1...1 { r[i] = v; search(i + 1) }
        }
        search(0)
        return out
    }

    static func rotate(_ r: [Int], _ x: SIMD3<Double>) -> SIMD3<Double> {
        SymmetryOperation(rotation: r, translation: .zero).apply(x)
    }

    /// (a ∘ b)(x) = a(b(x)), translation in [0, 1).
    static func compose(_ a: SymmetryOperation, _ b: SymmetryOperation) -> SymmetryOperation {
        var r = [Int](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { r[3 * i + j] += a.rotation[3 * i + k] * b.rotation[3 * k + j] } } }
        return SymmetryOperation(rotation: r, translation: rotate(a.rotation, b.translation) + a.translation).normalized
    }

    static func same(_ a: SymmetryOperation, _ b: SymmetryOperation) -> Bool {
        a.rotation == b.rotation && close(a.translation, b.translation)
    }

    static func maps(_ op: SymmetryOperation, _ atoms: [AtomSite]) -> Bool {
        atoms.allSatisfy { atom in
            let y = op.apply(atom.fract)
            return atoms.contains { sameKind($0, atom) && close($0.fract, y) }
        }
    }

    static func sameKind(_ p: AtomSite, _ q: AtomSite) -> Bool {
        p.element == q.element && abs(p.occupancy - q.occupancy) < 1e-3
    }

    /// Equal modulo lattice translations within `positionTolerance`.
    static func close(_ x: SIMD3<Double>, _ y: SIMD3<Double>) -> Bool {
        for i in 0..<3 {
            let d = x[i] - y[i]
            if abs(d - d.rounded()) > positionTolerance { return false }
        }
        return true
    }
}
