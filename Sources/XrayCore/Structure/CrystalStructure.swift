import Foundation

/// A crystal structure as a CIF describes it: cell, space group, symmetry operations and the
/// atom sites of the asymmetric unit.
///
/// `operations` are the full list of symmetry operations (centring included) that generate the
/// unit cell from `sites`; `unitCellAtoms()` applies them.
public struct CrystalStructure: Sendable, Hashable {
    /// Data block name (`"LithiumChloride"`) or file stem.
    public var name: String
    /// The lattice.
    public var cell: UnitCell
    /// Hermann–Mauguin symbol as given (`"P 42/m n m"`), if any.
    public var spaceGroupSymbol: String?
    /// International Tables number 1…230, if given or found from the symbol.
    public var spaceGroupNumber: Int?
    /// Symmetry operations including centring translations; the identity at least.
    public var operations: [SymmetryOperation]
    /// Where `operations` came from: `"cif"` (the file's list) or `"table"` (from the symbol).
    public var operationsSource: String
    /// Atom sites of the asymmetric unit, in file order.
    public var sites: [AtomSite]
    /// Things noticed while reading (missing occupancy taken as 1, no data block …).
    public var warnings: [String]

    public init(name: String, cell: UnitCell, spaceGroupSymbol: String? = nil, spaceGroupNumber: Int? = nil,
                operations: [SymmetryOperation] = [.identity], operationsSource: String = "cif",
                sites: [AtomSite], warnings: [String] = []) {
        self.name = name
        self.cell = cell
        self.spaceGroupSymbol = spaceGroupSymbol
        self.spaceGroupNumber = spaceGroupNumber
        self.operations = operations
        self.operationsSource = operationsSource
        self.sites = sites
        self.warnings = warnings
    }

    /// Every atom in the unit cell: each site under each operation, wrapped into [0, 1),
    /// with images closer than `tolerance` (fractional, per axis, periodic) kept once.
    /// Anisotropic U is carried unrotated here; `unitCellAtomsRotatingDisplacements` rotates it.
    public func unitCellAtoms(tolerance: Double = 1e-3) -> [AtomSite] {
        unitCellAtomsWithOperations(tolerance: tolerance).map(\.atom)
    }

    /// As `unitCellAtoms`, each atom paired with the operation that generated it (the first one met).
    public func unitCellAtomsWithOperations(tolerance: Double = 1e-3) -> [(atom: AtomSite, operation: SymmetryOperation)] {
        var atoms: [(atom: AtomSite, operation: SymmetryOperation)] = []
        atoms.reserveCapacity(sites.count * operations.count)
        for site in sites {
            let start = atoms.count
            for op in operations {
                var p = op.apply(site.fract)
                for i in 0..<3 {
                    p[i] -= p[i].rounded(.down)
                    if p[i] >= 1 - 1e-9 { p[i] = 0 }
                }
                var duplicate = false
                for j in start..<atoms.count {
                    let q = atoms[j].atom.fract
                    var close = true
                    for i in 0..<3 {
                        var d = abs(p[i] - q[i])
                        d = min(d, 1 - d)
                        if d > tolerance { close = false; break }
                    }
                    if close { duplicate = true; break }
                }
                if !duplicate {
                    var atom = site
                    atom.fract = p
                    atoms.append((atom, op))
                }
            }
        }
        return atoms
    }

    /// Chemical formula of the unit cell contents, elements in order of first appearance with
    /// occupancy-weighted counts (`"Al12 O18"`).
    public var cellFormula: String {
        var order: [String] = []
        var counts: [String: Double] = [:]
        for atom in unitCellAtoms() {
            let s = atom.element.symbol
            if counts[s] == nil { order.append(s) }
            counts[s, default: 0] += atom.occupancy
        }
        return order.map { s in
            let n = counts[s] ?? 0
            let text = abs(n - n.rounded()) < 1e-6 ? String(Int(n.rounded())) : String(format: "%.3g", n)
            return s + text
        }.joined(separator: " ")
    }
}
