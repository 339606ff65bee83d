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

    /// Reads a pyFAI `.D` file: the first number of every non-comment line is a d-spacing in Å.
    public static func load(_ url: URL) throws -> Calibrant {
        let file = url.path
        guard let data = try? Data(contentsOf: url) else { throw RoentgenError(.io, "cannot read the calibrant file", file: file) }
        guard let text = String(data: data, encoding: .utf8) else { throw RoentgenError.badFile(file, "calibrant file is not UTF-8 text") }
        var d: [Double] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let first = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first else { continue }
            guard let v = Double(first), v.isFinite, v > 0 else {
                throw RoentgenError.badFile(file, line: n + 1, "'\(first)' is not a positive d-spacing in Å")
            }
            d.append(v)
        }
        guard !d.isEmpty else { throw RoentgenError.badFile(file, "calibrant file lists no d-spacings") }
        return Calibrant(name: url.deletingPathExtension().lastPathComponent, dSpacings: d)
    }

    /// A built-in name (CeO2, LaB6, Si, AgBh) or the path of a `.D` file.
    public static func resolve(_ spec: String) throws -> Calibrant {
        if let c = named(spec) { return c }
        guard FileManager.default.fileExists(atPath: spec) else {
            throw RoentgenError.badParameter("--calibrant \(spec): not a built-in calibrant (\(builtInNames.joined(separator: ", "))) and no such file")
        }
        return try load(URL(fileURLWithPath: spec))
    }

    /// 2θ (rad) of every ring at `wavelength` (m), Bragg's law 2θ = 2·asin(λ / 2d); rings with
    /// λ > 2d do not diffract and are left out (the array is shorter).
    public func twoTheta(wavelength: Double) -> [Double] {
        let lambda = wavelength * 1e10
        return dSpacings.prefix { lambda / (2 * $0) < 1 }.map { 2 * asin(lambda / (2 * $0)) }
    }
}
