import Foundation
import Integration
import Testing
import TestSupport
@testable import XrayFormats

/// Grazing-incidence / fiber integration (`integrate --fiber`, `FiberGeometry`) against pyFAI 2026.9's
/// `FiberIntegrator` (Tests/Fixtures/images/make_fiber_reference.py → pyfai_fiber.json): the fiber units at probe
/// pixels of the tilted Pilatus 300K-W and the Pixium frames for all eight sample orientations, four maps
/// (`integrate2d_grazing_incidence`: q_ip × q_oop in nm⁻¹ and Å⁻¹ with ranges, a 38.7°-tilted detector, exit angles),
/// two polar maps (`integrate2d_polar`: q_tot × χ_gi, and turned, with a χ_gi range) and three profiles (`integrate_fiber`
/// both directions, `integrate1d_polar`: I(χ_gi) of a ring): every bin's centre, intensity and Poisson σ.
@Suite struct FiberIntegrationTests {
    struct Fixture: Decodable {
        struct Probe: Decodable {
            var image: String; var poni: String; var shape: [Int]; var sample_orientation: Int
            var incident_angle_deg: Double; var tilt_angle_deg: Double; var pixels: [[Int]]; var values: [String: [Double]]
        }
        struct Map: Decodable {
            var name: String; var image: String; var poni: String; var arguments: [String]
            var ip: [Double]; var oop: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        struct Profile: Decodable {
            var name: String; var image: String; var poni: String; var arguments: [String]; var vertical_integration: Bool
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var probes: [Probe]; var maps: [Map]; var profiles: [Profile]
    }

    static func fixture() throws -> Fixture {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_fiber.json")))
    }

    static func geometry(_ poni: String) throws -> PONIGeometry? {
        guard let url = SharedData.url(poni) else { return nil }
        return try PONIGeometry.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
    }

    /// Every probe pixel, orientation and unit (internal units: nm⁻¹, rad) within 1e-12 relative of pyFAI's numexpr
    /// formulas (printed to 17 digits; measured: 9e-16 at worst). 18 settings × 6 units × 8–9 pixels.
    @Test func unitsAtProbePixels() throws {
        let fixture = try Self.fixture()
        var compared = 0, worst = 0.0
        for probe in fixture.probes {
            guard let g = try Self.geometry(probe.poni) else { print(SharedData.missing(probe.poni)); return }
            let pixels = PixelGeometry(g, rows: probe.shape[0], columns: probe.shape[1])
            let sample = try FiberGeometry(incidentAngle: probe.incident_angle_deg * .pi / 180, tiltAngle: probe.tilt_angle_deg * .pi / 180,
                                           sampleOrientation: probe.sample_orientation)
            for (name, expected) in probe.values {
                let unit = try #require(FiberUnit(rawValue: name))
                for (p, value) in zip(probe.pixels, expected) {
                    let ours = try #require(pixels.fiberValue(unit, sample: sample, row: p[0], column: p[1]))
                    worst = max(worst, abs(ours - value) / max(abs(value), 1e-3))
                    #expect(abs(ours - value) <= 1e-12 * max(abs(value), 1e-3),
                            "\(probe.image) orientation \(probe.sample_orientation) \(name) at \(p): \(ours) vs pyFAI \(value)")
                    compared += 1
                }
            }
        }
        #expect(compared == 9 * 6 * 8 + 9 * 6 * 9, "worst \(worst)")
    }

    /// Physics that holds whatever pyFAI says: the sample-frame rotations keep |q|, so q_ip² + q_oop² = q² and q_tot = q
    /// at every pixel, for any angles and orientation; with η = τ = 0 and orientation 1, q_oop is the lab's vertical
    /// component (k·t1/R): positive above the beam, and |q_ip| grows with the horizontal offset.
    @Test func rotationsKeepTheModulus() throws {
        guard let g = try Self.geometry("images/DLS_CeO2_1200mm_pyFAI.poni") else { return }
        let pixels = PixelGeometry(g, rows: 1441, columns: 1440)
        for orientation in 1...8 {
            let sample = try FiberGeometry(incidentAngle: 0.0123, tiltAngle: -0.031, sampleOrientation: orientation)
            for (row, column) in [(0, 0), (700, 692), (1440, 1439), (300, 1200)] {
                let q = try #require(pixels.q(row: row, column: column))
                let ip = try #require(pixels.fiberValue(.qipNanometre, sample: sample, row: row, column: column))
                let oop = try #require(pixels.fiberValue(.qoopNanometre, sample: sample, row: row, column: column))
                let tot = try #require(pixels.fiberValue(.qtotAngstrom, sample: sample, row: row, column: column))
                #expect(abs((ip * ip + oop * oop).squareRoot() - q) <= 1e-12 * q)
                #expect(abs(tot * 10 - q) <= 1e-12 * q)
            }
        }
        let level = try FiberGeometry()
        let above = try #require(pixels.fiberValue(.qoopNanometre, sample: level, row: 100, column: 700))
        let below = try #require(pixels.fiberValue(.qoopNanometre, sample: level, row: 1300, column: 700))
        // pyFAI's y (t1) grows with the row index of a PONI-orientation-3 detector: rows before the PONI's have q_oop < 0.
        #expect(above < 0 && below > 0)
    }

    @Test(arguments: ["pixium_qip_qoop", "pixium_ranges_orientation3", "toney_tilted_orientation6", "ceo2_exit_angles", "pixium_polar", "ceo2_polar_rotated"])
    func mapMatchesPyFAI(_ name: String) async throws {
        let c = try #require(try Self.fixture().maps.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--json"] + (try sharedArguments(c.arguments)))
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ip = try #require(object["radial"] as? [Double]), oop = try #require(object["azimuthal"] as? [Double])
        let intensity = try #require(object["intensity"] as? [[Double]]).flatMap { $0 }
        let sigma = try #require(object["sigma"] as? [[Double]]).flatMap { $0 }
        let fiber = try #require(object["fiber"] as? [String: Any])
        #expect(fiber["profile"] is NSNull && object["unit"] as? String == fiber["unit_ip"] as? String)
        #expect(ip.count == c.ip.count && oop.count == c.oop.count && intensity.count == c.intensity.count && sigma.count == c.sigma.count)
        guard ip.count == c.ip.count, oop.count == c.oop.count, intensity.count == c.intensity.count, sigma.count == c.sigma.count else { return }
        func centresOff(_ a: [Double], _ b: [Double]) -> Int {
            let step = abs(b[1] - b[0])
            return zip(a, b).filter { abs($0 - $1) > 1e-5 * step }.count
        }
        #expect(centresOff(ip, c.ip) == 0 && centresOff(oop, c.oop) == 0)
        var off = 0, filled = 0
        for k in intensity.indices {
            if let i = c.intensity[k] { off += abs(intensity[k] - i) > 1e-4 * max(abs(i), 1e-9) ? 1 : 0; filled += i != 0 ? 1 : 0 }
            if let s = c.sigma[k] { off += abs(sigma[k] - s) > 1e-4 * max(abs(s), 1e-9) ? 1 : 0 }
        }
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        #expect(filled > intensity.count / 5, "\(name): \(filled) filled bins")
    }

    @Test(arguments: ["pixium_oop_profile", "pixium_ip_profile", "pixium_polar_profile"])
    func profileMatchesPyFAI(_ name: String) async throws {
        let c = try #require(try Self.fixture().profiles.first { $0.name == name })
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--json"] + (try sharedArguments(c.arguments)))
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let (x, intensity, sigma) = try patternArrays(object)
        let fiber = try #require(object["fiber"] as? [String: Any])
        #expect(fiber["profile"] as? String == (c.vertical_integration ? "oop" : "ip"))
        #expect(object["unit"] as? String == fiber[c.vertical_integration ? "unit_oop" : "unit_ip"] as? String)
        let off = valuesOff(radial: x, intensity: intensity, sigma: sigma, expectedRadial: c.radial,
                            expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        #expect(intensity.filter { $0 > 0 }.count >= 30)
    }

    /// The text form of a profile (header lines, the axis' column label), and a map written as NeXus with its two axes.
    @Test func textAndNeXusOutputs() async throws {
        guard let image = SharedData.url("images/pixium_03150.tif"), let poni = SharedData.url("images/DLS_CeO2_1200mm_pyFAI.poni") else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--incident-angle", "0.2", "--sample-orientation", "3",
                                           "--fiber-profile", "oop", "--npt-oop", "120", "--ip-range=-1:1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("# Grazing incidence / fiber (pyFAI FiberIntegrator): incident angle 0.2 deg, tilt angle 0 deg, sample orientation 3"))
        #expect(r.stdout.contains("# Profile along qoop_nm^-1 (pyFAI integrate_fiber): summed over qip_nm^-1 -1.0 to 1.0"))
        #expect(r.stdout.contains("#      qoop_nm^-1    I"))
        #expect(r.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 120)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-fiber-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("map.h5")
        let map = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--fiber", "--npt-ip", "30", "--npt-oop", "20",
                                             "--unit-ip", "qip_A^-1", "--unit-oop", "qoop_A^-1", "-o", out.path, "--json"])
        #expect(map.status == 0, "\(map.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(map.stdout.utf8)) as? [String: Any])
        let ip = try #require(object["radial"] as? [Double]), oop = try #require(object["azimuthal"] as? [Double])
        let bytes = try Data(contentsOf: out)
        try bytes.withUnsafeBytes { raw in
            let h5 = try HDF5File(raw, file: out.path)
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(h5, warnings: &warnings)
            let data = try #require(tree.first { $0.path == "/entry/data" })
            #expect(data.attribute("axes")?.text.contains("qoop") == true && data.attribute("axes")?.text.contains("qip") == true)
            #expect(tree.first { $0.path == "/entry/data/intensity" }?.dataset?.space.dims == [1, 20, 30])
            #expect(tree.first { $0.path == "/entry/data/qip" }?.attribute("units")?.text == "1/angstrom")
            #expect(tree.first { $0.path == "/entry/data/qoop" }?.attribute("long_name")?.text == "qoop_A^-1")
            #expect(tree.first { $0.path == "/entry/process/fiber" } != nil)
        }
        #expect(ip.count == 30 && oop.count == 20)
    }

    /// What a fiber integration cannot take is refused naming the option, before any output.
    @Test func refusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let cases: [([String], String)] = [
            (["--fiber", "--method", "bbox"], "without pixel splitting"),
            (["--fiber", "--npt-azim", "36"], "--npt-azim is for azimuthal integration"),
            (["--incident-angle", "0.1", "--radial-range", "1:2"], "takes --ip-range"),
            (["--fiber", "--azimuth-range=-10:10"], "takes --oop-range"),
            (["--fiber", "--unit", "r_mm"], "takes --unit-ip and --unit-oop"),
            (["--fiber", "--npt", "500"], "takes --npt-ip and --npt-oop"),
            (["--fiber", "--chi-profile"], "--chi-profile is for azimuthal integration"),
            (["--fiber", "--sigma-clip", "3"], "--sigma-clip"),
            (["--fiber", "--errors", "azimuthal"], "poisson or none"),
            (["--sample-orientation", "9"], "--sample-orientation 9"),
            (["--fiber", "--unit-ip", "q_nm^-1"], "--unit-ip q_nm^-1: use qip_nm^-1"),
            (["--fiber", "--unit-ip", "qoop_A^-1"], "are the same quantity"),
            (["--fiber-profile", "up"], "--fiber-profile up"),
            (["--fiber", "--oop-range", "2:1"], "--oop-range"),
            (["--fiber", "--npt-oop", "0"], "--npt-oop 0"),
            (["--incident-angle", "1e9"], "--incident-angle"),
            // Pilatus1M.poni has no wavelength: q units fail naming the file, the exit angles do not need it.
            (["--fiber"], "needs a wavelength"),
        ]
        for (extra, message) in cases {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path] + extra)
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(message), "\(extra): \(r.stderr)")
        }
        let angles = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--unit-ip", "exit_angle_horz_deg",
                                                "--unit-oop", "exit_angle_vert_deg", "--npt-ip", "50", "--npt-oop", "40", "--json"])
        #expect(angles.status == 0, "\(angles.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(angles.stdout.utf8)) as? [String: Any])
        #expect((object["intensity"] as? [[Double]])?.count == 40)
    }
}
