import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Integration

/// Every detector pyFAI 2026.9 registers (109 classes, 287 binnings), from Tests/Fixtures/images/pyfai_detector_catalog.json
/// (make_detector_catalog.py): the same names, the same binnings (pixel size → shape), the same built-in mask (masked
/// count, sum of the masked pixels' flat indices and of their squares), the same dummy, and the same list of detectors whose pixels are
/// not a regular grid; and a mar345 plate integrated with its round mask as pyFAI integrates it (pyfai_builtin_mask.json).
@Suite struct DetectorModelTests {
    struct Catalog: Decodable {
        struct Binning: Decodable {
            var pixel1: Double
            var pixel2: Double
            var shape: [Int]
            var binning: [Int]
            var `default`: Bool
            var masked: Int
            var index_sum: Int
            var index_square_sum: String
        }
        struct Detector: Decodable {
            var name: String
            var aliases: [String]
            var irregular: String?
            var binnings: [Binning]
            var dummy: Double?
            var delta_dummy: Double?
        }
        var detectors: [Detector]
    }

    /// Masked count, Σ flat index and Σ index² (mod 2⁶⁴) of a mask.
    static func fingerprint(_ mask: [Bool]?) -> (Int, Int, UInt64) {
        guard let mask else { return (0, 0, 0) }
        var count = 0, sum = 0, squares: UInt64 = 0
        mask.withUnsafeBufferPointer { m in
            for k in 0..<m.count where m[k] {
                count += 1
                sum &+= k
                squares &+= UInt64(k) &* UInt64(k)
            }
        }
        return (count, sum, squares)
    }

    @Test func catalogueMatchesPyFAI() throws {
        let catalog = try JSONDecoder().decode(Catalog.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_detector_catalog.json")))
        #expect(catalog.detectors.count == 109 && catalog.detectors.reduce(0) { $0 + $1.binnings.count } == 287)
        #expect(DetectorModel.all.count == catalog.detectors.count)
        var masksCompared = 0
        for ref in catalog.detectors {
            let model = try #require(DetectorModel.named(ref.name), "\(ref.name)")
            #expect(model.name == ref.name)
            for alias in ref.aliases { #expect(DetectorModel.named(alias)?.name == ref.name, "\(alias)") }
            #expect((model.irregular == nil) == (ref.irregular == nil), "\(ref.name)")
            #expect(model.dummy == ref.dummy && model.deltaDummy == ref.delta_dummy, "\(ref.name) dummy")
            #expect(model.binnings.count == ref.binnings.count, "\(ref.name)")
            for b in ref.binnings {
                let mine = try #require(model.binning(pixel1: b.pixel1, pixel2: b.pixel2), "\(ref.name) \(b.pixel1)")
                #expect(mine.pixel1 == b.pixel1 && mine.pixel2 == b.pixel2 && [mine.rows, mine.columns] == b.shape
                        && [mine.binning.0, mine.binning.1] == b.binning, "\(ref.name) \(b.pixel1)")
                if b.default { #expect(model.standard?.pixel1 == b.pixel1 && [model.standard?.rows, model.standard?.columns] == b.shape.map { Optional($0) }) }
                let (count, sum, squares) = Self.fingerprint(model.builtInMask(mine))
                #expect(count == b.masked && sum == b.index_sum && "\(squares)" == b.index_square_sum,
                        "\(ref.name) \(b.shape): \(count) masked, pyFAI \(b.masked)")
                if b.masked > 0 { masksCompared += 1 }
            }
        }
        #expect(masksCompared == 96)
    }

    /// A PONI naming one of them gets its pixel size and shape; the PONI's pixel size picks pyFAI's binning; a name
    /// Roentgen does not know, with no pixel size, is refused naming the file, the line and the known names; a
    /// detector whose pixels are not a regular grid is refused with the reason.
    @Test func poniNamesADetector() throws {
        func parse(_ detector: String, _ config: String = "{}") throws -> PONIGeometry {
            try PONIGeometry.parse("poni_version: 2\nDetector: \(detector)\nDetector_config: \(config)\nDistance: 0.2\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10\n", file: "e.poni")
        }
        let g = try parse("Eiger2CdTe_4M")
        #expect(g.pixel1 == 75e-6 && g.pixel2 == 75e-6 && g.detector == "Eiger2CdTe_4M" && g.maxShape == [2162, 2068])
        #expect(try parse("MAR 345", "{\"pixel1\": 0.00015, \"pixel2\": 0.00015}").maxShape == [2300, 2300])
        #expect(try parse("Mar345").maxShape == [3450, 3450])
        #expect(try parse("MAR165", "{\"pixel1\": 7.9e-05, \"pixel2\": 7.9e-05, \"orientation\": 3}").maxShape == [2048, 2048])
        #expect(try parse("Perkin").maxShape == [2048, 2048] && parse("Perkin").pixel1 == 200e-6)
        // pyFAI keeps a pixel size that is none of the detector's binnings; so does Roentgen, with no shape and no mask.
        let odd = try parse("RayonixSx165", "{\"pixel1\": 0.0001, \"pixel2\": 0.0001}")
        #expect(odd.pixel1 == 1e-4 && odd.maxShape == nil)
        let built = DetectorModel.builtIn("RayonixSx165", geometry: odd, rows: 4096, columns: 4096)
        #expect(built.mask == nil && built.note?.contains("none of pyFAI's binnings of RayonixSx165") == true, "\(String(describing: built.note))")
        // Written back, a named detector carries no max_shape (pyFAI's classes set the shape from the pixel size).
        let written = try parse("Mar345", "{\"pixel1\": 0.00015, \"pixel2\": 0.00015}").poniText()
        #expect(written.contains("Detector: Mar345\nDetector_config: {\"pixel1\": 0.00015, \"pixel2\": 0.00015}"), "\(written)")
        #expect(try PONIGeometry.parse(written, file: "w.poni").maxShape == [2300, 2300])

        for (name, reason) in [("Pixirad-1", "hexagonal"), ("RapidII", "curved"), ("Jungfrau 500k", "several sizes"), ("Xpad S540 flat", "several sizes")] {
            do {
                _ = try parse(name, "{\"pixel1\": 0.0001, \"pixel2\": 0.0001}")
                Issue.record("\(name) accepted")
            } catch {
                #expect("\(error)".contains("e.poni") && "\(error)".contains(name) && "\(error)".contains(reason), "\(error)")
            }
        }
        do {
            _ = try PONIGeometry.parse("Detector: Frelon9000\nDistance: 0.2\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\n", file: "f.poni")
            Issue.record("Frelon9000 accepted")
        } catch {
            #expect("\(error)".contains("f.poni") && "\(error)".contains("Frelon9000") && "\(error)".contains("Eiger2_4M"))
        }
    }

    /// pyfai_builtin_mask.json and pyfai_detector_dummy.json: pyFAI's 1-D patterns of one image, each with its PONI text.
    struct PatternReference: Decodable {
        struct Case: Decodable {
            var name: String
            var poni_text: String
            var method: String?
            var unit: String?
            var npt: Int?
            var dummy: Double?
            var dtype: String?
            var radial: [Double]
            var intensity: [Double?]
            var sigma: [Double?]
        }
        var image: String
        var masked: Int?
        var cases: [Case]

        static func load(_ fixture: String) throws -> PatternReference {
            try JSONDecoder().decode(PatternReference.self, from: Data(contentsOf: SharedData.fixture(fixture)))
        }
    }

    /// `roentgen integrate --json` of `image` with the case's PONI (written to a temporary file) and options: the
    /// decoded object, its notes, and how many of its values lie more than 1e-4 off the case's (`valuesOff`).
    static func integrate(_ image: URL, _ c: PatternReference.Case, npt: Int) async throws -> (object: [String: Any], notes: [String], off: Int) {
        let poni = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-detector-\(UUID().uuidString).poni")
        defer { try? FileManager.default.removeItem(at: poni) }
        try c.poni_text.write(to: poni, atomically: true, encoding: .utf8)
        var args = ["integrate", image.path, "--poni", poni.path, "--npt", "\(npt)", "--json"]
        if let unit = c.unit { args += ["--unit", unit] }
        if let method = c.method { args += ["--method", method] }
        if let d = c.dummy { args += ["--dummy", "\(d)"] }
        let r = try await RoentgenCLI.run(args)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let (radial, intensity, sigma) = try patternArrays(object)
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma, expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        return (object, (object["notes"] as? [String]) ?? [], off)
    }

    /// The mar345 plate (2300 × 2300, 150 µm) with a PONI naming `Mar345`: pyFAI masks the 1,135,236 pixels outside
    /// the round scanned area; Roentgen masks the same (the output says how many) and every bin of three patterns is
    /// within 1e-4 of pyFAI's. The same PONI naming a generic `Detector` (no mask) gives pyFAI's other pattern.
    @Test(arguments: ["no_2th", "bbox_q", "no_2th_dummy0", "no_2th_generic"])
    func marPlateMaskedAsPyFAI(_ name: String) async throws {
        let f = try PatternReference.load("images/pyfai_builtin_mask.json")
        let c = try #require(f.cases.first { $0.name == name })
        guard let image = SharedData.url(f.image) else { print(SharedData.missing(f.image)); return }
        let (object, notes, off) = try await Self.integrate(image, c, npt: try #require(c.npt))
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        if name.hasSuffix("generic") {
            #expect(!notes.contains { $0.contains("round sensitive area") }, "\(notes)")
            let masked = try #require(f.cases.first { $0.name == "no_2th" })
            let (radial, intensity, sigma) = try patternArrays(object)
            #expect(valuesOff(radial: radial, intensity: intensity, sigma: sigma, expectedRadial: masked.radial,
                              expectedIntensity: masked.intensity, expectedSigma: masked.sigma) > 100)
        } else {
            #expect(notes.contains("Mar345 pixels outside its round sensitive area masked (\(f.masked ?? -1) pixels)"), "\(notes)")
        }
    }

    /// A PONI naming a DECTRIS detector and no --dummy: pyFAI masks the detector's dummy, −2 ± 1.5 taken into the image's
    /// type (`get_dummies`). The Pilatus 1M AgBh frame written as an Eiger writes frames (uint32, −1 → 4294967295,
    /// −2 → 4294967294) and as float32: every bin within 1e-4 of pyFAI's with `Detector: Pilatus1M` (gaps from the
    /// module mask, the 45 bad pixels from the dummy); with a generic detector both programs keep the bad pixels
    /// (pyFAI's largest bin 1.1e9). pyfai_detector_dummy.json (make_detector_dummy_reference.py).
    @Test(arguments: ["named_uint32", "named_float32", "generic_uint32"])
    func dummyOfANamedDetector(_ name: String) async throws {
        let f = try PatternReference.load("images/pyfai_detector_dummy.json")
        let c = try #require(f.cases.first { $0.name == name })
        guard let url = SharedData.url(f.image) else { print(SharedData.missing(f.image)); return }
        let image = try DetectorImages.read(url)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-dummy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The frame as an EDF of the case's type (values wrapped into uint32 as an Eiger stores them).
        var body = Data()
        let type: String
        if c.dtype == "uint32" {
            type = "UnsignedInteger"
            for v in image.frames[0] { withUnsafeBytes(of: UInt32(truncatingIfNeeded: Int64(v)).littleEndian) { body.append(contentsOf: $0) } }
        } else {
            type = "FloatValue"
            for v in image.frames[0] { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        }
        var header = "{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = LowByteFirst ;\nDataType = \(type) ;\n"
        header += "Dim_1 = \(image.columns) ;\nDim_2 = \(image.rows) ;\nSize = \(body.count) ;\n"
        while (header.utf8.count + 2) % 512 != 0 { header += " " }
        let edf = folder.appendingPathComponent("frame.edf")
        try (Data((header + "}\n").utf8) + body).write(to: edf)
        let (_, notes, off) = try await Self.integrate(edf, c, npt: 500)
        #expect(off == 0, "\(name): \(off) values more than 1e-4 from pyFAI")
        let said = notes.contains { $0.hasPrefix("pixels of Pilatus1M's dummy value") }
        #expect(said == name.hasPrefix("named"), "\(notes)")
        if name == "named_uint32" { #expect(notes.contains { $0.contains("4294967294") && $0.contains("uint32") }, "\(notes)") }
    }
}
