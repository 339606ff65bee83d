import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration

/// The fast 1-D frame loop (fixed-width spans, static normalisation, pixels read in their stored
/// type) against the general CSR loop, on the Pilatus 1M frame (int32, negative gaps).
@Suite struct FrameLoopTests {
    static func setup() throws -> (DetectorImage, PONIGeometry)? {
        guard let url = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else {
            print(SharedData.missing("images/Pilatus1M.edf")); return nil
        }
        return (try DetectorImages.read(url), try PONIGeometry.parse(String(contentsOf: poni, encoding: .utf8), file: poni.path))
    }

    static func maxRelative(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-300) }.filter { !$0.isNaN }.max() ?? 0
    }

    /// The int32 frame read in place gives the sums of the same frame as `Double`, and both the
    /// sums of the general loop (a dark of zeros forces it), for no splitting and bbox.
    @Test(arguments: [PixelSplitting.no, .bbox]) func storedTypeAndGeneralLoopAgree(_ splitting: PixelSplitting) throws {
        guard let (image, poni) = try Self.setup() else { return }
        let frame = image.frames[0]
        var options = IntegrationOptions()
        options.splitting = splitting
        let integrator = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: frame.map { $0 < 0 }, options: options)
        let width = try #require(integrator.spans?.width)
        #expect(splitting == .no ? width == 1 : width >= 2)
        let validity = AzimuthalIntegrator.ValidityRule(maskNegative: true)
        let asDouble = try integrator.integrate(frame, validity: validity)
        let stored = frame.map { Int32($0) }
        let asInt32 = try stored.withUnsafeBytes { try integrator.integrate(RawFrame(bytes: $0, type: .int32, bigEndian: false), validity: validity) }
        #expect(asInt32.sumSignal == asDouble.sumSignal && asInt32.sumVariance == asDouble.sumVariance && asInt32.intensity == asDouble.intensity)
        let general = try integrator.integrate(frame, dark: [Double](repeating: 0, count: frame.count), validity: validity)
        #expect(Self.maxRelative(asDouble.intensity, general.intensity) < 1e-12)
        #expect(Self.maxRelative(asDouble.sigma, general.sigma) < 1e-12)
        #expect(Self.maxRelative(asDouble.count, general.count) < 1e-12)
        #expect(asDouble.maskedPixels == general.maskedPixels)
        #expect(asDouble.intensity.filter { $0 > 0 }.count > 900)
    }

    /// How a pixel is made invalid in one frame only.
    enum Invalid: String, CaseIterable, Sendable {
        case negative, dummy, nan

        /// The dummy value the `.dummy` case writes (absent from the Pilatus 1M frame).
        static let dummyValue = 7777.0

        /// `frame` with `pixel` made invalid this way, and the rule that finds it (negatives masked, the dummy when used).
        func apply(to frame: inout [Double], pixel: Int) -> AzimuthalIntegrator.ValidityRule {
            switch self {
            case .negative: frame[pixel] = -1
            case .dummy: frame[pixel] = Self.dummyValue
            case .nan: frame[pixel] = .nan
            }
            return AzimuthalIntegrator.ValidityRule(dummy: self == .dummy ? Self.dummyValue : nil, maskNegative: true)
        }
    }

    /// A pixel invalid in this frame only (negative, equal to the dummy value, or NaN, outside the
    /// static mask) is left out of every sum, as if the static mask held it: the fast loop hands
    /// the frame to the general loop. For both splittings and every validity test.
    @Test(arguments: [PixelSplitting.no, .bbox], Invalid.allCases) func pixelInvalidInOneFrame(_ splitting: PixelSplitting, _ invalid: Invalid) throws {
        guard let (image, poni) = try Self.setup() else { return }
        var frame = image.frames[0]
        var options = IntegrationOptions()
        options.splitting = splitting
        let mask = frame.map { $0 < 0 }
        let pixel = 500 * image.columns + 500
        #expect(!mask[pixel])
        let integrator = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: mask, options: options)
        var withPixel = mask
        withPixel[pixel] = true
        let reference = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: withPixel, options: options)
        #expect(!frame.contains(Invalid.dummyValue))
        let validity = invalid.apply(to: &frame, pixel: pixel)
        let r = try integrator.integrate(frame, validity: validity)
        let e = try reference.integrate(frame, validity: validity)
        #expect(r.maskedPixels == integrator.staticMasked + 1 && r.maskedPixels == e.maskedPixels)
        #expect(Self.maxRelative(r.intensity, e.intensity) < 1e-12 && Self.maxRelative(r.count, e.count) < 1e-12)
        #expect(r.radial == e.radial)
        // The same frame as float32 read in place (the NaN and dummy tests run in the stored type).
        let stored = frame.map { Float($0) }
        let f = try stored.withUnsafeBytes { try integrator.integrate(RawFrame(bytes: $0, type: .float32, bigEndian: false), validity: validity) }
        #expect(f.maskedPixels == e.maskedPixels && Self.maxRelative(f.intensity, e.intensity) < 1e-12)
    }
}

/// Frames of a stack integrated four at a time in one pass over the layout.
@Suite struct FrameGroupTests {
    /// Four int32 frames (the Pilatus 1M frame, one with a pixel invalid in it alone, one scaled,
    /// one shifted) integrated as a group give each frame's result alone, bit for bit; a group
    /// of three and a group of mixed types take the one-frame path and agree too.
    @Test(arguments: [PixelSplitting.no, .bbox]) func groupEqualsFramesAlone(_ splitting: PixelSplitting) throws {
        guard let (image, poni) = try FrameLoopTests.setup() else { return }
        let frame = image.frames[0]
        var options = IntegrationOptions()
        options.splitting = splitting
        let mask = frame.map { $0 < 0 }
        let integrator = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: mask, options: options)
        #expect(AzimuthalIntegrator.frameGroup == 4)
        var invalid = frame
        invalid[500 * image.columns + 500] = -1
        let frames: [[Int32]] = [frame, invalid, frame.map { $0 < 0 ? $0 : 3 * $0 }, frame.map { $0 < 0 ? $0 : $0 + 7 }].map { $0.map { Int32($0) } }
        let validity = AzimuthalIntegrator.ValidityRule(maskNegative: true)
        func raws<R>(_ frames: [[Int32]], _ body: ([RawFrame]) throws -> R) rethrows -> R {
            func nest(_ i: Int, _ acc: [RawFrame]) throws -> R {
                if i == frames.count { return try body(acc) }
                return try frames[i].withUnsafeBytes { try nest(i + 1, acc + [RawFrame(bytes: $0, type: .int32, bigEndian: false)]) }
            }
            return try nest(0, [])
        }
        let alone = try raws(frames) { try $0.map { try integrator.integrate($0, validity: validity, threads: 1) } }
        let group = try raws(frames) { try integrator.integrate(group: $0, validity: validity) }
        #expect(group.count == 4)
        for (g, a) in zip(group, alone) {
            #expect(g.intensity == a.intensity && g.sigma == a.sigma && g.count == a.count && g.maskedPixels == a.maskedPixels)
        }
        #expect(group[1].maskedPixels == integrator.staticMasked + 1 && group[0].maskedPixels == integrator.staticMasked)
        #expect(group[2].intensity != group[0].intensity)
        let three = try raws(Array(frames.prefix(3))) { try integrator.integrate(group: $0, validity: validity) }
        #expect(zip(three, alone).allSatisfy { $0.intensity == $1.intensity && $0.sigma == $1.sigma })
        // Mixed stored types: frame 3 as float32.
        let mixed = try raws(Array(frames.prefix(3))) { first in
            try frames[3].map { Float($0) }.withUnsafeBytes { last in
                try integrator.integrate(group: first + [RawFrame(bytes: last, type: .float32, bigEndian: false)], validity: validity)
            }
        }
        #expect(zip(mixed, alone).allSatisfy { $0.intensity == $1.intensity && $0.sigma == $1.sigma })
    }
}

/// The cake frame loop (the matrix bin by bin, static normalisation, pixels read in their stored type)
/// against the general CSR loop, on the Pilatus 1M frame.
@Suite struct CakeLoopTests {
    /// The int32 frame read in place, the same frame as `Double`, and the general loop (a dark of zeros forces
    /// it) agree in every cell, for no, bbox and full splitting; on one thread and on three (bins split by entries).
    @Test(arguments: [PixelSplitting.no, .bbox, .full]) func cellsAndGeneralLoopAgree(_ splitting: PixelSplitting) throws {
        guard let (image, poni) = try FrameLoopTests.setup() else { return }
        let frame = image.frames[0]
        var options = IntegrationOptions()
        options.splitting = splitting
        options.npt = 300
        options.nptAzimuthal = 72
        let integrator = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: frame.map { $0 < 0 },
                                                 options: options, azimuthal: true)
        let cells = try #require(integrator.cells)
        #expect(cells.unitWeights == (splitting == .no))
        #expect(cells.binRanges(3).map(\.count).reduce(0, +) == 300 * 72)
        let validity = AzimuthalIntegrator.ValidityRule(maskNegative: true)
        let asDouble = try integrator.integrate(frame, validity: validity, threads: 3)
        let stored = frame.map { Int32($0) }
        let asInt32 = try stored.withUnsafeBytes { try integrator.integrate(RawFrame(bytes: $0, type: .int32, bigEndian: false), validity: validity, threads: 1) }
        #expect(asInt32.sumSignal == asDouble.sumSignal && asInt32.sumVariance == asDouble.sumVariance && asInt32.intensity == asDouble.intensity)
        let general = try integrator.integrate(frame, dark: [Double](repeating: 0, count: frame.count), validity: validity)
        #expect(FrameLoopTests.maxRelative(asDouble.intensity, general.intensity) < 1e-12)
        #expect(FrameLoopTests.maxRelative(asDouble.sigma, general.sigma) < 1e-12)
        #expect(FrameLoopTests.maxRelative(asDouble.count, general.count) < 1e-12)
        #expect(asDouble.maskedPixels == general.maskedPixels && asDouble.azimuthal == general.azimuthal)
        #expect(asDouble.intensity.filter { $0 > 0 }.count > 5000)
    }

    /// A pixel invalid in this frame only is left out of every cell, as if the static mask held it.
    @Test(arguments: FrameLoopTests.Invalid.allCases) func pixelInvalidInOneFrame(_ invalid: FrameLoopTests.Invalid) throws {
        guard let (image, poni) = try FrameLoopTests.setup() else { return }
        var frame = image.frames[0]
        var options = IntegrationOptions()
        options.splitting = .bbox
        options.npt = 200
        options.nptAzimuthal = 36
        let mask = frame.map { $0 < 0 }
        let pixel = 500 * image.columns + 500
        let integrator = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: mask, options: options, azimuthal: true)
        var withPixel = mask
        withPixel[pixel] = true
        let reference = try AzimuthalIntegrator(geometry: poni, rows: image.rows, columns: image.columns, mask: withPixel, options: options, azimuthal: true)
        let validity = invalid.apply(to: &frame, pixel: pixel)
        let r = try integrator.integrate(frame, validity: validity)
        let e = try reference.integrate(frame, validity: validity)
        #expect(r.maskedPixels == integrator.staticMasked + 1 && r.maskedPixels == e.maskedPixels)
        #expect(FrameLoopTests.maxRelative(r.intensity, e.intensity) < 1e-12 && FrameLoopTests.maxRelative(r.count, e.count) < 1e-12)
        let stored = frame.map { Float($0) }
        let f = try stored.withUnsafeBytes { try integrator.integrate(RawFrame(bytes: $0, type: .float32, bigEndian: false), validity: validity) }
        #expect(f.maskedPixels == e.maskedPixels && FrameLoopTests.maxRelative(f.intensity, e.intensity) < 1e-12)
    }
}
