import Foundation
import XrayCore

/// The cell parameters a crystal system leaves free, and how the others follow
/// (International Tables vol. A, Table 2.1.2.1): cubic b = c = a, tetragonal b = a, hexagonal and
/// trigonal (hexagonal axes) b = a with γ = 120°, rhombohedral axes b = c = a and β = γ = α,
/// orthorhombic and higher fix the right angles, monoclinic keeps its one oblique angle.
public enum CellConstraints {
    /// The six cell parameters' names, in order.
    public static let names = ["a", "b", "c", "alpha", "beta", "gamma"]

    /// For each of a, b, c, α, β, γ: nil when free, or what it equals — another of them (by name) or a
    /// fixed number of degrees.
    public enum Rule: Sendable, Equatable {
        case free
        case equals(String)
        case fixed(Double)
    }

    /// The rules for `cell` in space group `number` (1…230); `symbol` tells rhombohedral axes (`:R`).
    public static func rules(spaceGroupNumber number: Int?, symbol: String?, cell: UnitCell) -> [Rule] {
        guard let n = number else { return Array(repeating: .free, count: 6) }
        switch n {
        case 1...2:
            return Array(repeating: .free, count: 6)
        case 3...15:
            // The oblique angle is whichever the cell has away from 90°; β (unique axis b) by default.
            let angles = [cell.alpha, cell.beta, cell.gamma]
            let oblique = (0..<3).first { abs(angles[$0] - 90) > 1e-6 } ?? 1
            return [.free, .free, .free] + (0..<3).map { $0 == oblique ? .free : .fixed(90) }
        case 16...74:
            return [.free, .free, .free, .fixed(90), .fixed(90), .fixed(90)]
        case 75...142:
            return [.free, .equals("a"), .free, .fixed(90), .fixed(90), .fixed(90)]
        case 143...167 where (symbol ?? "").uppercased().hasSuffix(":R")
                || (abs(cell.alpha - 90) > 1e-6 && abs(cell.alpha - cell.beta) < 1e-6 && abs(cell.alpha - cell.gamma) < 1e-6):
            return [.free, .equals("a"), .equals("a"), .free, .equals("alpha"), .equals("alpha")]
        case 143...194:
            return [.free, .equals("a"), .free, .fixed(90), .fixed(90), .fixed(120)]
        default:
            return [.free, .equals("a"), .equals("a"), .fixed(90), .fixed(90), .fixed(90)]
        }
    }
}
