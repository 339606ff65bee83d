import Foundation

/// A crystallographic symmetry operation x' = R·x + t on fractional coordinates.
///
/// `rotation` is the integer matrix R (row-major, 9 entries); `translation` is t in fractions
/// of the cell edges. Written and parsed in the CIF "xyz" notation (`"-y, x-y, z+1/3"`).
public struct SymmetryOperation: Sendable, Hashable, Codable {
    /// Row-major 3×3 integer rotation part.
    public var rotation: [Int]
    /// Translation part in fractional coordinates.
    public var translation: SIMD3<Double>

    public init(rotation: [Int], translation: SIMD3<Double>) {
        self.rotation = rotation
        self.translation = translation
    }

    /// The identity operation x, y, z.
    public static let identity = SymmetryOperation(rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: .zero)

    /// Parses the xyz notation: three comma-separated components made of ±x, ±y, ±z terms and
    /// constant terms (`1/2`, `0.25`). Returns nil when the text is not of that form.
    public init?(xyz text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var rotation = [Int](repeating: 0, count: 9)
        var translation = SIMD3<Double>.zero
        for (row, part) in parts.enumerated() {
            guard let (coefficients, constant) = Self.parseComponent(part) else { return nil }
            for column in 0..<3 { rotation[row * 3 + column] = coefficients[column] }
            translation[row] = constant
        }
        self.rotation = rotation
        self.translation = translation
    }

    /// Parses one component such as `-x+y+1/3` into integer coefficients of x, y, z and a constant.
    private static func parseComponent(_ text: Substring) -> ([Int], Double)? {
        var coefficients = [0, 0, 0]
        var constant = 0.0
        var sign = 1.0
        var number = ""
        var sawTerm = false
        func flushNumber() -> Bool {
            guard !number.isEmpty else { return true }
            defer { number = "" }
            if let slash = number.firstIndex(of: "/") {
                guard let n = Double(number[..<slash]), let d = Double(number[number.index(after: slash)...]), d != 0 else { return false }
                constant += sign * n / d
            } else {
                guard let v = Double(number) else { return false }
                constant += sign * v
            }
            sawTerm = true
            return true
        }
        for ch in text {
            switch ch {
            case " ", "\t", "'", "\"":
                continue
            case "+", "-":
                guard flushNumber() else { return nil }
                sign = ch == "-" ? -1 : 1
            case "x", "X", "y", "Y", "z", "Z":
                // A number directly before the letter is a multiplier (e.g. "2x" is not valid crystallography).
                guard number.isEmpty else { return nil }
                let column = ch == "x" || ch == "X" ? 0 : (ch == "y" || ch == "Y" ? 1 : 2)
                coefficients[column] += Int(sign)
                sign = 1
                sawTerm = true
            case "0"..."9", ".", "/":
                number.append(ch)
            default:
                return nil
            }
        }
        guard flushNumber(), sawTerm else { return nil }
        return (coefficients, constant)
    }

    /// Applies the operation to a fractional position.
    @inline(__always)
    public func apply(_ p: SIMD3<Double>) -> SIMD3<Double> {
        let r = rotation
        return SIMD3(Double(r[0]) * p.x + Double(r[1]) * p.y + Double(r[2]) * p.z + translation.x,
                     Double(r[3]) * p.x + Double(r[4]) * p.y + Double(r[5]) * p.z + translation.y,
                     Double(r[6]) * p.x + Double(r[7]) * p.y + Double(r[8]) * p.z + translation.z)
    }

    /// The operation followed by `other`'s translation (used to add centring vectors).
    public func translated(by t: SIMD3<Double>) -> SymmetryOperation {
        SymmetryOperation(rotation: rotation, translation: translation + t)
    }

    /// Translation reduced into [0, 1) per component, with values within 1e-6 of 1 mapped to 0.
    public var normalized: SymmetryOperation {
        var t = translation
        for i in 0..<3 {
            t[i] = t[i] - t[i].rounded(.down)
            if t[i] > 1 - 1e-6 { t[i] = 0 }
        }
        return SymmetryOperation(rotation: rotation, translation: t)
    }

    /// The xyz notation, e.g. `"-y,x-y,z+1/3"`.
    public var xyz: String {
        let names = ["x", "y", "z"]
        return (0..<3).map { row -> String in
            var s = ""
            for column in 0..<3 {
                let c = rotation[row * 3 + column]
                if c == 0 { continue }
                s += c < 0 ? "-" : (s.isEmpty ? "" : "+")
                if abs(c) != 1 { s += "\(abs(c))" }
                s += names[column]
            }
            let t = translation[row]
            if abs(t) > 1e-9 {
                let twelfths = (t * 12).rounded()
                let text: String
                if abs(t * 12 - twelfths) < 1e-6 {
                    let n = Int(twelfths), g = Self.gcd(abs(n), 12)
                    text = "\(abs(n) / g)/\(12 / g)"
                } else {
                    text = String(abs(t))
                }
                s += (t < 0 ? "-" : "+") + text
            }
            return s.isEmpty ? "0" : s
        }.joined(separator: ",")
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
