import Foundation
import XrayCore

/// The common relative-energy grid of a XANES reference library and the window its matching
/// features cover. Every entry is stored as normalised μ on E − E0 = `start + i·step` (eV).
public struct XANESGrid: Sendable, Hashable, Codable {
    /// First grid point, eV relative to E0.
    public var start: Double
    /// Grid step, eV.
    public var step: Double
    /// Number of grid points.
    public var count: Int
    /// First grid index and number of points of the matching window (a sub-range of the grid).
    public var windowStart: Int
    public var windowCount: Int

    /// The default grid: −50 … +150 eV in 0.5 eV steps (401 points), matching window −20 … +80 eV.
    public static let standard = XANESGrid(start: -50, step: 0.5, count: 401, windowStart: 60, windowCount: 201)

    public init(start: Double, step: Double, count: Int, windowStart: Int, windowCount: Int) {
        self.start = start; self.step = step; self.count = count; self.windowStart = windowStart; self.windowCount = windowCount
    }

    /// A grid covering `range` (eV relative to E0) in `step`, with the matching window `window`.
    /// - Throws: `RoentgenError.badParameter` when the window is not inside the range or the step is not positive.
    public init(range: ClosedRange<Double>, step: Double, window: ClosedRange<Double>) throws {
        guard step > 0, step.isFinite else { throw RoentgenError.badParameter("grid step \(step) eV; expected a positive number") }
        guard window.lowerBound >= range.lowerBound, window.upperBound <= range.upperBound, window.upperBound - window.lowerBound >= 4 * step else {
            throw RoentgenError.badParameter("matching window \(window.lowerBound)…\(window.upperBound) eV must lie inside the grid \(range.lowerBound)…\(range.upperBound) eV and span at least 4 steps")
        }
        let points = ((range.upperBound - range.lowerBound) / step).rounded() + 1
        guard points.isFinite, points <= 20_000 else {
            throw RoentgenError.badParameter(String(format: "grid of %.3g points; expected at most 20000 (narrow the grid or widen the step)", points))
        }
        let count = Int(points)
        let ws = Int(((window.lowerBound - range.lowerBound) / step).rounded())
        let wc = Int(((window.upperBound - window.lowerBound) / step).rounded()) + 1
        self.init(start: range.lowerBound, step: step, count: count, windowStart: ws, windowCount: wc)
    }

    /// Relative energy of grid point `i`, eV.
    @inline(__always) public func energy(_ i: Int) -> Double { start + Double(i) * step }
}

/// What a library holds about one reference spectrum besides its arrays.
public struct XANESEntry: Sendable, Hashable, Codable {
    /// A label: file name, plus `:group` for a group of a multi-spectrum file.
    public var name: String
    /// Absorbing element symbol and IUPAC edge name (`"Fe"`, `"K"`), from the file or guessed from E0.
    public var element: String
    public var edge: String
    /// Whether element and edge were guessed from E0 (the file did not say).
    public var edgeGuessed: Bool
    /// E0 in eV (Larch's `find_e0`) and the edge step of the raw μ.
    public var e0: Double
    public var edgeStep: Double
    /// Where the spectrum came from (catalog id, DOI, URL or file path) and its licence.
    public var source: String
    public var licence: String
    /// First and last grid index covered by the measured data (outside, `norm` is NaN).
    public var coverageStart: Int
    public var coverageEnd: Int

    enum CodingKeys: String, CodingKey {
        case name, element, edge, e0, source, licence
        case edgeGuessed = "edge_guessed", edgeStep = "edge_step", coverageStart = "coverage_start", coverageEnd = "coverage_end"
    }
}

/// A XANES reference library: normalised μ of every reference on one E − E0 grid, with the
/// unit-norm matching features of each (normalised μ and its derivative over the matching window).
///
/// Stored as one binary file (see `serialized()`); given memory-mapped bytes, `init(serialized:)` reads
/// the float arrays in place and decodes entry texts only for the entries a query reports.
public struct XANESLibrary: @unchecked Sendable {
    // `@unchecked`: `data` is immutable after init (a mapped file or built bytes).
    private let data: Data
    public let grid: XANESGrid
    public let count: Int
    private let recordsOffset: Int, normOffset: Int, featureOffset: Int, textOffset: Int, textLength: Int

    static let magic = Array("RXANES01".utf8)
    static let headerSize = 48
    static let recordSize = 32
    /// Edge names in the order their code is stored.
    static let edgeNames = ["K", "L1", "L2", "L3", "M1", "M2", "M3", "M4", "M5", "N1", "N2", "N3", "N4", "N5", "N6", "N7"]

    /// Features per entry: `2 × windowCount` floats (normalised μ part, then derivative part, each of norm 1/√2).
    public var featureLength: Int { 2 * grid.windowCount }

    /// Reads `serialized()` bytes; `file` names the source in errors.
    public init(serialized data: Data, file: String) throws {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        guard data.count >= Self.headerSize, Array(data.prefix(8)) == Self.magic else {
            throw fail(0, "not a Roentgen XANES library (expected magic RXANES01)")
        }
        let h: (UInt32, UInt32, UInt32, UInt32, UInt32, Double, Double) = data.withUnsafeBytes { raw in
            (raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self), raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self),
             raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self), raw.loadUnaligned(fromByteOffset: 20, as: UInt32.self),
             raw.loadUnaligned(fromByteOffset: 24, as: UInt32.self), raw.loadUnaligned(fromByteOffset: 32, as: Double.self),
             raw.loadUnaligned(fromByteOffset: 40, as: Double.self))
        }
        let n = Int(UInt32(littleEndian: h.0)), g = Int(UInt32(littleEndian: h.1)), ws = Int(UInt32(littleEndian: h.2))
        let wc = Int(UInt32(littleEndian: h.3)), tl = Int(UInt32(littleEndian: h.4))
        guard g >= 5, g <= 20_000, wc >= 4, ws + wc <= g, h.6 > 0, h.5.isFinite, h.6.isFinite else {
            throw fail(12, "implausible grid: \(g) points, window \(ws)+\(wc), step \(h.6)")
        }
        grid = XANESGrid(start: h.5, step: h.6, count: g, windowStart: ws, windowCount: wc)
        count = n
        recordsOffset = Self.headerSize
        normOffset = recordsOffset + n * Self.recordSize
        featureOffset = normOffset + n * g * 4
        textOffset = featureOffset + n * 2 * wc * 4
        textLength = tl
        guard textOffset + tl == data.count else {
            throw fail(min(data.count, textOffset), "expected \(textOffset + tl) bytes for \(n) entries on \(g) points, found \(data.count)")
        }
        self.data = data
        // Check every record once (cheap): coverage and text ranges inside their arrays.
        try data.withUnsafeBytes { raw in
            for r in 0..<n {
                let at = recordsOffset + r * Self.recordSize
                let lo = Int(raw.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self))
                let hi = Int(raw.loadUnaligned(fromByteOffset: at + 22, as: UInt16.self))
                let to = Int(raw.loadUnaligned(fromByteOffset: at + 24, as: UInt32.self))
                let tn = Int(raw.loadUnaligned(fromByteOffset: at + 28, as: UInt32.self))
                let code = Int(raw.loadUnaligned(fromByteOffset: at + 18, as: UInt16.self))
                guard lo <= hi, hi < g, to + tn <= tl, code < Self.edgeNames.count else { throw fail(at, "entry \(r) is inconsistent") }
            }
        }
    }

    // MARK: records

    @inline(__always) private func record<T>(_ r: Int, _ offset: Int, _ type: T.Type) -> T {
        data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: recordsOffset + r * Self.recordSize + offset, as: T.self) }
    }

    /// E0 of entry `r`, eV.
    public func e0(_ r: Int) -> Double { record(r, 0, Double.self) }
    /// Atomic number of entry `r`'s absorber.
    public func atomicNumber(_ r: Int) -> Int { Int(record(r, 16, UInt16.self)) }
    /// Edge name of entry `r`.
    public func edgeName(_ r: Int) -> String { Self.edgeNames[Int(record(r, 18, UInt16.self))] }
    /// Element and edge of entry `r` as `"Fe K"`.
    public func edgeLabel(_ r: Int) -> String { "\(Element.withAtomicNumber(atomicNumber(r))?.symbol ?? "?") \(edgeName(r))" }

    /// Everything stored about entry `r` (decodes its texts).
    public func entry(_ r: Int) -> XANESEntry {
        let to = Int(record(r, 24, UInt32.self)), tn = Int(record(r, 28, UInt32.self))
        let text = String(decoding: data[(textOffset + to)..<(textOffset + to + tn)], as: UTF8.self)
        let parts = text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        func part(_ i: Int) -> String { i < parts.count ? parts[i] : "" }
        return XANESEntry(name: part(0), element: Element.withAtomicNumber(atomicNumber(r))?.symbol ?? "?", edge: edgeName(r),
                          edgeGuessed: part(3) == "guessed", e0: e0(r), edgeStep: record(r, 8, Double.self),
                          source: part(1), licence: part(2),
                          coverageStart: Int(record(r, 20, UInt16.self)), coverageEnd: Int(record(r, 22, UInt16.self)))
    }

    /// Normalised μ of entry `r` on the grid (NaN outside its coverage).
    public func norm(_ r: Int) -> [Float] {
        data.withUnsafeBytes { raw in
            let base = normOffset + r * grid.count * 4
            return (0..<grid.count).map { raw.loadUnaligned(fromByteOffset: base + 4 * $0, as: Float.self) }
        }
    }

    /// Calls `body` with the contiguous feature array (count × featureLength floats).
    public func withFeatures<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[featureOffset..<(featureOffset + count * featureLength * 4)])
            // The mapped file starts page-aligned and every array starts at a multiple of 4 bytes.
            return try body(bytes.bindMemory(to: Float.self))
        }
    }

    /// Z and edge code of entry `r` in one number (for fast filtering).
    @inline(__always) func edgeKey(_ r: Int) -> UInt32 {
        data.withUnsafeBytes { UInt32($0.loadUnaligned(fromByteOffset: recordsOffset + r * Self.recordSize + 16, as: UInt32.self)) }
    }

    /// Element/edge pairs held, with counts, in order of first appearance.
    public func edges() -> [(label: String, count: Int)] {
        var order: [(UInt32, Int)] = [], counts: [UInt32: Int] = [:]
        for r in 0..<count {
            let key = edgeKey(r)
            if counts[key] == nil { order.append((key, r)) }
            counts[key, default: 0] += 1
        }
        return order.map { (edgeLabel($0.1), counts[$0.0]!) }
    }

    /// Indices of the entries whose element and edge are `label` (`"Fe K"`).
    public func entries(withEdge label: String) -> [Int] {
        guard let r0 = (0..<count).first(where: { edgeLabel($0) == label }) else { return [] }
        let key = edgeKey(r0)
        return (0..<count).filter { edgeKey($0) == key }
    }

    // MARK: building

    /// Collects entries and writes the library bytes.
    public struct Builder {
        public let grid: XANESGrid
        var records: [(entry: XANESEntry, z: Int, edgeCode: Int)] = []
        var norms: [Float] = []
        var features: [Float] = []

        public init(grid: XANESGrid = .standard) { self.grid = grid }

        public var count: Int { records.count }

        /// Adds a spectrum already normalised on the grid (NaN outside coverage), e.g. from another library.
        /// - Throws: `RoentgenError.badData` for an unknown element/edge or fewer than 4 covered window points.
        public mutating func append(entry: XANESEntry, norm: [Float]) throws {
            guard norm.count == grid.count else { throw RoentgenError(.badData, "entry '\(entry.name)' has \(norm.count) grid points; expected \(grid.count)") }
            guard let z = Element.named(entry.element)?.atomicNumber, let code = XANESLibrary.edgeNames.firstIndex(of: entry.edge) else {
                throw RoentgenError(.badData, "entry '\(entry.name)': element '\(entry.element)' / edge '\(entry.edge)' not known")
            }
            let f = try XANESFeatures.make(norm: norm.map(Double.init), grid: grid, name: entry.name)
            records.append((entry, z, code))
            norms += norm
            features += f
        }

        /// Adds a measured spectrum: pre-edge normalisation with Larch's defaults (E0 from `find_e0`
        /// unless given), interpolated (linearly) onto the grid relative to E0.
        ///
        /// Element and edge come from `element`/`edge` when given (the file's metadata), else they
        /// are guessed from E0 with XrayDB's rule (`AbsorptionEdge.guess`).
        /// - Throws: `RoentgenError` for unusable data (naming `name`), or no tabulated edge near E0.
        public mutating func append(name: String, energy: [Double], mu: [Double], element: String? = nil, edge: String? = nil,
                                    source: String, licence: String, e0: Double? = nil) throws {
            let prepared = try EnergyGrid.prepare(energy: energy, mu: mu, source: name)
            let pre = try preEdge(energy: prepared.energy, mu: prepared.mu, parameters: PreEdgeParameters(e0: e0))
            var symbol = element, edgeName = edge, guessed = false
            if symbol == nil || edgeName == nil || AbsorptionEdge.named(symbol ?? "", edgeName ?? "") == nil {
                guard let g = AbsorptionEdge.guess(energy: pre.e0) else {
                    throw RoentgenError(.badData, "no tabulated absorption edge near E0 = \(pre.e0) eV", file: name)
                }
                symbol = g.symbol; edgeName = g.edge; guessed = true
            }
            let resampled = XANESFeatures.resample(energy: prepared.energy, values: pre.norm, e0: pre.e0, grid: grid)
            guard resampled.last - resampled.first + 1 >= 2 else {
                throw RoentgenError(.badData, "the data (\(prepared.energy[0])…\(prepared.energy[prepared.energy.count - 1]) eV) do not reach the grid around E0 = \(pre.e0) eV", file: name)
            }
            let entry = XANESEntry(name: name, element: symbol!, edge: edgeName!, edgeGuessed: guessed, e0: pre.e0, edgeStep: pre.edgeStep,
                                   source: source, licence: licence, coverageStart: resampled.first, coverageEnd: resampled.last)
            try append(entry: entry, norm: resampled.values.map(Float.init))
        }

        /// The library file bytes (little-endian): a 48-byte header (magic, counts, grid), 32-byte
        /// records (E0, edge step, Z, edge code, coverage, text offset/length), normalised μ
        /// (count × grid floats), features (count × 2·window floats), then the texts
        /// (`name⇥source⇥licence⇥file|guessed` per entry, UTF-8).
        public func serialized() -> Data {
            var text = Data()
            var spans: [(Int, Int)] = []
            for r in records {
                let clean = { (s: String) in s.replacingOccurrences(of: "\t", with: " ") }
                let line = Data("\(clean(r.entry.name))\t\(clean(r.entry.source))\t\(clean(r.entry.licence))\t\(r.entry.edgeGuessed ? "guessed" : "file")".utf8)
                spans.append((text.count, line.count))
                text.append(line)
            }
            var out = Data(XANESLibrary.magic)
            func put<T>(_ value: T) { withUnsafeBytes(of: value) { out.append(contentsOf: $0) } }
            put(UInt32(records.count)); put(UInt32(grid.count)); put(UInt32(grid.windowStart)); put(UInt32(grid.windowCount))
            put(UInt32(text.count)); put(UInt32(0)); put(grid.start); put(grid.step)
            for (r, span) in zip(records, spans) {
                put(r.entry.e0); put(r.entry.edgeStep); put(UInt16(r.z)); put(UInt16(r.edgeCode))
                put(UInt16(r.entry.coverageStart)); put(UInt16(r.entry.coverageEnd)); put(UInt32(span.0)); put(UInt32(span.1))
            }
            norms.withUnsafeBytes { out.append(contentsOf: $0) }
            features.withUnsafeBytes { out.append(contentsOf: $0) }
            out.append(text)
            return out
        }
    }
}
