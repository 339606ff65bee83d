import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration

/// integrate1d of pixium_03150.tif against pyFAI 2026.9 (integrate1d_pixium_03150.json): every
/// method, unit, correction and mask variant, intensities and sigmas within 1e-4 relative per bin.
@Suite struct PixiumIntegrationTests {
    struct Setup {
        var image: DetectorImage
        var mask: [Bool]
        var poni: PONIGeometry
        var alternative: PONIGeometry
    }

    static func setup() throws -> Setup? {
        guard let image = SharedData.url("images/pixium_03150.tif"), let mask = SharedData.url("images/DLS_CeO2_1200mm.mask"),
              let poni = SharedData.url("images/DLS_CeO2_1200mm_pyFAI.poni"), let alt = SharedData.url("images/DLS_CeO2_1200mm.poni") else {
            print(SharedData.missing("images/pixium_03150.tif")); return nil
        }
        return Setup(image: try DetectorImages.read(image), mask: try DetectorImages.read(mask).frames[0].map { $0 != 0 },
                     poni: try PONIGeometry.parse(String(contentsOf: poni, encoding: .utf8), file: poni.path),
                     alternative: try PONIGeometry.parse(String(contentsOf: alt, encoding: .utf8), file: alt.path))
    }

    static func compare(_ mine: [Double], _ ref: [Double?], tolerance: Double, _ what: String) -> Int {
        var bad = 0
        for (k, r) in ref.enumerated() {
            let expected = r ?? 0
            let scale = max(abs(expected), 1e-12)
            if abs(mine[k] - expected) > tolerance * scale, !(expected == 0 && abs(mine[k]) < 1e-12) {
                if bad < 3 { Issue.record("\(what) bin \(k): \(mine[k]) vs pyFAI \(expected)") }
                bad += 1
            }
        }
        return bad
    }

    @Test func everyVariant() throws {
        guard let s = try Self.setup(), let ref = try Reference.load("images/reference/integrate1d_pixium_03150.json", as: PixiumReference.self) else { return }
        #expect(s.mask.filter { $0 }.count == ref.mask_count)
        #expect(ref.results.count == 21)
        for r in ref.results {
            var o = IntegrationOptions()
            o.npt = 1000
            o.unit = try #require(RadialUnit(rawValue: r.unit))
            o.splitting = r.method_key.hasPrefix("bbox") ? .bbox : .no
            o.correctSolidAngle = r.correctSolidAngle
            o.polarizationFactor = r.polarization_factor
            if let range = r.radial_range { o.radialRange = range[0]...range[1] }
            let geometry = r.variant.hasPrefix("alt_poni") ? s.alternative : s.poni
            let integrator = try AzimuthalIntegrator(geometry: geometry, rows: s.image.rows, columns: s.image.columns,
                                                     mask: r.mask.hasPrefix("file") ? s.mask : nil, options: o)
            let result = try integrator.integrate(s.image.frames[0])
            let what = "\(r.variant) \(r.unit) \(r.method_key) sa=\(r.correctSolidAngle) pol=\(String(describing: r.polarization_factor))"
            #expect(Self.compare(result.radial, r.radial, tolerance: 1e-6, what + " radial") == 0)
            #expect(Self.compare(result.intensity, r.intensity, tolerance: 1e-4, what + " intensity") == 0)
            #expect(Self.compare(result.sigma, r.sigma, tolerance: 1e-4, what + " sigma") == 0)
            if let count = r.count { #expect(Self.compare(result.count, count, tolerance: 1e-4, what + " count") == 0) }
        }
    }

    /// A stack integrates frame by frame with one matrix: two frames give two results, and the
    /// sum of two frames integrates to the sum of their intensities (the product is linear).
    @Test func linearInTheFrame() throws {
        guard let s = try Self.setup() else { return }
        var o = IntegrationOptions()
        o.splitting = .bbox
        o.polarizationFactor = 0.99
        let integrator = try AzimuthalIntegrator(geometry: s.poni, rows: s.image.rows, columns: s.image.columns, mask: s.mask, options: o)
        let frame = s.image.frames[0]
        let doubled = frame.map { $0 * 2 }
        let a = try integrator.integrate(frame), b = try integrator.integrate(doubled)
        for k in a.intensity.indices where a.intensity[k] != 0 {
            #expect(abs(b.intensity[k] / a.intensity[k] - 2) < 1e-12)
        }
        #expect(a.maskedPixels == 30627)
    }

    /// The cake: every unmasked pixel's signal lands in some (azimuth, radial) bin, so the cake's
    /// signal summed over azimuth equals the 1-D signal for the same radial bins.
    @Test func cakeSumsToTheOneDimensionalSignal() throws {
        guard let s = try Self.setup() else { return }
        for splitting in [PixelSplitting.no, .bbox] {
            var o = IntegrationOptions()
            o.npt = 500
            o.nptAzimuthal = 72
            o.splitting = splitting
            o.radialRange = 2...12
            o.azimuthRange = -180...180
            let cake = try AzimuthalIntegrator(geometry: s.poni, rows: s.image.rows, columns: s.image.columns, mask: s.mask, options: o, azimuthal: true)
            let one = try AzimuthalIntegrator(geometry: s.poni, rows: s.image.rows, columns: s.image.columns, mask: s.mask, options: o)
            let c = try cake.integrate(s.image.frames[0]), d = try one.integrate(s.image.frames[0])
            #expect(c.intensity.count == 500 * 72 && c.azimuthal.count == 72)
            for r in stride(from: 0, to: 500, by: 7) {
                let summed = (0..<72).reduce(0.0) { $0 + c.sumSignal[$1 * 500 + r] }
                #expect(abs(summed - d.sumSignal[r]) <= 1e-6 * max(1, d.sumSignal[r]), "\(splitting) radial bin \(r)")
            }
        }
    }
}
