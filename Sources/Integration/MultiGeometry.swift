import Foundation
import XrayCore

/// Several images, each with its own geometry, integrated into one pattern, as pyFAI 2026.9's `MultiGeometry.integrate1d`
/// does it (a detector scanned in 2θ, tiles of a large area, one detector moved to fill its module gaps):
///
/// - the radial range and the χ range default to the smallest and largest pixel-centre values over every geometry
///   (pyFAI's `_guess_radial_range`, `_guess_azimuth_range`, all pixels, masked or not), so that every image is binned
///   on the same bins;
/// - each image is integrated alone over those ranges (`AzimuthalIntegrator`), its normalisation multiplied, when the
///   solid angle is corrected, by its absolute solid angle at the PONI, pixel1 · pixel2 / distance² (pyFAI: "all
///   processing are then done in absolute solid angle"), so that images at different distances add up;
/// - the bins' sums are added (`IntegrateResult.union`): I = Σ signal / Σ normalisation (0 where none),
///   σ = √(Σ variance) / Σ normalisation.
///
/// The intensities are therefore per steradian, not per relative solid angle: an image's pattern through
/// `MultiGeometry` is its `AzimuthalIntegrator` pattern divided by pixel1 · pixel2 / distance².
public enum MultiGeometry {
    /// One image's place: its geometry and shape.
    public struct Member: Sendable {
        public var geometry: PONIGeometry
        public var rows: Int
        public var columns: Int
        public init(geometry: PONIGeometry, rows: Int, columns: Int) {
            self.geometry = geometry
            self.rows = rows
            self.columns = columns
        }
    }

    /// The default radial range (in `unit`) and χ range (degrees) over every member's pixel centres.
    public static func ranges(_ members: [Member], unit: RadialUnit, threads: Int = 2) throws -> (radial: ClosedRange<Double>, chi: ClosedRange<Double>) {
        try ranges(members.map { try PixelGeometry($0.geometry, rows: $0.rows, columns: $0.columns).arrays(unit: unit, corners: false, threads: threads) },
                   unit: unit)
    }

    /// The same from the members' pixel arrays (`PixelGeometry.arrays` in `unit`), when the integrators are built from
    /// them too.
    public static func ranges(_ arrays: [PixelGeometry.Arrays], unit: RadialUnit) throws -> (radial: ClosedRange<Double>, chi: ClosedRange<Double>) {
        var r0 = Double.infinity, r1 = -Double.infinity, c0 = Double.infinity, c1 = -Double.infinity
        for a in arrays {
            for v in a.radial where v.isFinite { r0 = min(r0, v); r1 = max(r1, v) }
            for v in a.chi where v.isFinite { c0 = min(c0, v); c1 = max(c1, v) }
        }
        guard r0 < r1, c0 <= c1 else { throw RoentgenError.badParameter("the images' pixels span no radial range") }
        let scale = unit.scale
        return ((r0 * scale)...(r1 * scale), (c0 * 180 / .pi)...(c1 * 180 / .pi))
    }

    /// pyFAI's per-image normalisation factor with the solid-angle correction: the absolute solid angle of a pixel at
    /// the PONI, pixel1 · pixel2 / distance² (sr).
    public static func solidAngleFactor(_ geometry: PONIGeometry) -> Double {
        geometry.pixel1 * geometry.pixel2 / (geometry.distance * geometry.distance)
    }

    /// The pattern of several images' results on the same bins, each image's normalisation multiplied by its factor.
    public static func combine(_ parts: [(result: IntegrationResult, factor: Double)]) throws -> IntegrationResult {
        guard var total = parts.first?.result else { throw RoentgenError.badParameter("no image to combine") }
        let n = total.radial.count
        for (r, _) in parts where r.radial.count != n || r.sumSignal.count != n || !r.azimuthal.isEmpty {
            throw RoentgenError.badParameter("the images' patterns have different bins (\(r.radial.count) and \(n)); a multi-geometry pattern needs one radial range")
        }
        var signal = [Double](repeating: 0, count: n), norm = signal, count = signal, variance = signal
        var masked = 0
        for (r, factor) in parts {
            for b in 0..<n {
                signal[b] += r.sumSignal[b]
                norm[b] += r.sumNormalization[b] * factor
                count[b] += r.count[b]
                if b < r.sumVariance.count { variance[b] += r.sumVariance[b] }
            }
            masked += r.maskedPixels
        }
        let withSigma = !total.sigma.isEmpty
        total.intensity = (0..<n).map { norm[$0] != 0 ? signal[$0] / norm[$0] : 0 }
        total.sigma = withSigma ? (0..<n).map { norm[$0] != 0 ? variance[$0].squareRoot() / norm[$0] : 0 } : []
        total.sumSignal = signal
        total.sumNormalization = norm
        total.count = count
        total.sumVariance = variance
        total.maskedPixels = masked
        return total
    }
}
