import Foundation
import XrayCore

/// A precomputed library of reference phases for identification, stored wavelength-free:
/// each reference is a list of lines (Q bin, |F|²·multiplicity weight) in contiguous columns,
/// plus a per-weight-fraction intensity scale for RIR quantification, its source (COD id, DOI,
/// path) and a fingerprint of its `fingerprintLength` strongest lines that screens large
/// libraries quickly (see `PhaseIdentifier`).
///
/// Q bins are `binWidth` Å⁻¹ wide. The Lorentz–polarisation factor is applied at query time
/// for the measured wavelength. `init(serialized:)` on memory-mapped bytes reads the columns in place.
public struct ReferenceLibrary: Sendable {
    /// Q bin width in Å⁻¹.
    public static let binWidth: Double = 0.002
    /// Lines per fingerprint (the strongest by |F|²m·LP at Cu Kα1; zero-weight padding when fewer).
    public static let fingerprintLength = 12
    /// Identifier per reference (a path or a label).
    public private(set) var names = TextColumn()
    /// Formula per reference (may be empty).
    public private(set) var formulas = TextColumn()
    /// Source per reference: COD id and DOI where the CIF gives them (`COD 9008565; doi:10.…`), else empty.
    public private(set) var sources = TextColumn()
    /// Intensity per unit weight fraction of |F|²m (1/(V²ρ)), for RIR fractions; NaN if unknown.
    public private(set) var weightScale = LibraryColumn<Double>()
    /// Start of reference r's lines in `bins`/`weights` is offsets[r], end offsets[r+1].
    public private(set) var offsets = LibraryColumn<Int32>([0])
    public private(set) var bins = LibraryColumn<UInt16>()
    public private(set) var weights = LibraryColumn<Float>()
    /// `fingerprintLength` strongest lines per reference (bin, weight), reference-major.
    public private(set) var fingerprintBins = LibraryColumn<UInt16>()
    public private(set) var fingerprintWeights = LibraryColumn<Float>()
    /// The fingerprints inverted (present in libraries read from a file): for Q bin b, postings
    /// postingOffsets[b] ..< postingOffsets[b+1] give the references with a fingerprint line in b and
    /// the line's strength w·LP(Cu Kα1) normalised over the reference's fingerprint (Σ strength² = 1).
    public private(set) var postingOffsets = LibraryColumn<UInt32>()
    public private(set) var postingReferences = LibraryColumn<UInt32>()
    public private(set) var postingStrengths = LibraryColumn<Float>()

    public init() {}

    public var count: Int { names.count }

    /// Adds a reference from its lines: Q in Å⁻¹ and |F|²·multiplicity (no LP factor).
    public mutating func append(name: String, formula: String = "", source: String = "", q: [Double], weight: [Double], weightScale: Double = .nan) {
        var b: [UInt16] = [], w: [Float] = []
        for (qi, wi) in zip(q, weight) {
            let bin = Int((qi / Self.binWidth).rounded(.down))
            guard bin >= 0, bin < Int(UInt16.max), wi > 0 else { continue }
            b.append(UInt16(bin))
            w.append(Float(wi))
        }
        append(name: name, formula: formula, source: source, bins: b, weights: w, weightScale: weightScale)
    }

    mutating func append(name: String, formula: String, source: String, bins b: [UInt16], weights w: [Float], weightScale scale: Double) {
        names.append(name)
        formulas.append(formula)
        sources.append(source)
        weightScale.append(scale)
        bins.append(contentsOf: b)
        weights.append(contentsOf: w)
        offsets.append(Int32(truncatingIfNeeded: bins.count))
        let fp = Self.fingerprint(bins: b, weights: w)
        fingerprintBins.append(contentsOf: fp.bins)
        fingerprintWeights.append(contentsOf: fp.weights)
    }

    /// Appends every reference of `other` (merging shard outputs), keeping order.
    public mutating func append(contentsOf other: ReferenceLibrary) {
        let base = Int32(truncatingIfNeeded: bins.count)
        names.append(contentsOf: other.names.array)
        formulas.append(contentsOf: other.formulas.array)
        sources.append(contentsOf: other.sources.array)
        weightScale.append(contentsOf: other.weightScale.array)
        offsets.append(contentsOf: other.offsets.array.dropFirst().map { $0 &+ base })
        bins.append(contentsOf: other.bins.array)
        weights.append(contentsOf: other.weights.array)
        fingerprintBins.append(contentsOf: other.fingerprintBins.array)
        fingerprintWeights.append(contentsOf: other.fingerprintWeights.array)
    }

    /// The `fingerprintLength` strongest lines by weight × LP at Cu Kα1 (1.5406 Å), in bin order, zero-padded.
    static func fingerprint(bins: [UInt16], weights: [Float]) -> (bins: [UInt16], weights: [Float]) {
        let k = fingerprintLength
        let strength = zip(bins, weights).map { copperStrength(bin: $0, weight: $1) }
        let chosen = strength.indices.sorted { strength[$0] > strength[$1] }.prefix(k).sorted { bins[$0] < bins[$1] }
        var fb = chosen.map { bins[$0] }, fw = chosen.map { weights[$0] }
        while fb.count < k { fb.append(0); fw.append(0) }
        return (fb, fw)
    }

    /// Smallest d-spacing stored, Å (Cu Kα reaches 0.77 Å at 2θ = 180°).
    public static let minimumD = 0.75

    /// Adds a crystal structure: lines down to d = 0.75 Å (simulated at λ = 1 Å, LP removed).
    public mutating func append(name: String, source: String = "", structure: CrystalStructure) throws {
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
        append(name: name, formula: structure.cellFormula, source: source, q: q, weight: w, weightScale: Self.weightScale(structure))
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

    /// w·LP at Cu Kα1 (1.5406 Å) of a line in Q bin `bin`; 0 beyond 2θ = 180°.
    static func copperStrength(bin: UInt16, weight: Float) -> Double {
        let q = (Double(bin) + 0.5) * binWidth
        let s = q * 1.5406 / (4 * Double.pi)
        guard s < 1, weight > 0 else { return 0 }
        let theta = asin(s)
        return Double(weight) * (1 + cos(2 * theta) * cos(2 * theta)) / (sin(theta) * sin(theta) * cos(theta))
    }

    /// The inverted fingerprints (see `postingOffsets`), by a counting sort over bins.
    func invertedFingerprints() -> (offsets: [UInt32], references: [UInt32], strengths: [Float]) {
        let k = Self.fingerprintLength
        let fb = fingerprintBins.array, fw = fingerprintWeights.array
        let binCount = (fb.max().map(Int.init) ?? 0) + 1
        var counts = [UInt32](repeating: 0, count: binCount + 1)
        for j in fb.indices where fw[j] > 0 { counts[Int(fb[j]) + 1] += 1 }
        for b in 0..<binCount { counts[b + 1] += counts[b] }
        var next = counts
        let total = Int(counts[binCount])
        var refs = [UInt32](repeating: 0, count: total), strengths = [Float](repeating: 0, count: total)
        for r in 0..<count {
            let range = (r * k)..<(r * k + k)
            let s = range.map { Self.copperStrength(bin: fb[$0], weight: fw[$0]) }
            let norm = s.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for (j, sj) in zip(range, s) where fw[j] > 0 {
                let at = Int(next[Int(fb[j])])
                refs[at] = UInt32(r); strengths[at] = norm > 0 ? Float(sj / norm) : 0
                next[Int(fb[j])] += 1
            }
        }
        return (counts, refs, strengths)
    }

    /// 1/(V² ρ) in Å⁻⁶ cm³/g: converts |F|²m into intensity per unit weight fraction.
    public static func weightScale(_ structure: CrystalStructure) -> Double {
        let volume = structure.cell.volume
        let mass = structure.unitCellAtoms().reduce(0) { $0 + $1.occupancy * $1.element.molarMass }
        let density = mass * 1.66053907 / volume // g/cm³
        return 1 / (volume * volume * density)
    }

    /// Lines of reference `r` as (Q, weight).
    public func lines(_ r: Int) -> [(q: Double, weight: Double)] {
        (Int(offsets[r])..<Int(offsets[r + 1])).map { ((Double(bins[$0]) + 0.5) * Self.binWidth, Double(weights[$0])) }
    }

    // MARK: storage

    private static let magicV1 = Array("RXRDLIB1".utf8)
    private static let magic = Array("RXRDLIB2".utf8)

    /// Binary form (little-endian): magic `RXRDLIB2`, six UInt64 counts (references n, lines m,
    /// fingerprint length k, text bytes, bin slots b, postings p), then, each starting on an 8-byte
    /// boundary: offsets (Int32 × n+1), bins (UInt16 × m), weights (Float32 × m), weight scales
    /// (Float64 × n), fingerprint bins (UInt16 × n·k) and weights (Float32 × n·k), the inverted
    /// fingerprints (posting offsets UInt32 × b, references UInt32 × p, strengths Float32 × p),
    /// text offsets (UInt32 × 3n+1) and the UTF-8 texts (name, formula, source of each reference).
    public func serialized() -> Data {
        var data = Data(Self.magic)
        func put<T>(_ value: T) { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
        func pad() { while data.count % 8 != 0 { data.append(0) } }
        var text = Data(), textOffsets: [UInt32] = [0]
        for r in 0..<count {
            for field in [names[r], formulas[r], sources[r]] {
                text.append(contentsOf: Array(field.utf8))
                textOffsets.append(UInt32(truncatingIfNeeded: text.count))
            }
        }
        let postings = invertedFingerprints()
        put(UInt64(count)); put(UInt64(bins.count)); put(UInt64(Self.fingerprintLength)); put(UInt64(text.count))
        put(UInt64(postings.offsets.count)); put(UInt64(postings.references.count))
        offsets.appendBytes(to: &data); pad()
        bins.appendBytes(to: &data); pad()
        weights.appendBytes(to: &data); pad()
        weightScale.appendBytes(to: &data); pad()
        fingerprintBins.appendBytes(to: &data); pad()
        fingerprintWeights.appendBytes(to: &data); pad()
        LibraryColumn(postings.offsets).appendBytes(to: &data); pad()
        LibraryColumn(postings.references).appendBytes(to: &data); pad()
        LibraryColumn(postings.strengths).appendBytes(to: &data); pad()
        LibraryColumn(textOffsets).appendBytes(to: &data); pad()
        data.append(text)
        return data
    }

    /// Reads `serialized()` bytes (or the older `RXRDLIB1` form); `file` names the source in errors.
    public init(serialized input: Data, file: String) throws {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        // Columns are read in place and need aligned starts: re-base a slice that does not start at 0.
        let data = input.startIndex == 0 ? input : Data(input)
        guard data.count >= 8 else { throw fail(0, "not a Roentgen reference library (expected magic RXRDLIB2)") }
        let head = Array(data.prefix(8))
        if head == Self.magicV1 { try self.init(version1: [UInt8](data), file: file); return }
        guard head == Self.magic, data.count >= 56 else { throw fail(0, "not a Roentgen reference library (expected magic RXRDLIB2)") }
        self.init()
        func u64(_ at: Int) -> Int { Int(truncatingIfNeeded: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }) }
        let n = u64(8), m = u64(16), k = u64(24), textBytes = u64(32), binSlots = u64(40), postingCount = u64(48)
        guard n >= 0, m >= 0, n < 1 << 32, m < Int(Int32.max), k == Self.fingerprintLength, textBytes >= 0, textBytes < 1 << 40,
              binSlots >= 1, binSlots <= 65_537, postingCount >= 0, postingCount <= n * k else {
            throw fail(8, "implausible counts \(n) references, \(m) lines, fingerprint \(k), \(textBytes) text bytes, \(binSlots) bins, \(postingCount) postings")
        }
        var at = 56
        func column<T: BitwiseCopyable>(_ count: Int, _ type: T.Type) throws -> LibraryColumn<T> {
            let size = count * MemoryLayout<T>.stride
            guard at + size <= data.count else { throw fail(at, "truncated: expected \(size) more bytes") }
            let c = LibraryColumn<T>(mapping: data, offset: at, count: count)
            at += size
            at = (at + 7) / 8 * 8
            return c
        }
        offsets = try column(n + 1, Int32.self)
        bins = try column(m, UInt16.self)
        weights = try column(m, Float.self)
        weightScale = try column(n, Double.self)
        fingerprintBins = try column(n * k, UInt16.self)
        fingerprintWeights = try column(n * k, Float.self)
        postingOffsets = try column(binSlots, UInt32.self)
        postingReferences = try column(postingCount, UInt32.self)
        postingStrengths = try column(postingCount, Float.self)
        let textOffsets = try column(3 * n + 1, UInt32.self)
        guard at + textBytes == data.count else { throw fail(at, "expected \(textBytes) bytes of names, found \(data.count - at)") }
        // Offsets must be monotonic and end at the counts (checked once: queries then index freely).
        let ok = offsets.withUnsafeBufferPointer { o in o.first == 0 && o.last == Int32(truncatingIfNeeded: m) && zip(o, o.dropFirst()).allSatisfy { $0 <= $1 } }
        guard ok else { throw fail(40, "line offsets are inconsistent") }
        let textOK = textOffsets.withUnsafeBufferPointer { t in t.first == 0 && Int(t.last ?? 0) == textBytes && zip(t, t.dropFirst()).allSatisfy { $0 <= $1 } }
        guard textOK else { throw fail(at, "name offsets are inconsistent") }
        let postingsOK = postingOffsets.withUnsafeBufferPointer { o in o.first == 0 && Int(o.last ?? 0) == postingCount && zip(o, o.dropFirst()).allSatisfy { $0 <= $1 } }
            && postingReferences.withUnsafeBufferPointer { $0.allSatisfy { Int($0) < n } }
        guard postingsOK else { throw fail(40, "fingerprint index is inconsistent") }
        names = TextColumn(mapping: data, offsets: textOffsets, blob: at, stride: 3, field: 0, count: n)
        formulas = TextColumn(mapping: data, offsets: textOffsets, blob: at, stride: 3, field: 1, count: n)
        sources = TextColumn(mapping: data, offsets: textOffsets, blob: at, stride: 3, field: 2, count: n)
    }

    /// The first format (no sources, no fingerprints): read into arrays, fingerprints computed.
    private init(version1 bytes: [UInt8], file: String) throws {
        self.init()
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard bytes.count >= 24 else { throw fail(0, "truncated header") }
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
        let offs = try take(n + 1, Int32.self)
        let b = try take(m, UInt16.self)
        let w = try take(m, Float.self)
        let scales = try take(n, Double.self)
        let lines = String(decoding: bytes[at...], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == n || (n == 0 && lines.count <= 1) else { throw fail(at, "expected \(n) names, found \(lines.count)") }
        guard offs.first == 0, offs.last == Int32(m), zip(offs, offs.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw fail(24, "line offsets are inconsistent")
        }
        for (r, line) in lines.prefix(n).enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let range = Int(offs[r])..<Int(offs[r + 1])
            append(name: String(parts[0]), formula: parts.count > 1 ? String(parts[1]) : "", source: "",
                   bins: Array(b[range]), weights: Array(w[range]), weightScale: scales[r])
        }
    }
}
