import Foundation
import Testing
import TestSupport

/// `integrate --chi-profile`: the azimuthal profile I(χ) of a radial range, against pyFAI 2026.9's
/// `integrate_radial` (Tests/Fixtures/images/make_chi_profile_reference.py): every χ bin's centre, intensity and σ.
@Suite struct ChiProfileTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var image: String; var poni: String; var unit: String; var npt: Int; var npt_azim: Int
            var method: String; var arguments: [String]; var chi: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var cases: [Case]
    }

    @Test(arguments: ["pilatus1m_agbh_ring", "pixium_bbox_sector", "ceo2_bbox", "pilatus1m_full"])
    func matchesPyFAI(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_chi_profile.json")))
        let c = try #require(fixture.cases.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let extra = try sharedArguments(c.arguments)
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--npt-azim", "\(c.npt_azim)",
                                           "--unit", c.unit, "--method", c.method, "--chi-profile", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["unit"] as? String == "chi_deg")
        let (chi, intensity, sigma) = try patternArrays(object)
        let n = c.npt_azim
        #expect(chi.count == n && intensity.count == n && sigma.count == n)
        guard chi.count == n, intensity.count == n, sigma.count == n else { return }
        let off = valuesOff(radial: chi, intensity: intensity, sigma: sigma,
                            expectedRadial: c.chi, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        #expect(intensity.contains { $0 > 0 })
    }

    /// The text form: a pattern with χ as its first column and the summed range in the header.
    @Test func xyeHeader() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--chi-profile", "--radial-range", "1.0:1.25",
                                           "--npt", "100", "--npt-azim", "36"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("# Azimuthal profile I(chi) (pyFAI integrate_radial): summed over 1.0 to 1.25 2th_deg"))
        #expect(r.stdout.contains("#      chi_deg"))
        #expect(r.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 36)
    }

    @Test func refusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        for (extra, message) in [(["--sigma-clip", "5"], "--chi-profile and --sigma-clip")] {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--chi-profile"] + extra)
            #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
    }
}
