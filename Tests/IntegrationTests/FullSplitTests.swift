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
        var cases: [Case]
    }

    @Test(arguments: ["pilatus1m_2th", "pilatus1m_r_azimuthal_polarization", "pixium_range_sector", "tilted_lab6"])
    func matchesPyFAI(_ name: String) async throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_full_split.json")))
        let c = try #require(fixture.cases.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        // Shared files named in the arguments (the mask) are resolved like the image.
        let extra = try c.arguments.map { $0.hasPrefix("images/") ? try #require(SharedData.url($0)).path : $0 }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit,
                                           "--method", "full", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "full")
        let radial = try #require(object["radial"] as? [Double]), intensity = try #require(object["intensity"] as? [Double])
        let sigma = try #require(object["sigma"] as? [Double])
        #expect(radial.count == c.npt && intensity.count == c.npt && sigma.count == c.npt)
        guard radial.count == c.npt, intensity.count == c.npt, sigma.count == c.npt else { return }
        let step = (c.radial[c.npt - 1] - c.radial[0]) / Double(c.npt - 1)
        var off = 0
        for k in 0..<c.npt {
            if abs(radial[k] - c.radial[k]) > 1e-5 * step { off += 1 }   // the fixture holds 9 significant digits
            if let i = c.intensity[k], abs(intensity[k] - i) > 1e-4 * max(abs(i), 1e-9) { off += 1 }
            if let s = c.sigma[k], abs(sigma[k] - s) > 1e-4 * max(abs(s), 1e-9) { off += 1 }
        }
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
    }

    /// Full splitting gives patterns; cakes and sigma clipping (which needs whole pixels) are refused before any work.
    @Test func refusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        for (extra, message) in [(["--npt-azim", "36"], "--method full gives 1-D patterns"), (["--sigma-clip", "5"], "use --method no")] {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--method", "full"] + extra)
            #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
    }
}
