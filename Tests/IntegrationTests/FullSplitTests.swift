import Foundation
import Testing
import TestSupport

/// Full pixel splitting (`integrate --method full`) against pyFAI 2026.9's ("full", "csr", "cython") on real
/// frames (Tests/Fixtures/images/make_full_split_reference.py): every bin's centre, intensity and σ.
@Suite struct FullSplitTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var image: String; var poni: String; var unit: String; var npt: Int; var arguments: [String]
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        struct Cake: Decodable {
            var name: String; var image: String; var poni: String; var unit: String; var npt: Int; var npt_azim: Int; var arguments: [String]
            var radial: [Double]; var azimuthal: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var cases: [Case]
        var cakes: [Cake]
    }

    @Test(arguments: ["pilatus1m_2th", "pilatus1m_r_azimuthal_polarization", "pixium_range_sector", "tilted_lab6"])
    func matchesPyFAI(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_full_split.json")))
        let c = try #require(fixture.cases.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        // Shared files named in the arguments (the mask) are resolved like the image.
        let extra = try sharedArguments(c.arguments)
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit,
                                           "--method", "full", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "full")
        let (radial, intensity, sigma) = try patternArrays(object)
        #expect(radial.count == c.npt && intensity.count == c.npt && sigma.count == c.npt)
        guard radial.count == c.npt, intensity.count == c.npt, sigma.count == c.npt else { return }
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma,
                            expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
    }

    /// Cakes: pyFAI lays each pixel's area into the (radial, χ) cells column by column in float32
    /// (`FullPixelSplit.spread2D`); Roentgen does the same in float32 and lands within ~4e-5. The bound
    /// is 1e-4 of the larger of |I| and σ: in a cell holding a sliver of a pixel (0.07 of one, I = 0.010 ± 1.05
    /// on the Pixium frame) float32 rounding of the sliver moves I by 7e-5 absolute, 0.7 % of the tiny I.
    /// σ (Σ c²·var, more sensitive to a sliver's weight) within 2e-4: measured at most 1.08e-4 (one cell of the
    /// tilted LaB6 cake).
    @Test(arguments: ["pilatus1m_cake", "pixium_cake", "tilted_lab6_cake"])
    func cakesMatchPyFAI(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_full_split.json")))
        let c = try #require(fixture.cakes.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let extra = try sharedArguments(c.arguments)
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--npt-azim", "\(c.npt_azim)",
                                           "--unit", c.unit, "--method", "full", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let radial = try #require(object["radial"] as? [Double]), azimuthal = try #require(object["azimuthal"] as? [Double])
        let intensity = try #require(object["intensity"] as? [[Double]]).flatMap { $0 }, sigma = try #require(object["sigma"] as? [[Double]]).flatMap { $0 }
        let cells = c.npt * c.npt_azim
        #expect(radial.count == c.npt && azimuthal.count == c.npt_azim && intensity.count == cells && sigma.count == cells)
        guard intensity.count == cells, sigma.count == cells, radial.count == c.npt, azimuthal.count == c.npt_azim else { return }
        let radialStep = (c.radial[c.npt - 1] - c.radial[0]) / Double(c.npt - 1)
        let chiStep = (c.azimuthal[c.npt_azim - 1] - c.azimuthal[0]) / Double(c.npt_azim - 1)
        var off = 0
        for k in 0..<c.npt where abs(radial[k] - c.radial[k]) > 1e-5 * radialStep { off += 1 }
        for k in 0..<c.npt_azim where abs(azimuthal[k] - c.azimuthal[k]) > 1e-5 * chiStep { off += 1 }
        for k in 0..<cells {
            guard let i = c.intensity[k], let s = c.sigma[k] else { continue }
            let scale = max(abs(i), abs(s), 1e-9)
            if abs(intensity[k] - i) > 1e-4 * scale { off += 1 }
            if abs(sigma[k] - s) > 2e-4 * max(abs(s), 1e-9) { off += 1 }
        }
        #expect(off == 0, "\(name): \(off) values more than 1e-4 (σ: 2e-4) from pyFAI")
    }

    /// Sigma clipping needs whole pixels: refused with full splitting before any work.
    @Test func refusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--method", "full", "--sigma-clip", "5"])
        #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains("use --method no"), "\(r.stderr)")
    }
}
