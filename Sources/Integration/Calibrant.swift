import Foundation
import XrayCore

/// A calibrant: the d-spacings (Å, largest first) of its diffraction rings, as pyFAI's `.D`
/// calibrant files list them (`d # (h k l) mult intensity`, one ring per line; equal d merged).
public struct Calibrant: Sendable, Equatable {
    public var name: String
    /// Ring d-spacings in Å, in decreasing order (increasing 2θ).
    public var dSpacings: [Double]

    public init(name: String, dSpacings: [Double]) {
        self.name = name
        self.dSpacings = dSpacings.sorted(by: >)
    }

    /// The built-in calibrants, generated from the cells pyFAI's resource files state
    /// (CeO2: NIST SRM 674b, Fm3̄m, a = 5.411651 Å; LaB6: SRM 660c, Pm3̄m, a = 4.156826 Å;
    /// Si: SRM 640c, Fd3̄m, a = 5.4311946 Å (the value the file's d-spacings imply; its header rounds to 5.4312); AgBh: d001 = 58.380 Å, orders 1–49, Huang et al. 1993 /
    /// Blanton et al. 1995) with the cubic extinction rules, down to the files' last d-spacing.
    public static let builtInNames = ["CeO2", "LaB6", "Si", "AgBh"]

    public static func named(_ name: String) -> Calibrant? {
        switch name.lowercased() {
        case "ceo2": return Calibrant(name: "CeO2", dSpacings: cubic(a: 5.411651, lattice: .faceCentred, dMin: 0.404))
        case "lab6": return Calibrant(name: "LaB6", dSpacings: cubic(a: 4.156826, lattice: .primitive, dMin: 0.1))
        case "si": return Calibrant(name: "Si", dSpacings: cubic(a: 5.4311946, lattice: .diamond, dMin: 0.1))
        case "agbh": return Calibrant(name: "AgBh", dSpacings: (1...49).map { 58.380 / Double($0) })
        default: return nil
        }
    }

    enum Lattice { case primitive, faceCentred, diamond }

    /// The distinct d = a/√(h²+k²+l²) of a cubic cell whose reflections the lattice allows
    /// (F: h, k, l all odd or all even; diamond additionally h+k+l ≡ 0 mod 4 when all even).
    static func cubic(a: Double, lattice: Lattice, dMin: Double) -> [Double] {
        let hMax = Int(a / dMin) + 1
        var allowed = Set<Int>()
        for h in 0...hMax {
            for k in 0...h {
                for l in 0...k where h + k + l > 0 {
                    let n = h * h + k * k + l * l
                    guard a / Double(n).squareRoot() >= dMin * (1 - 1e-9) else { continue }
                    let odd = h % 2 + k % 2 + l % 2
                    switch lattice {
                    case .primitive: allowed.insert(n)
                    case .faceCentred: if odd == 0 || odd == 3 { allowed.insert(n) }
                    case .diamond: if odd == 3 || (odd == 0 && (h + k + l) % 4 == 0) { allowed.insert(n) }
                    }
                }
            }
        }
        return allowed.sorted().map { a / Double($0).squareRoot() }
    }

    /// A built-in name (CeO2, LaB6, Si, AgBh), else nil; `--calibrant FILE.D` is read by
    /// `XrayFormats.CalibrantFile` and becomes `Calibrant(name:dSpacings:)`.
    public static func builtIn(_ spec: String) throws -> Calibrant {
        guard let c = named(spec) else {
            throw RoentgenError.badParameter("--calibrant \(spec): not a built-in calibrant (\(builtInNames.joined(separator: ", "))) and no such file")
        }
        return c
    }

    /// 2θ (rad) of every ring at `wavelength` (m), Bragg's law 2θ = 2·asin(λ / 2d); rings with
    /// λ > 2d do not diffract and are left out (the array is shorter).
    public func twoTheta(wavelength: Double) -> [Double] {
        let lambda = wavelength * 1e10
        return dSpacings.prefix { lambda / (2 * $0) < 1 }.map { 2 * asin(lambda / (2 * $0)) }
    }
}
