import Foundation
import XrayCore
import XrayNumerics

/// The pixel → bin weights of one geometry, mask and binning, built once: a CSR matrix with one
/// row per pixel (`XrayNumerics.CSRMatrix`; masked pixels have empty rows) whose entries are the
/// bins the pixel contributes to and the fraction c it gives each. Integrating a frame is then
/// one sparse product per accumulated quantity (`AzimuthalIntegrator`).
///
/// Binning follows pyFAI 2026's cython engines: `npt` equal bins over [lo, hi); without a given
/// range, lo is the smallest position and hi the largest times (1 + ε_float32) (pyFAI's
/// `calc_upper_bound`), positions being pixel centres over all pixels ("no" splitting, 1-D), over
/// the unmasked pixels ("no" splitting, 2-D: pyFAI's 2-D histogram engine, radial and χ; and 1-D with
/// sigma clipping: pyFAI's CSR engine), or the
/// bounding boxes of the unmasked pixels, clipped at 0 ("bbox"; the boxes themselves are not clipped). A position's bin is
/// (x − lo)/δ truncated towards zero, so values just below lo fall in bin 0, as pyFAI's do.
/// A bounding box [f0, f1) (in bins) covering bins b0 < b1 gives (b0 + 1 − f0)/(f1 − f0) to b0,
/// (f1 − b1)/(f1 − f0) to b1 and 1/(f1 − f0) to each bin between (pyFAI `splitBBoxCSR`).
/// Full splitting spans the unmasked pixels' corners (radial clipped at 0, χ at ±π) and gives each
/// bin the pixel's share of area (`FullPixelSplit`, pyFAI `FullSplitIntegrator`).
public struct SplitMatrix: Sendable {
    public let matrix: CSRMatrix
    /// Bin edges' origin and width in internal units (radial), and the bin count.
    public let radialLow: Double
    public let radialStep: Double
    public let radialBins: Int
    /// Azimuthal binning (radians) for a 2-D matrix; 1 bin for 1-D.
    public let azimuthLow: Double
    public let azimuthStep: Double
    public let azimuthBins: Int

    static let upperBoundFactor = 1 + Double(Float.ulpOfOne)

    static func upperBound(_ x: Double) -> Double { x > 0 ? x * upperBoundFactor : x < 0 ? x / upperBoundFactor : Double(Float.ulpOfOne) }

    /// The bins a span [f0, f1] (in fractional bins) covers and their fractions (pyFAI's rule).
    @inline(__always) static func spread(_ f0: Double, _ f1: Double, bins: Int, into out: inout [(Int, Double)]) {
        out.removeAll(keepingCapacity: true)
        guard f0.isFinite, f1.isFinite, f1 > -1, f0 < Double(bins), abs(f0) < 1e12, abs(f1) < 1e12 else { return }
        var b0 = Int(f0), b1 = Int(f1)
        if b1 < 0 || b0 >= bins { return }
        if b1 >= bins { b1 = bins - 1 }
        if b0 < 0 { b0 = 0 }
        if b0 == b1 { out.append((b0, 1)); return }
        let a = 1 / (f1 - f0)
        out.append((b0, a * (Double(b0 + 1) - f0)))
        out.append((b1, a * (f1 - Double(b1))))
        if b0 + 1 < b1 { for b in b0 + 1..<b1 { out.append((b, a)) } }
    }

    /// Most entries the matrix may hold: 2·10⁸ (about 1.6 GB of column indices and weights). With bbox
    /// splitting each pixel spreads over every bin its box touches, so very fine bins multiply it: 2²⁰
    /// bins over a megapixel frame asked for 14 GB.
    public static let maxEntries = 200_000_000

    /// Builds the matrix. `mask[k]` true: pixel k excluded. For 2-D, `azimuthal` is true.
    /// Throws when bbox splitting at these bins would need more than `maxEntries` entries.
    public init(arrays: PixelGeometry.Arrays, mask: [Bool], options: IntegrationOptions, azimuthal: Bool) throws {
        let n = arrays.radial.count
        let split = options.splitting == .bbox
        let full = options.splitting == .full
        // Full splitting: pixel k = (i, j) has corners A (i, j), B (i + 1, j), C (i + 1, j + 1), D (i, j + 1).
        let cw = arrays.columns + 1
        @inline(__always) func corners(_ k: Int) -> (Int, Int, Int, Int) {
            let q = (k / arrays.columns) * cw + k % arrays.columns
            return (q, q + cw, q + cw + 1, q + 1)
        }
        if full && arrays.cornerRadial.count != (n / max(arrays.columns, 1) + 1) * cw {
            throw RoentgenError.badParameter("full pixel splitting needs the pixel corners")
        }
        /// The smallest and largest corner value of the unmasked pixels (pyFAI's `calc_boundaries`); nil if none.
        func cornerExtent(_ values: [Double]) -> (Double, Double)? {
            var low = Double.infinity, high = -Double.infinity
            for k in 0..<n where !mask[k] {
                let (qa, qb, qc, qd) = corners(k)
                low = min(low, values[qa], values[qb], values[qc], values[qd])
                high = max(high, values[qa], values[qb], values[qc], values[qd])
            }
            return low.isFinite ? (low, high) : nil
        }
        let npt = options.npt
        let unitInverse = options.unit.inverseScale
        // The second axis: χ, or a fiber map's out-of-plane axis.
        let second = arrays.outOfPlane.isEmpty ? arrays.chi : arrays.outOfPlane
        // Radial range.
        var lo: Double, hi: Double
        var hiIn = 0.0   // full splitting: the largest radial position in range (pyFAI's pos0_maxin)
        if let range = options.radialRange {
            (lo, hiIn) = options.fiber.map { $0.inPlaneUnit.internalRange(range, secondAxis: false) }
                ?? (range.lowerBound * unitInverse, range.upperBound * unitInverse)
            hi = Self.upperBound(hiIn)
        } else if split {
            lo = .infinity; hi = -.infinity
            for k in 0..<n where !mask[k] {
                lo = min(lo, max(arrays.radial[k] - arrays.radialDelta[k], 0))
                hi = max(hi, arrays.radial[k] + arrays.radialDelta[k])
            }
            hi = Self.upperBound(hi)
        } else if full {
            // pyFAI's `calc_boundaries`: the unmasked pixels' corners, both ends at least 0.
            (lo, hi) = cornerExtent(arrays.cornerRadial) ?? (0, 1)
            lo = max(0, lo)
            hiIn = max(0, hi)
            hi = Self.upperBound(hiIn)
        } else if azimuthal || options.sigmaClip != nil {
            // pyFAI's 2-D histogram engine and its 1-D CSR engine without splitting (which its sigma
            // clipping uses) span the unmasked pixels' centres; its 1-D histogram all pixels'.
            lo = .infinity; hi = -.infinity
            for k in 0..<n where !mask[k] {
                lo = min(lo, arrays.radial[k])
                hi = max(hi, arrays.radial[k])
            }
            if !lo.isFinite { lo = 0; hi = 1 }
            hi = Self.upperBound(hi)
        } else {
            lo = arrays.radial.min() ?? 0
            hi = Self.upperBound(arrays.radial.max() ?? 1)
        }
        if !(hi > lo) { hi = lo + 1 }
        let step = (hi - lo) / Double(npt)
        // Azimuthal range (radians).
        var alo = -Double.pi, ahi = Double.pi
        var ahiIn = Double.pi   // full splitting: the largest χ in range (pyFAI's pos1_maxin)
        let nAz = azimuthal ? options.nptAzimuthal : 1
        if azimuthal {
            if let fiber = options.fiber, let range = fiber.outOfPlaneRange {
                (alo, ahiIn) = fiber.outOfPlaneUnit.internalRange(range, secondAxis: true)
                ahi = Self.upperBound(ahiIn)
            } else if let range = options.azimuthRange {
                alo = range.lowerBound * .pi / 180
                ahiIn = range.upperBound * .pi / 180
                ahi = Self.upperBound(ahiIn)
            } else if full {
                // pyFAI's `calc_boundaries`: the unmasked pixels' corners (before recentring), clipped to ±π as
                // its float32 π (`clip_pos1`).
                (alo, ahi) = cornerExtent(arrays.cornerChi) ?? (-.pi, .pi)
                let pi32 = Double(Float(Double.pi))
                alo = max(alo, -pi32)
                ahiIn = min(ahi, pi32)
                ahi = Self.upperBound(ahiIn)
            } else if split {
                alo = .infinity; ahi = -.infinity
                for k in 0..<n where !mask[k] {
                    alo = min(alo, arrays.chi[k] - arrays.chiDelta[k])
                    ahi = max(ahi, arrays.chi[k] + arrays.chiDelta[k])
                }
                // Clipped to [−π, π] as pyFAI's `clip_pos1` does, π as its float32 positions hold it.
                let pi32 = Double(Float(Double.pi))
                alo = max(alo, -pi32)
                ahi = Self.upperBound(min(ahi, pi32))
            } else {
                alo = .infinity; ahi = -.infinity
                for k in 0..<n where !mask[k] {
                    alo = min(alo, second[k])
                    ahi = max(ahi, second[k])
                }
                if !alo.isFinite { alo = -.pi; ahi = .pi }
                ahi = Self.upperBound(ahi)
            }
            if !(ahi > alo) { ahi = alo + 1 }
        }
        let astep = (ahi - alo) / Double(nAz)
        if split || full {
            // Entries the pixels' boxes (or corner spans) will take (bins touched, radial × azimuthal), estimated
            // before any allocation from every 16th pixel (a limit check, not a count; a fraction of the build's time).
            let stride = n > 65_536 ? 16 : 1
            var entries = 0.0
            for k in Swift.stride(from: 0, to: n, by: stride) where !mask[k] {
                var width: Double, chiWidth: Double
                if full {
                    let (qa, qb, qc, qd) = corners(k)
                    let r = arrays.cornerRadial, c = arrays.cornerChi
                    width = max(r[qa], r[qb], r[qc], r[qd]) - min(r[qa], r[qb], r[qc], r[qd])
                    let spanChi = max(c[qa], c[qb], c[qc], c[qd]) - min(c[qa], c[qb], c[qc], c[qd])
                    chiWidth = min(spanChi, 2 * .pi - spanChi)   // across ±π the shorter way round
                } else {
                    width = 2 * arrays.radialDelta[k]
                    chiWidth = azimuthal ? 2 * arrays.chiDelta[k] : 0
                }
                if !width.isFinite { width = 0 }
                if !chiWidth.isFinite { chiWidth = 0 }
                let radialBins = min(Double(npt), (width / step).rounded(.up) + 1)
                let azimuthBins = azimuthal ? min(Double(nAz), (chiWidth / astep).rounded(.up) + 1) : 1
                entries += radialBins * azimuthBins
            }
            entries *= Double(stride)
            guard entries <= Double(Self.maxEntries) else {
                throw RoentgenError.badParameter(String(format: "%@ splitting into %d%@ bins would take about %.2g matrix entries (each pixel spans that many bins); at most %d: use fewer bins or --method no",
                                                        full ? "full" : "bbox", npt, azimuthal ? " × \(nAz)" : "", entries, Self.maxEntries))
            }
        }

        var m = CSRMatrix(columns: npt * nAz, reservingEntries: n * (split || full ? 2 : 1))
        var areaBuffer = [Float](repeating: 0, count: full ? (azimuthal ? 256 : npt) : 0)
        var radialSpan: [(Int, Double)] = [], azimuthSpan: [(Int, Double)] = []
        radialSpan.reserveCapacity(64); azimuthSpan.reserveCapacity(64)
        // A 1-D pattern over an azimuthal sector [a, b] (pyFAI's `azimuth_range`): without splitting a
        // pixel counts when its centre's χ is inside, with bbox splitting when its χ box overlaps the
        // sector, and then whole (measured against pyFAI 2026.9; the radial range is unchanged by it).
        let sector = azimuthal ? nil : options.azimuthRange.map { ($0.lowerBound * .pi / 180, $0.upperBound * .pi / 180) }
        for k in 0..<n {
            defer { m.closeRow() }
            if mask[k] { continue }
            if full {
                let (qa, qb, qc, qd) = corners(k)
                let r = arrays.cornerRadial, c = arrays.cornerChi
                if azimuthal {
                    FullPixelSplit.spread2D(radial: (r[qa], r[qb], r[qc], r[qd]), chi: (c[qa], c[qb], c[qc], c[qd]),
                                            radialLow: lo, radialHigh: hiIn, radialStep: step, radialBins: npt,
                                            chiLow: alo, chiHigh: ahiIn, chiEnd: ahi, chiStep: astep, chiBins: nAz,
                                            mirrored: arrays.mirrored, box: &areaBuffer, into: &radialSpan)
                } else {
                    FullPixelSplit.spread(radial: (r[qa], r[qb], r[qc], r[qd]), chi: (c[qa], c[qb], c[qc], c[qd]), lo: lo, step: step,
                                          bins: npt, sector: sector, mirrored: arrays.mirrored, buffer: &areaBuffer, into: &radialSpan)
                }
                for (column, w) in radialSpan { m.append(column: column, value: Float(w)) }
                continue
            }
            if let (a, b) = sector {
                let c = arrays.chi[k], d = split ? arrays.chiDelta[k] : 0
                if c + d < a || c - d > b { continue }
            }
            let x = arrays.radial[k]
            if split {
                let d = arrays.radialDelta[k]
                // The range is clipped at 0, the box itself is not (pyFAI: 0.3 % more weight to bin 0 near the beam).
                Self.spread((x - d - lo) / step, (x + d - lo) / step, bins: npt, into: &radialSpan)
            } else {
                let f = (x - lo) / step
                radialSpan.removeAll(keepingCapacity: true)
                if f.isFinite, f > -1, f < Double(npt) { radialSpan.append((Int(f), 1)) }
            }
            if radialSpan.isEmpty { continue }
            if azimuthal {
                let c = arrays.chi[k]
                if split {
                    let d = arrays.chiDelta[k]
                    Self.spread((c - d - alo) / astep, (c + d - alo) / astep, bins: nAz, into: &azimuthSpan)
                } else {
                    let f = (second[k] - alo) / astep
                    azimuthSpan.removeAll(keepingCapacity: true)
                    if f.isFinite, f > -1, f < Double(nAz) { azimuthSpan.append((Int(f), 1)) }
                }
                for (a, wa) in azimuthSpan {
                    for (r, wr) in radialSpan { m.append(column: a * npt + r, value: Float(wa * wr)) }
                }
            } else {
                for (r, w) in radialSpan { m.append(column: r, value: Float(w)) }
            }
        }
        matrix = m
        radialLow = lo
        radialStep = step
        radialBins = npt
        azimuthLow = alo
        azimuthStep = astep
        azimuthBins = nAz
    }
}
