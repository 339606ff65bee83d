import Foundation
import Testing
import TestSupport
import XrayFormats

/// `roentgen integrate` end to end on the pixium frame: the JSON keys the issue names, the
/// numbers pyFAI gives for the same method, and clean failures.
@Suite struct IntegrateCLITests {
    @Test func jsonMatchesPyFAI() async throws {
        guard let image = SharedData.url("images/pixium_03150.tif"), let poni = SharedData.url("images/DLS_CeO2_1200mm_pyFAI.poni"),
              let mask = SharedData.url("images/DLS_CeO2_1200mm.mask"),
              let ref = try Reference.load("images/reference/integrate1d_pixium_03150.json", as: PixiumReference.self) else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--mask", mask.path, "--method", "bbox",
                                     "--polarization", "0.99", "--radial-range", "2.42:12.97", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["unit"] as? String == "2th_deg" && object["method"] as? String == "bbox" && object["masked_pixels"] as? Int == 30627)
        let intensity = try #require(object["intensity"] as? [Double]), sigma = try #require(object["sigma"] as? [Double])
        let expected = try #require(ref.results.first { $0.variant == "radial_range" && $0.method_key.hasPrefix("bbox") })
        #expect(intensity.count == 1000 && (object["radial"] as? [Double])?.count == 1000)
        for k in stride(from: 0, to: 1000, by: 37) {
            let i = try #require(expected.intensity[k]), s = try #require(expected.sigma[k])
            #expect(abs(intensity[k] - i) <= 1e-4 * abs(i), "bin \(k)")
            #expect(abs(sigma[k] - s) <= 1e-4 * abs(s), "bin \(k)")
        }
        // The same mask as a Fit2D `.msk` (written here as fabio writes one: 1024-byte header M, A, S, K, columns, rows;
        // each row in 32-bit little-endian words, bit k of word w the pixel in column 32 w + k): the same pattern.
        let tiffMask = try DetectorImages.readMask(mask)
        var msk = Data(count: 1024)
        for (k, v) in [77, 65, 83, 75, tiffMask.columns, tiffMask.rows, 1].enumerated() { msk[4 * k] = UInt8(v & 0xFF); msk[4 * k + 1] = UInt8(v >> 8 & 0xFF) }
        let words = (tiffMask.columns + 31) / 32
        var body = [UInt8](repeating: 0, count: tiffMask.rows * words * 4)
        for i in 0..<tiffMask.rows {
            for j in 0..<tiffMask.columns where tiffMask.frames[0][i * tiffMask.columns + j] != 0 { body[(i * words + j / 32) * 4 + (j % 32) / 8] |= 1 << UInt8(j % 8) }
        }
        msk.append(contentsOf: body)
        let mskURL = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-pixium-\(UUID().uuidString).msk")
        defer { try? FileManager.default.removeItem(at: mskURL) }
        try msk.write(to: mskURL)
        let f = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--mask", mskURL.path, "--method", "bbox",
                                           "--polarization", "0.99", "--radial-range", "2.42:12.97", "--json"])
        let fit2d = try #require(try JSONSerialization.jsonObject(with: Data(f.stdout.utf8)) as? [String: Any], "\(f.stderr)")
        #expect(fit2d["masked_pixels"] as? Int == 30627 && fit2d["intensity"] as? [Double] == intensity && fit2d["sigma"] as? [Double] == sigma)
        let asImage = try await RoentgenCLI.run(["integrate", mskURL.path, "--poni", poni.path])
        #expect(asImage.status != 0 && asImage.stderr.contains("a Fit2D mask file, not an image: give it as --mask") && asImage.stdout.isEmpty, "\(asImage.stderr)")
    }

    /// `--mask FILE.nxs` takes the NXdetector's own `pixel_mask` (nonzero: gap, dead, hot, noisy, virtual pixels) of
    /// the Lambda stack, here the frames' own file: 37,045 pixels masked, as h5py counts them; the first frame's pattern
    /// equals pyFAI's with that mask (Tests/Fixtures/images/make_lambda_mask_reference.py, a made-up PONI), both methods.
    @Test func nexusPixelMask() async throws {
        struct Fixture: Decodable {
            struct Result: Decodable { var method: String; var radial: [Double]; var intensity: [Double?]; var sigma: [Double?] }
            var image: String; var poni: String; var npt: Int; var unit: String; var masked_pixels: Int; var pixel_mask_nonzero: Int; var results: [Result]
        }
        let ref = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_lambda_pixel_mask.json")))
        guard let image = SharedData.url(ref.image) else { print(SharedData.missing(ref.image)); return }
        let poni = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-lambda-\(UUID().uuidString).poni")
        try ref.poni.write(to: poni, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: poni) }
        #expect(ref.masked_pixels == 37045 && ref.pixel_mask_nonzero == ref.masked_pixels)
        for expected in ref.results {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--mask", image.path, "--npt", "\(ref.npt)",
                                         "--unit", ref.unit, "--method", expected.method, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            // One JSON object per frame, one per line; the first frame is compared.
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == 10)
            let first = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [String: Any])
            #expect(first["masked_pixels"] as? Int == ref.masked_pixels)
            let radial = try #require(first["radial"] as? [Double]), intensity = try #require(first["intensity"] as? [Double]), sigma = try #require(first["sigma"] as? [Double])
            #expect(radial.count == ref.npt && intensity.count == ref.npt && sigma.count == ref.npt)
            guard intensity.count == ref.npt else { continue }
            for k in 0..<ref.npt {
                #expect(abs(radial[k] - expected.radial[k]) <= 1e-9 * abs(expected.radial[k]), "\(expected.method) radial \(k)")
                if let i = expected.intensity[k] { #expect(abs(intensity[k] - i) <= 1e-4 * abs(i), "\(expected.method) intensity \(k): \(intensity[k]) vs \(i)") }
                if let s = expected.sigma[k] { #expect(abs(sigma[k] - s) <= 1e-4 * abs(s), "\(expected.method) sigma \(k): \(sigma[k]) vs \(s)") }
            }
        }
        // Without the mask only the negative (gap) pixels are masked.
        let plain = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "\(ref.npt)", "--json"])
        let first = try #require(try JSONSerialization.jsonObject(with: Data((plain.stdout.split(separator: "\n").first ?? "").utf8)) as? [String: Any])
        #expect(first["masked_pixels"] as? Int == 5160)
    }

    @Test func xyeWithHeaderAndCleanFailures() async throws {
        guard let image = SharedData.url("images/CeO2_Pilatus1M.tif"), let poni = SharedData.url("images/CeO2_Pilatus1M.poni"),
              let noWavelength = SharedData.url("images/Pilatus1M.poni") else { return }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-integrate-\(UUID().uuidString).xye")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "200", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("73560 negative pixels masked"))
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("# == pyFAI calibration ==") && text.contains("# Wavelength: 4.066e-11 m"))
        #expect(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 200)
        // q without a wavelength, a bad unit and a missing file fail with a message, no output.
        let q = try await RoentgenCLI.run(["integrate", image.path, "--poni", noWavelength.path, "--unit", "q_A^-1"])
        #expect(q.status != 0 && q.stderr.contains("needs a wavelength") && q.stdout.isEmpty)
        let unit = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--unit", "furlongs"])
        #expect(unit.status != 0 && unit.stderr.contains("--unit"))
        let missing = try await RoentgenCLI.run(["integrate", "/nonexistent.tif", "--poni", poni.path])
        #expect(missing.status != 0 && missing.stderr.contains("no such file"))
        // Ranges and bin counts that cannot be used, and implausible PONI values (a distance of 1e308 m put every
        // pixel at 2θ = 90°; 2²⁰ bbox bins asked for 14 GB, as would full splitting; 2²⁰ × 360 cake bins were killed at 24 GB).
        for (extra, said) in [(["--radial-range=0:inf"], "--radial-range '0:inf': expected finite A:B"),
                              (["--npt", "1048576", "--npt-azim", "360"], "cake bins; at most 16777216"),
                              (["--npt", "1048576", "--method", "bbox"], "matrix entries"),
                              (["--npt", "1048576", "--method", "full"], "full splitting into 1048576 bins would take")] {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path] + extra)
            #expect(r.status != 0 && r.stderr.contains(said) && r.stdout.isEmpty, "\(extra): \(r.stderr)")
        }
        let poniText = try String(contentsOf: poni, encoding: .utf8)
        let implausible = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-implausible-\(UUID().uuidString).poni")
        defer { try? FileManager.default.removeItem(at: implausible) }
        for (from, to, said) in [("Distance: 0.208651380603", "Distance: 1e308", "PONI Distance 1e+308 m"),
                                 ("PixelSize1: 0.000172", "PixelSize1: -0.000172", "PONI PixelSize1 -0.000172 m"),
                                 ("Wavelength: 4.066e-11", "Wavelength: -4e-11", "PONI Wavelength -4e-11 m")] {
            #expect(poniText.contains(from))
            try poniText.replacingOccurrences(of: from, with: to).write(to: implausible, atomically: true, encoding: .utf8)
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", implausible.path])
            #expect(r.status != 0 && r.stderr.contains(said) && r.stdout.isEmpty, "\(to): \(r.stderr)")
        }
        // A range holding no pixel: the pattern of empty bins, with a note saying so.
        let empty = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--radial-range=100:200", "--npt", "10", "--json"])
        let emptyObject = try #require(try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [String: Any])
        #expect(empty.status == 0 && (emptyObject["intensity"] as? [Double])?.allSatisfy { $0 == 0 } == true)
        #expect((emptyObject["notes"] as? [String])?.contains { $0.hasPrefix("no unmasked pixel falls in the radial range") } == true, "\(empty.stderr)")
        let threads = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--threads", "0"])
        #expect(threads.status != 0 && threads.stderr.contains("--threads 0: 1 to 256") && threads.stdout.isEmpty, "\(threads.stderr)")
        // A PONI naming a detector Roentgen does not know (with its pixel size): integrated, and the notes say
        // that no gap mask was applied for it.
        let unknown = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-unknown-\(UUID().uuidString).poni")
        defer { try? FileManager.default.removeItem(at: unknown) }
        try (String(contentsOf: poni, encoding: .utf8) + "Detector: Frelon4M\n").write(to: unknown, atomically: true, encoding: .utf8)
        let named = try await RoentgenCLI.run(["integrate", image.path, "--poni", unknown.path, "--npt", "50", "--json"])
        #expect(named.status == 0 && named.stderr.contains("the PONI names detector 'Frelon4M', which Roentgen does not know: no module-gap mask applied"), "\(named.stderr)")
        // `--detector` names it for a PONI that names none (the Pilatus 1M frame's v1 PONI): even with --keep-negative its gaps
        // are masked (73,533 pixels, pyFAI's Pilatus1M mask) and its dummy, −2 ± 1.5 (the 45 bad pixels), as pyFAI does for a
        // named detector: the pattern of the negative pixels masked by default; without the name, nothing is masked.
        if let edf = SharedData.url("images/Pilatus1M.edf"), let v1 = SharedData.url("images/Pilatus1M.poni") {
            let gaps = try await RoentgenCLI.run(["integrate", edf.path, "--poni", v1.path, "--keep-negative", "--detector", "Pilatus 1M", "--npt", "300", "--json"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(gaps.stdout.utf8)) as? [String: Any], "\(gaps.stderr)")
            let notes = (object["notes"] as? [String]) ?? []
            #expect(object["masked_pixels"] as? Int == 73578 && notes.contains("Pilatus1M module gaps masked (73533 pixels)")
                    && notes.contains { $0.hasPrefix("pixels of Pilatus1M's dummy value -2 (±1.5, in int32) masked") }, "\(notes)")
            let plain = try await RoentgenCLI.run(["integrate", edf.path, "--poni", v1.path, "--keep-negative", "--npt", "300", "--json"])
            let plainObject = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
            #expect(plainObject["masked_pixels"] as? Int == 0 && plainObject["intensity"] as? [Double] != object["intensity"] as? [Double])
            let usual = try await RoentgenCLI.run(["integrate", edf.path, "--poni", v1.path, "--npt", "300", "--json"])
            let usualObject = try #require(try JSONSerialization.jsonObject(with: Data(usual.stdout.utf8)) as? [String: Any])
            #expect(usualObject["masked_pixels"] as? Int == 73578 && usualObject["intensity"] as? [Double] == object["intensity"] as? [Double])
            for (name, fragment) in [("Frelon9000", "not a detector pyFAI knows"), ("Pixirad-2", "hexagonal pixels")] {
                let bad = try await RoentgenCLI.run(["integrate", edf.path, "--poni", v1.path, "--detector", name])
                #expect(bad.status != 0 && bad.stderr.contains("--detector") && bad.stderr.contains(fragment) && bad.stdout.isEmpty, "\(bad.stderr)")
            }
        }
    }

    /// `--azimuth-range A:B` (degrees of χ): the pattern of that sector (the header says so), equal to the library's
    /// (PyFAIFixtureTests.otherImagesMatchPyFAI holds pyFAI's numbers); bad ranges fail naming the option.
    @Test func azimuthalSector() async throws {
        guard let image = SharedData.url("images/CeO2_Pilatus1M.tif"), let poni = SharedData.url("images/CeO2_Pilatus1M.poni") else { return }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-sector-\(UUID().uuidString).xy")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "300", "--azimuth-range=-30:45", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("# Azimuthal range: -30.0 to 45.0 deg"))
        let full = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "300", "--json"])
        let sector = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "300", "--azimuth-range=-30:45", "--json"])
        let a = try #require(try JSONSerialization.jsonObject(with: Data(full.stdout.utf8)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(sector.stdout.utf8)) as? [String: Any])
        // Same bins (the sector does not move the radial range, as in pyFAI), other intensities.
        #expect((a["radial"] as? [Double]) == (b["radial"] as? [Double]))
        #expect((a["intensity"] as? [Double]) != (b["intensity"] as? [Double]))
        for bad in ["-200:10", "45:-30", "x:y"] {
            let e = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--azimuth-range=\(bad)"])
            #expect(e.status != 0 && e.stderr.contains("--azimuth-range") && e.stdout.isEmpty, "\(bad): \(e.stderr)")
        }
    }

    /// `--keep-negative`: the gaps (−1) and bad pixels (−2) of a signed-integer Pilatus image stay in, as pyFAI
    /// integrates with no mask (pyfai_other_images.json, case ceo2_no_mask); without it they are masked and said so.
    @Test func keepNegative() async throws {
        guard let image = SharedData.url("images/CeO2_Pilatus1M.tif"), let poni = SharedData.url("images/CeO2_Pilatus1M.poni") else { return }
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.fixture("images/pyfai_other_images.json"))) as? [String: Any])
        let cases = try #require(fixture["results"] as? [[String: Any]])
        let ref = try #require(cases.first { $0["case"] as? String == "ceo2_no_mask" })
        let expected = try #require(ref["intensity"] as? [Double])
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "300", "--keep-negative", "--json"])
        #expect(r.status == 0 && !r.stderr.contains("negative pixels masked"), "\(r.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let intensity = try #require(j["intensity"] as? [Double])
        #expect(j["masked_pixels"] as? Int == 0 && intensity.count == 300)
        let off = zip(intensity, expected).filter { abs($0 - $1) > 1e-4 * abs($1) }.count
        #expect(off == 0, "\(off) bins off pyFAI's unmasked integration")
        let masked = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "300", "--json"])
        #expect(masked.stderr.contains("73560 negative pixels masked"))
    }
}
