import Foundation
import Integration
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// `integrate --multi-geometry` (`MultiGeometry`) against pyFAI 2026.9's `MultiGeometry.integrate1d`
/// (Tests/Fixtures/images/make_multi_geometry_reference.py → pyfai_multi_geometry.json): two Pilatus 1M frames at 1.58 m
/// and ~0.1 m, each with its own PONI, into one 2θ pattern (no splitting and bbox), and the Pixium frame as two images
/// holding one half of the rows each; every bin's centre, intensity and Poisson σ.
@Suite struct MultiGeometryTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var images: [String]; var ponis: [String]; var arguments: [String]
            var radial_range: [Double]; var azimuth_range: [Double]; var half_rows: Int?
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var cases: [Case]
    }

    static func fixture(_ name: String) throws -> Fixture.Case {
        let all = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_multi_geometry.json")))
        return try #require(all.cases.first { $0.name == name })
    }

    @Test(arguments: ["pilatus_pair_no", "pilatus_pair_bbox"])
    func twoGeometriesAsPyFAI(_ name: String) async throws {
        let c = try Self.fixture(name)
        guard let a = SharedData.url(c.images[0]), let b = SharedData.url(c.images[1]),
              let pa = SharedData.url(c.ponis[0]), let pb = SharedData.url(c.ponis[1]) else { print(SharedData.missing("images")); return }
        let r = try await RoentgenCLI.run(["integrate", a.path, b.path, "--poni", pa.path, "--poni", pb.path, "--multi-geometry", "--json"] + c.arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let (radial, intensity, sigma) = try patternArrays(object)
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma, expectedRadial: c.radial,
                            expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        #expect(intensity.filter { $0 > 0 }.count > 500)
        #expect(r.stderr.contains("pyFAI MultiGeometry of 2 images") && r.stdout.contains("\"file\": \"\(a.path) + \(b.path)\""))
    }

    /// The guessed ranges are pyFAI's (every pixel centre of both geometries), and the Pixium frame split into two images
    /// by row gives pyFAI's pattern, which is also the whole frame's divided by its absolute solid angle at the PONI.
    @Test func rangesAndHalvesOfOneFrame() throws {
        let pair = try Self.fixture("pilatus_pair_no")
        guard let edf = SharedData.url("images/Pilatus1M.edf"), let ceo2 = SharedData.url("images/CeO2_Pilatus1M.tif") else { return }
        let members = try [(edf, "images/Pilatus1M.poni"), (ceo2, "images/CeO2_Pilatus1M.poni")].map { image, poni in
            let url = try #require(SharedData.url(poni))
            let g = try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
            let frame = try DetectorImages.read(image)
            return MultiGeometry.Member(geometry: g, rows: frame.rows, columns: frame.columns)
        }
        let ranges = try MultiGeometry.ranges(members, unit: .twoThetaDegrees)
        #expect(abs(ranges.radial.lowerBound - pair.radial_range[0]) <= 1e-12 * pair.radial_range[1])
        #expect(abs(ranges.radial.upperBound - pair.radial_range[1]) <= 1e-12 * pair.radial_range[1])
        #expect(abs(ranges.chi.lowerBound - pair.azimuth_range[0]) <= 1e-10 && abs(ranges.chi.upperBound - pair.azimuth_range[1]) <= 1e-10)

        let c = try Self.fixture("pixium_halves")
        guard let image = SharedData.url(c.images[0]), let poniURL = SharedData.url(c.ponis[0]), let maskURL = SharedData.url("images/DLS_CeO2_1200mm.mask") else { return }
        let g = try PONIGeometry.parse(String(contentsOf: poniURL, encoding: .utf8), file: poniURL.path)
        let frame = try DetectorImages.read(image), fileMask = try DetectorImages.readMask(maskURL)
        let rows = frame.rows, columns = frame.columns, half = try #require(c.half_rows)
        var options = IntegrationOptions()
        options.npt = 800
        options.unit = .qInverseNanometre
        options.splitting = .bbox
        options.polarizationFactor = 0.99
        let guessed = try MultiGeometry.ranges([MultiGeometry.Member(geometry: g, rows: rows, columns: columns)], unit: .qInverseNanometre)
        options.radialRange = guessed.radial
        options.azimuthRange = guessed.chi
        let base = fileMask.frames[0].map { $0 != 0 }
        func masked(_ keep: Range<Int>) -> [Bool] { (0..<rows * columns).map { base[$0] || !keep.contains($0 / columns) } }
        let parts = try [0..<half, half..<rows].map { keep in
            let integrator = try AzimuthalIntegrator(geometry: g, rows: rows, columns: columns, mask: masked(keep), options: options)
            return (result: try integrator.integrate(frame.frames[0]), factor: MultiGeometry.solidAngleFactor(g))
        }
        let combined = try MultiGeometry.combine(parts)
        let off = valuesOff(radial: combined.radial, intensity: combined.intensity, sigma: combined.sigma, expectedRadial: c.radial,
                            expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "pixium halves: \(off) values more than 1e-4 from pyFAI")
        let whole = try AzimuthalIntegrator(geometry: g, rows: rows, columns: columns, mask: base, options: options).integrate(frame.frames[0])
        let factor = MultiGeometry.solidAngleFactor(g)
        let worst = zip(combined.intensity, whole.intensity).map { abs($0 - $1 / factor) / max(abs($1 / factor), 1e-300) }.max() ?? 1
        #expect(worst <= 1e-12, "halves against the whole frame: \(worst)")
    }

    @Test func refusals() async throws {
        guard let a = SharedData.url("images/Pilatus1M.edf"), let b = SharedData.url("images/CeO2_Pilatus1M.tif"),
              let pa = SharedData.url("images/Pilatus1M.poni"), let pb = SharedData.url("images/CeO2_Pilatus1M.poni"),
              let stack = SharedData.url("images/lambda_testasapo1_1009_00002_m1_part00000.nxs") else { return }
        let cases: [([String], String)] = [
            ([a.path, b.path, "--poni", pa.path, "--poni", pb.path], "give --multi-geometry"),
            ([a.path, b.path, "--poni", pa.path, "--poni", pb.path, "--poni", pa.path, "--multi-geometry"], "3 PONI files for 2 images"),
            ([a.path, b.path, "--poni", pa.path, "--poni", pb.path, "--multi-geometry", "--npt-azim", "36"], "--npt-azim is not taken"),
            ([a.path, b.path, "--poni", pa.path, "--poni", pb.path, "--multi-geometry", "--dark", a.path], "--dark is not taken"),
            ([a.path, b.path, "--poni", pa.path, "--poni", pb.path, "--multi-geometry", "--unit", "q_nm^-1"], "needs a wavelength"),
            ([a.path, stack.path, "--poni", pb.path, "--multi-geometry"], "takes one frame of each image"),
        ]
        for (arguments, message) in cases {
            let r = try await RoentgenCLI.run(["integrate"] + arguments)
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(message), "\(arguments.suffix(3)): \(r.stderr)")
        }
    }
}
