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
        unitCellImages(tolerance: tolerance).map { image in
            var atom = sites[image.site]
            atom.fract = image.position
            return (atom, operations[image.operation])
        }
    }

    /// The unit cell's atoms without copying the sites: per atom, the index of its site in `sites`, of the
    /// operation that made it (the first one met) in `operations`, and its position wrapped into [0, 1)
    /// (images of one site closer than `tolerance`, fractional, per axis, periodic, kept once), in the
    /// order of `unitCellAtoms`.
    public func unitCellImages(tolerance: Double = 1e-3) -> [(site: Int, operation: Int, position: SIMD3<Double>)] {
        // Rotations as rows of doubles, applied as `SymmetryOperation.apply` does (same products, same order).
        let rows = operations.map { op -> (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) in
            let r = op.rotation
            return (SIMD3(Double(r[0]), Double(r[1]), Double(r[2])), SIMD3(Double(r[3]), Double(r[4]), Double(r[5])),
                    SIMD3(Double(r[6]), Double(r[7]), Double(r[8])), op.translation)
        }
        var images: [(site: Int, operation: Int, position: SIMD3<Double>)] = []
        images.reserveCapacity(sites.count * operations.count)
        for (s, site) in sites.enumerated() {
            let start = images.count
            let x = site.fract
            for (o, (r0, r1, r2, t)) in rows.enumerated() {
                var p = SIMD3(r0.x * x.x + r0.y * x.y + r0.z * x.z + t.x,
                              r1.x * x.x + r1.y * x.y + r1.z * x.z + t.y,
                              r2.x * x.x + r2.y * x.y + r2.z * x.z + t.z)
                for i in 0..<3 {
                    p[i] -= p[i].rounded(.down)
                    if p[i] >= 1 - 1e-9 { p[i] = 0 }
                }
                var duplicate = false
                for j in start..<images.count {
                    let q = images[j].position
                    var close = true
                    for i in 0..<3 {
                        var d = abs(p[i] - q[i])
                        d = min(d, 1 - d)
                        if d > tolerance { close = false; break }
                    }
                    if close { duplicate = true; break }
                }
                if !duplicate { images.append((s, o, p)) }
            }
        }
        return images
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
