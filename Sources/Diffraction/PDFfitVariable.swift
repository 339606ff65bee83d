import Foundation
import XrayCore

/// A PDFfit2 model variable that a constraint sets (`lat(1)`, `x(3)`, `u11(2)`, `occ(5)`, `delta2`,
/// `dscale`, …), with PDFfit2's names and 1-based atom indices (atoms in file order, CIF atoms after
/// expansion to the unit cell). Phase variables act on one phase; `dscale`, `qdamp`, `qbroad` on the data set.
public enum PDFfitVariable: Hashable, Sendable, CustomStringConvertible {
    /// Lattice parameter 1…6: a, b, c (Å), α, β, γ (degrees).
    case lattice(Int)
    /// Fractional coordinate `axis` (0 x, 1 y, 2 z) of atom `atom` (1-based).
    case coordinate(atom: Int, axis: Int)
    /// U^ij component (0 u11, 1 u22, 2 u33, 3 u12, 4 u13, 5 u23) of atom `atom`, Å².
    case u(atom: Int, component: Int)
    /// Occupancy of atom `atom`.
    case occupancy(atom: Int)
    case delta1, delta2, sratio, rcut, spdiameter, stepcut, pscale
    case dscale, qdamp, qbroad

    private static let uNames = ["u11", "u22", "u33", "u12", "u13", "u23"]
    private static let axisNames = ["x", "y", "z"]

    public var description: String {
        switch self {
        case .lattice(let k): return "lat(\(k))"
        case .coordinate(let a, let axis): return "\(Self.axisNames[axis])(\(a))"
        case .u(let a, let c): return "\(Self.uNames[c])(\(a))"
        case .occupancy(let a): return "occ(\(a))"
        case .delta1: return "delta1"
        case .delta2: return "delta2"
        case .sratio: return "sratio"
        case .rcut: return "rcut"
        case .spdiameter: return "spdiameter"
        case .stepcut: return "stepcut"
        case .pscale: return "pscale"
        case .dscale: return "dscale"
        case .qdamp: return "qdamp"
        case .qbroad: return "qbroad"
        }
    }

    /// Whether it belongs to the data set (else to a phase).
    public var isDataSetVariable: Bool { self == .dscale || self == .qdamp || self == .qbroad }

    /// Parses `lat(1)`, `x(3)`, `u11(2)`, `occ(4)`, `delta2`, … (spaces ignored, case-insensitive).
    public init(parsing text: String) throws {
        let s = text.replacingOccurrences(of: " ", with: "").lowercased()
        let simple: [String: PDFfitVariable] = [
            "delta1": .delta1, "delta2": .delta2, "sratio": .sratio, "rcut": .rcut, "spdiameter": .spdiameter,
            "stepcut": .stepcut, "pscale": .pscale, "dscale": .dscale, "qdamp": .qdamp, "qbroad": .qbroad,
        ]
        if let v = simple[s] { self = v; return }
        guard let open = s.firstIndex(of: "("), s.hasSuffix(")"),
              let index = Int(s[s.index(after: open)..<s.index(before: s.endIndex)]), index >= 1 else {
            throw RoentgenError.badParameter("'\(text)' is not a PDFfit2 variable (expected lat(n), x(i), y(i), z(i), u11(i)…u23(i), occ(i), delta1, delta2, sratio, rcut, spdiameter, stepcut, pscale, dscale, qdamp or qbroad)")
        }
        let name = String(s[..<open])
        if name == "lat" {
            guard index <= 6 else { throw RoentgenError.badParameter("'\(text)': lattice parameters are lat(1)…lat(6)") }
            self = .lattice(index)
        } else if let axis = Self.axisNames.firstIndex(of: name) {
            self = .coordinate(atom: index, axis: axis)
        } else if let c = Self.uNames.firstIndex(of: name) {
            self = .u(atom: index, component: c)
        } else if name == "occ" {
            self = .occupancy(atom: index)
        } else {
            throw RoentgenError.badParameter("'\(text)' is not a PDFfit2 variable (expected lat(n), x(i), y(i), z(i), u11(i)…u23(i), occ(i), delta1, delta2, sratio, rcut, spdiameter, stepcut, pscale, dscale, qdamp or qbroad)")
        }
    }

    /// The atom a variable refers to, if any (1-based).
    public var atom: Int? {
        switch self {
        case .coordinate(let a, _), .u(let a, _), .occupancy(let a): return a
        default: return nil
        }
    }

    /// Checks that the variable exists in `phase` (atom index in range).
    public func validate(in phase: PDFPhase) throws {
        if let a = atom, a > phase.atoms.count {
            throw RoentgenError.badParameter("\(self): phase '\(phase.name)' has \(phase.atoms.count) atoms")
        }
    }

    /// The variable's value in `phase` / `instrument`.
    public func value(phase: PDFPhase, instrument: PDFInstrument) -> Double {
        switch self {
        case .lattice(let k):
            let c = phase.cell
            return [c.a, c.b, c.c, c.alpha, c.beta, c.gamma][k - 1]
        case .coordinate(let a, let axis): return phase.atoms[a - 1].fract[axis]
        case .u(let a, let c): return phase.atoms[a - 1].u[c]
        case .occupancy(let a): return phase.atoms[a - 1].occupancy
        case .delta1: return phase.delta1
        case .delta2: return phase.delta2
        case .sratio: return phase.sratio
        case .rcut: return phase.rcut
        case .spdiameter: return phase.spdiameter
        case .stepcut: return phase.stepcut
        case .pscale: return phase.scale
        case .dscale: return instrument.scale
        case .qdamp: return instrument.qdamp
        case .qbroad: return instrument.qbroad
        }
    }

    /// Sets the variable in `phase` or `instrument` (the atom index must be valid: see `validate`).
    public func set(_ value: Double, phase: inout PDFPhase, instrument: inout PDFInstrument) {
        switch self {
        case .lattice(let k):
            switch k {
            case 1: phase.cell.a = value
            case 2: phase.cell.b = value
            case 3: phase.cell.c = value
            case 4: phase.cell.alpha = value
            case 5: phase.cell.beta = value
            default: phase.cell.gamma = value
            }
        case .coordinate(let a, let axis): phase.atoms[a - 1].fract[axis] = value
        case .u(let a, let c): phase.atoms[a - 1].u[c] = value
        case .occupancy(let a): phase.atoms[a - 1].occupancy = value
        case .delta1: phase.delta1 = value
        case .delta2: phase.delta2 = value
        case .sratio: phase.sratio = value
        case .rcut: phase.rcut = value
        case .spdiameter: phase.spdiameter = value
        case .stepcut: phase.stepcut = value
        case .pscale: phase.scale = value
        case .dscale: instrument.scale = value
        case .qdamp: instrument.qdamp = value
        case .qbroad: instrument.qbroad = value
        }
    }
}
