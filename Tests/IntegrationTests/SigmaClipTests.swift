import Foundation
import Integration
import Testing
import TestSupport
import XrayFormats

/// Sigma clipping (`integrate --sigma-clip T`) against pyFAI 2026.9's `sigma_clip` on real frames
/// (Tests/Fixtures/images/make_sigma_clip_reference.py): every bin's centre, intensity and σ.
@Suite struct SigmaClipTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var image: String; var poni: String?; var poni_text: String?; var mask: String?; var polarization: Double?
            var dummy: Double?
            var unit: String; var npt: Int; var errors: String; var thres: Double; var max_iter: Int
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]; var plain_intensity: [Double?]?
        }
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_sigma_clip.json")))
    }

    /// Every bin within 1e-4 of pyFAI (the bar for integration); the centres to 1e-5 of a bin.
    static func expectMatches(_ c: Fixture.Case, radial: [Double], intensity: [Double], sigma: [Double]) {
        #expect(radial.count == c.npt && intensity.count == c.npt && sigma.count == c.npt, "\(c.name)")
        guard radial.count == c.npt, intensity.count == c.npt, sigma.count == c.npt else { return }
        // Centres within 1e-5 of a bin: pyFAI's CSR engine puts its r_mm and q_nm^-1 centres 5e-9 relative off.
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma,
                            expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(c.name): \(off) values more than 1e-4 from pyFAI")
    }

    @Test(arguments: ["pilatus6m_spots", "pilatus6m_hybrid", "pilatus1m_azimuthal", "pilatus1m_chauvenet", "pixium_mask_polarization", "mar345_polarization_edge"])
    func cliMatchesPyFAI(_ name: String) async throws {
        let c = try #require(try Self.fixture().cases.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni ?? "") else { print(SharedData.missing(c.image)); return }
        var arguments = ["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit, "--errors", c.errors,
                         "--sigma-clip", "\(c.thres)", "--clip-iterations", "\(c.max_iter)", "--json"]
        if let mask = c.mask { arguments += ["--mask", try #require(SharedData.url(mask)).path] }
        if let p = c.polarization { arguments += ["--polarization", "\(p)"] }
        if let d = c.dummy { arguments += ["--dummy", "\(d)"] }
        let r = try await RoentgenCLI.run(arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let clipped = try #require(object["clipped_pixels"] as? Int)
        #expect(clipped > 0 && object["sigma_clip"] as? Double == c.thres)
        Self.expectMatches(c, radial: try #require(object["radial"] as? [Double]), intensity: try #require(object["intensity"] as? [Double]),
                           sigma: try #require(object["sigma"] as? [Double]))
        if let plain = c.plain_intensity {
            // What clipping is for: the spots' bins come down. pyFAI's own plain integration (CSR, no split) of the
            // frame differs from the clipped pattern by more than 1 % in 147 of the 1000 bins.
            let intensity = try #require(object["intensity"] as? [Double])
            let changed = zip(intensity, plain).filter { i, p in p.map { abs(i - $0) > 0.01 * abs($0) } ?? false }.count
            #expect(changed == 147, "\(changed) bins changed")
            // Two bins of a few pixels lose them all (pyFAI reports 0 there too, asserted above).
            #expect(object["bins_emptied_by_clipping"] as? Int == 2)
            #expect(zip(c.intensity, plain).filter { i, p in i == 0 && (p ?? 0) > 100 }.count == 2)
        }
    }

    /// Through the library with a dark and a flat (made-up patterns of counts and gains), no solid angle.
    @Test func apiWithDarkAndFlat() throws {
        let c = try #require(try Self.fixture().cases.first { $0.name == "pilatus1m_dark_flat_api" })
        guard let imageURL = SharedData.url(c.image), let poniURL = SharedData.url(c.poni ?? "") else { print(SharedData.missing(c.image)); return }
        let image = try DetectorImages.read(imageURL)
        let geometry = try PONIGeometry.parse(String(contentsOf: poniURL, encoding: .utf8), file: poniURL.path)
        let frame = image.frames[0]
        var dark = [Double](repeating: 0, count: frame.count), flat = dark
        for row in 0..<image.rows {
            for col in 0..<image.columns {
                dark[row * image.columns + col] = Double((row * 7 + col * 3) % 11)
                flat[row * image.columns + col] = 0.9 + 0.05 * Double((row + col) % 5)
            }
        }
        var options = IntegrationOptions()
        options.npt = c.npt
        options.errorModel = .azimuthal
        options.correctSolidAngle = false
        options.sigmaClip = SigmaClip(threshold: c.thres, maxIterations: c.max_iter)
        let integrator = try AzimuthalIntegrator(geometry: geometry, rows: image.rows, columns: image.columns, mask: frame.map { $0 < 0 },
                                                 flat: flat, options: options)
        let r = try integrator.integrate(frame, dark: dark, validity: .init(maskNegative: true))
        #expect(r.clippedPixels > 0)
        Self.expectMatches(c, radial: r.radial, intensity: r.intensity, sigma: r.sigma)
        // One thread or two: the same numbers (bins are independent).
        let one = try integrator.integrate(frame, dark: dark, validity: .init(maskNegative: true), threads: 1)
        #expect(one.intensity == r.intensity && one.sigma == r.sigma && one.clippedPixels == r.clippedPixels)
    }

    /// A stack: every frame of the Lambda NeXus file goes through the frame loop; the first equals pyFAI's.
    @Test func stackFrames() async throws {
        let c = try #require(try Self.fixture().cases.first { $0.name == "lambda_stack_frame0" })
        guard let image = SharedData.url(c.image) else { print(SharedData.missing(c.image)); return }
        let poni = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-clip-\(UUID().uuidString).poni")
        try (c.poni_text ?? "").write(to: poni, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: poni) }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit,
                                           "--errors", c.errors, "--sigma-clip", "\(c.thres)", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 10)
        let first = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
        Self.expectMatches(c, radial: try #require(first["radial"] as? [Double]), intensity: try #require(first["intensity"] as? [Double]),
                           sigma: try #require(first["sigma"] as? [Double]))
    }

    /// Combinations pyFAI's sigma clipping does not define, and bad values: refused before any work.
    @Test(arguments: [
        (["--sigma-clip", "5", "--method", "bbox"], "without pixel splitting"),
        (["--sigma-clip", "5", "--npt-azim", "36"], "does not combine with --npt-azim"),
        (["--sigma-clip", "5", "--errors", "none"], "--errors poisson or --errors azimuthal"),
        (["--sigma-clip=-1"], "--sigma-clip -1.0"),
        (["--sigma-clip", "nan"], "--sigma-clip nan"),
        (["--sigma-clip", "3", "--clip-iterations", "0"], "--clip-iterations 0"),
        (["--clip-iterations", "3"], "without --sigma-clip"),
    ])
    func refusals(_ extra: [String], _ message: String) async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path] + extra)
        #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains(message), "\(extra): \(r.stderr)")
    }
}
