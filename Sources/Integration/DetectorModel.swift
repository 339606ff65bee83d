import Foundation
import XrayCore

/// A detector a PONI file may name (one of pyFAI 2026.9's detector classes, listed in
/// `DetectorCatalog.swift`): the names pyFAI accepts for it, its binnings (pixel size and shape), and
/// the pixels pyFAI masks on it by construction.
///
/// pyFAI's mask rules, as Roentgen computes them:
/// - `.modules`: module gaps (`_Dectris.calc_mask`, also Lambda, Maxipix and Jungfrau 1M/4M): from each
///   module's end, `gap` rows and columns, every module pitch. The CdTe sensors add a gap in the
///   middle of every module's columns: 3 columns for Pilatus CdTe, 2 for Eiger2 CdTe, 1 for Pilatus4
///   CdTe (pyFAI `PilatusCdTe`, `Eiger2CdTe`, `Pilatus4_CdTe`). Made on the unbinned detector; a
///   binned pixel is masked when any of the pixels it sums is (pyFAI's `rebin(mask) != 0`).
/// - `.circle`: the round sensitive area of an image plate or CCD (pyFAI `Mar345`, `Rayonix133`,
///   `RayonixSx165`): with `c = (rows / 2, columns / 2)` (integer halves), a pixel is masked when its
///   centre lies farther than `c.0` pixels from `c`: (i + ½ − c₀)² + (j + ½ − c₁)² > c₀², on the binned
///   shape itself.
///
/// Detectors whose pixels pyFAI does not place on a regular grid (curved, hexagonal, or with wider
/// pixels at chip borders) carry the reason in `irregular`; a PONI naming one is refused.
/// Checked against pyFAI 2026.9 for every detector and binning (`DetectorModelTests`).
public struct DetectorModel: Sendable {
    /// pyFAI's built-in mask rule of a detector.
    public enum MaskRule: Sendable {
        case none
        /// Module gaps; `centreGap` columns masked in the middle of every module, the first at
        /// `module columns / 2 + offset`.
        case modules(size: (Int, Int), gap: (Int, Int), centreGap: (offset: Int, width: Int)? = nil)
        case circle
    }

    /// One way pyFAI builds the detector from a PONI: the pixel size (m) it is given and keeps, the
    /// shape (rows, columns) that gives, and the binning.
    public struct Binning: Sendable {
        public var pixel1: Double
        public var pixel2: Double
        public var rows: Int
        public var columns: Int
        public var binning: (Int, Int)
    }

    /// pyFAI's class name (`Pilatus1M`, `RayonixSx165`, …).
    public var name: String
    /// Other names pyFAI accepts for it ("Pilatus 1M CdTe", "MAR 165", …).
    public var aliases: [String] = []
    public var mask: MaskRule = .none
    /// The binnings pyFAI builds; the first is the default (the pixel size pyFAI writes without one).
    public var binnings: [Binning] = []
    /// Why Roentgen cannot integrate this detector, nil when its pixels form a regular grid.
    public var irregular: String?
    /// The value pyFAI's integrators mask on this detector when no dummy is given (`Detector.DUMMY`:
    /// −2 for the DECTRIS-like detectors, 0 for Lambda), and its tolerance (`DELTA_DUMMY`; nil: float32's ε).
    public var dummy: Double?
    public var deltaDummy: Double?

    public init(name: String, aliases: [String], mask: MaskRule, dummy: Double? = nil, deltaDummy: Double? = nil, binnings: [Binning]) {
        self.name = name
        self.aliases = aliases
        self.mask = mask
        self.dummy = dummy
        self.deltaDummy = deltaDummy
        self.binnings = binnings
    }

    public init(name: String, aliases: [String], irregular: String) {
        self.name = name
        self.aliases = aliases
        self.irregular = irregular
    }

    /// The default binning (nil for a detector Roentgen cannot integrate).
    public var standard: Binning? { binnings.first }

    /// The model named `name` (case-insensitive, `_`, `-`, `.` and spaces ignored), or nil.
    public static func named(_ name: String) -> DetectorModel? {
        let k = key(name)
        return all.first { key($0.name) == k || $0.aliases.contains { key($0) == k } }
    }

    private static func key(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }

    /// The binning pyFAI builds from this pixel size (m), equal to 1e-9 relative, or nil when it is
    /// none of the detector's.
    public func binning(pixel1: Double, pixel2: Double) -> Binning? {
        binnings.first { abs($0.pixel1 / pixel1 - 1) < 1e-9 && abs($0.pixel2 / pixel2 - 1) < 1e-9 }
    }

    /// The built-in mask (true = masked) of `binning`, or nil when it masks nothing.
    public func builtInMask(_ binning: Binning) -> [Bool]? {
        let (r, c) = (binning.rows, binning.columns)
        let mask: [Bool]
        switch self.mask {
        case .none:
            return nil
        case .circle:
            let c0 = Double(r / 2), c1 = Double(c / 2)
            var m = [Bool](repeating: false, count: r * c)
            for i in 0..<r {
                let y = Double(i) + 0.5 - c0
                for j in 0..<c {
                    let x = Double(j) + 0.5 - c1
                    m[i * c + j] = y * y + x * x > c0 * c0
                }
            }
            mask = m
        case let .modules(size, gap, centreGap):
            let (b1, b2) = binning.binning
            let full = Self.moduleMask(rows: r * b1, columns: c * b2, size: size, gap: gap, centreGap: centreGap)
            mask = b1 == 1 && b2 == 1 ? full : Self.rebinned(full, columns: c * b2, by: (b1, b2), rows: r, binnedColumns: c)
        }
        return mask.contains(true) ? mask : nil
    }

    /// The built-in mask for an image of `rows × columns` with this pixel size (m): nil when the
    /// detector masks nothing there, or when pixel size or shape is not one of its binnings (see
    /// `binning(pixel1:pixel2:)`).
    public func builtInMask(pixel1: Double, pixel2: Double, rows: Int, columns: Int) -> [Bool]? {
        guard let b = binning(pixel1: pixel1, pixel2: pixel2), b.rows == rows, b.columns == columns else { return nil }
        return builtInMask(b)
    }

    /// The dummy and delta pyFAI uses for an image of `type` when none is given (`Detector.get_dummies`): the
    /// detector's dummy taken into the image's type first (`dtype.type(int64(DUMMY))`: −2 is 65534 in a
    /// uint16 image, 4294967294 in a uint32 one, where Eiger frames mark gaps and dead pixels), the delta
    /// float32's ε when the detector gives none. Both are compared in float32 (`ValidityRule`). Nil when the
    /// detector has no dummy.
    public func dummies(for type: DetectorImage.PixelType) -> (dummy: Double, delta: Double)? {
        guard let dummy else { return nil }
        let value: Double
        let whole = Int64(dummy)
        switch type {
        case .uint8: value = Double(UInt8(truncatingIfNeeded: whole))
        case .uint16: value = Double(UInt16(truncatingIfNeeded: whole))
        case .uint32: value = Double(UInt32(truncatingIfNeeded: whole))
        case .uint64: value = Double(UInt64(bitPattern: whole))
        case .int8: value = Double(Int8(truncatingIfNeeded: whole))
        case .int16: value = Double(Int16(truncatingIfNeeded: whole))
        case .int32: value = Double(Int32(truncatingIfNeeded: whole))
        case .int64: value = Double(whole)
        case .float32, .float64: value = Double(whole)
        }
        return (value, deltaDummy ?? Double(Float.ulpOfOne))
    }

    /// What the built-in mask hides, for messages ("module gaps", …).
    public var maskDescription: String {
        switch mask {
        case .none: return "no pixels"
        case .modules: return "module gaps"
        case .circle: return "pixels outside its round sensitive area"
        }
    }

    /// `_Dectris.calc_mask` on the unbinned detector.
    static func moduleMask(rows r: Int, columns c: Int, size: (Int, Int), gap: (Int, Int), centreGap: (offset: Int, width: Int)?) -> [Bool] {
        let pitchRow = size.0 + gap.0, pitchColumn = size.1 + gap.1
        // One row's pattern (column gaps, and the CdTe centre columns), copied to every row that is
        // not a row gap; row gaps are masked whole.
        var pattern = [Bool](repeating: false, count: c)
        for j in 0..<c where j % pitchColumn >= size.1 { pattern[j] = true }
        if let centreGap {
            var first = size.1 / 2 + centreGap.offset
            while first < c {
                for j in max(first, 0)..<min(first + centreGap.width, c) { pattern[j] = true }
                first += pitchColumn
            }
        }
        let full = [Bool](repeating: true, count: c)
        var mask: [Bool] = []
        mask.reserveCapacity(r * c)
        for i in 0..<r {
            mask.append(contentsOf: i % pitchRow >= size.0 ? full : pattern)
        }
        return mask
    }

    /// A binned pixel is masked when any pixel it sums is (pyFAI `rebin(mask, binning) != 0`).
    static func rebinned(_ mask: [Bool], columns: Int, by b: (Int, Int), rows: Int, binnedColumns: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: rows * binnedColumns)
        for i in 0..<rows * b.0 {
            for j in 0..<binnedColumns * b.1 where mask[i * columns + j] {
                out[(i / b.0) * binnedColumns + j / b.1] = true
            }
        }
        return out
    }
}
