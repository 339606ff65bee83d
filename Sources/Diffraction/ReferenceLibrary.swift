import Foundation
import XrayCore

/// A precomputed library of reference phases for identification, stored wavelength-free:
/// each reference is a list of lines (Q bin, |F|²·multiplicity weight) in contiguous arrays,
/// plus a per-weight-fraction intensity scale for RIR quantification.
///
/// Q bins are `binWidth` Å⁻¹ wide. The Lorentz–polarisation factor is applied at query time
/// for the measured wavelength.
public struct ReferenceLibrary: Sendable {
    /// Q bin width in Å⁻¹.
    public static let binWidth: Double = 0.002
    /// Identifier per reference (a path or a label).
    public private(set) var names: [String] = []
    /// Formula per reference (may be empty).
    public private(set) var formulas: [String] = []
    /// Intensity per unit weight fraction of |F|²m (1/(V²ρ)), for RIR fractions; NaN if unknown.
    public private(set) var weightScale: [Double] = []
    /// Start of reference r's lines in `bins`/`weights` is offsets[r], end offsets[r+1].
    public private(set) var offsets: [Int32] = [0]
    public private(set) var bins: [UInt16] = []
    public private(set) var weights: [Float] = []

    public init() {}

    public var count: Int { names.count }

    /// Adds a reference from its lines: Q in Å⁻¹ and |F|²·multiplicity (no LP factor).
    public mutating func append(name: String, formula: String = "", q: [Double], weight: [Double], weightScale: Double = .nan) {
        names.append(name)
        formulas.append(formula)
        self.weightScale.append(weightScale)
        for (qi, wi) in zip(q, weight) {
            let b = Int((qi / Self.binWidth).rounded(.down))
            guard b >= 0, b < Int(UInt16.max), wi > 0 else { continue }
            bins.append(UInt16(b))
            weights.append(Float(wi))
        }
        offsets.append(Int32(bins.count))
    }

    /// Smallest d-spacing stored, Å (Cu Kα reaches 0.77 Å at 2θ = 180°).
    public static let minimumD = 0.75

    /// Adds a crystal structure: lines down to d = 0.75 Å (simulated at λ = 1 Å, LP removed).
    public mutating func append(name: String, structure: CrystalStructure) throws {
        let maxTwoTheta = 2 * asin(1.0 / (2 * Self.minimumD)) * 180 / Double.pi
        let options = SimulationOptions(wavelength: 1.0, twoThetaRange: 0.5...maxTwoTheta, minimumIntensity: 1e-3)
        let pattern = try PowderSimulator.simulate(structure, options: options)
        var q: [Double] = [], w: [Double] = []
        for p in pattern.peaks {
            let theta = p.twoTheta * Double.pi / 360
            let lp = (1 + cos(2 * theta) * cos(2 * theta)) / (sin(theta) * sin(theta) * cos(theta))
            q.append(2 * Double.pi / p.d)
            w.append(p.absoluteIntensity / lp) // |F|²·multiplicity
        }
        append(name: name, formula: structure.cellFormula, q: q, weight: w, weightScale: Self.weightScale(structure))
    }

    /// Adds a measured reference pattern (e.g. an opXRD labelled pattern) through its fitted peaks:
    /// Q from 2θ at `wavelength`, weight = integrated area / LP. No weight scale (fractions use scales only).
    public mutating func append(name: String, label: String = "", peaks: [FittedPeak], wavelength: Double) {
        var q: [Double] = [], w: [Double] = []
        for peak in peaks where peak.area > 0 {
            let theta = peak.twoTheta * Double.pi / 360
            let lp = (1 + cos(2 * theta) * cos(2 * theta)) / (sin(theta) * sin(theta) * cos(theta))
            q.append(DiffractionAxes.q(twoTheta: peak.twoTheta, wavelength: wavelength))
            w.append(peak.area / lp)
        }
        append(name: name, formula: label, q: q, weight: w)
    }

    /// 1/(V² ρ) in Å⁻⁶ cm³/g: converts |F|²m into intensity per unit weight fraction.
    static func weightScale(_ structure: CrystalStructure) -> Double {
        let volume = structure.cell.volume
        let mass = structure.unitCellAtoms().reduce(0) { $0 + $1.occupancy * $1.element.molarMass }
        let density = mass * 1.66053907 / volume // g/cm³
        return 1 / (volume * volume * density)
    }

    /// Lines of reference `r` as (Q, weight).
    public func lines(_ r: Int) -> [(q: Double, weight: Double)] {
        (Int(offsets[r])..<Int(offsets[r + 1])).map { ((Double(bins[$0]) + 0.5) * Self.binWidth, Double(weights[$0])) }
    }

    /// Appends every reference of `other` (a stored library read with `init(serialized:file:)`).
    public mutating func append(contentsOf other: ReferenceLibrary) {
        for r in 0..<other.count {
            let lines = other.lines(r)
            append(name: other.names[r], formula: other.formulas[r], q: lines.map(\.q), weight: lines.map(\.weight),
                   weightScale: other.weightScale[r])
        }
    }

    // MARK: storage

    private static let magic = Array("RXRDLIB1".utf8)

    /// Binary form: magic, counts, then the arrays (little-endian) and names/formulas as UTF-8 lines.
    public func serialized() -> Data {
        var data = Data(Self.magic)
        func put<T>(_ value: T) { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
        put(UInt64(count)); put(UInt64(bins.count))
        offsets.withUnsafeBytes { data.append(contentsOf: $0) }
        bins.withUnsafeBytes { data.append(contentsOf: $0) }
        weights.withUnsafeBytes { data.append(contentsOf: $0) }
        weightScale.withUnsafeBytes { data.append(contentsOf: $0) }
        let text = zip(names, formulas).map { "\($0)\t\($1)" }.joined(separator: "\n")
        data.append(contentsOf: Array(text.utf8))
        return data
    }

    /// Reads `serialized()` bytes; `file` names the source in errors.
    public init(serialized data: Data, file: String) throws {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard bytes.count >= 24, Array(bytes[0..<8]) == Self.magic else { throw fail(0, "not a Roentgen reference library (expected magic RXRDLIB1)") }
        func u64(_ at: Int) -> Int { bytes[at..<(at + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } }
        let n = u64(8), m = u64(16)
        guard n >= 0, m >= 0, n < 1 << 32, m < 1 << 40 else { throw fail(8, "implausible counts \(n), \(m)") }
        var at = 24
        func take<T>(_ count: Int, _ type: T.Type) throws -> [T] {
            let size = count * MemoryLayout<T>.stride
            guard size >= 0, at + size <= bytes.count else { throw fail(at, "truncated: expected \(size) more bytes") }
            let start = at
            let out = bytes.withUnsafeBytes { raw in
                (0..<count).map { raw.loadUnaligned(fromByteOffset: start + $0 * MemoryLayout<T>.stride, as: T.self) }
            }
            at += size
            return out
        }
        offsets = try take(n + 1, Int32.self)
        bins = try take(m, UInt16.self)
        weights = try take(m, Float.self)
        weightScale = try take(n, Double.self)
        let lines = String(decoding: bytes[at...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == n || (n == 0 && lines.count <= 1) else { throw fail(at, "expected \(n) names, found \(lines.count)") }
        for line in lines.prefix(n) {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            names.append(String(parts[0])); formulas.append(parts.count > 1 ? String(parts[1]) : "")
        }
        guard offsets.first == 0, offsets.last == Int32(m), zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw fail(24, "line offsets are inconsistent")
        }
    }
}
