import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// The Images view's routes (`/api/image`, `/api/image/pixels`, `/api/geometry`, `/api/calibrant`, and
/// `/api/calibrate`'s `output`) against fabio's and pyFAI's readings of the shared files.
@Suite(.serialized) struct ImageRouteTests {
    static func reference(_ name: String) throws -> [String: Any]? {
        guard let url = SharedData.url("images/reference/" + name) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    }

    @Test func framesGeometryAndCalibrantsAsTheAnchorsReadThem() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let fabio = try #require(try Self.reference("fabio_readings_published.json"))
        let readings = Dictionary(uniqueKeysWithValues: try #require(fabio["files"] as? [[String: Any]]).map { ($0["file"] as? String ?? "", $0) })
        let server = try LiveServer(root: root)
        let http = RawHTTP(host: server.host, port: server.port)

        // Each frame: fabio's sum and pixel values, from the description and from the pixels sent (exact as float32).
        for (file, dtype) in [("images/pixium_03150.tif", "uint16"), ("images/DLS_CeO2_1200mm.mask", "uint32")] {
            let fabioReading = try #require(readings[file])
            let described = try http.get("/api/image?path=\(file)")
            #expect(described.status == 200, "\(described.text)")
            let d = described.object
            #expect(d["shape"] as? [Int] == [1441, 1440] && d["dtype"] as? String == dtype && d["encoding"] as? String == "float32" && d["frames"] as? Int == 1)
            #expect(d["sum"] as? Double == fabioReading["sum"] as? Double, "\(file): \(d["sum"] ?? "") vs fabio \(fabioReading["sum"] ?? "")")
            let pixels = try http.get("/api/image/pixels?path=\(file)")
            #expect(pixels.headers["content-type"] == "application/octet-stream" && pixels.headers["x-image-shape"] == "1441,1440" && pixels.headers["x-pixel-encoding"] == "float32")
            #expect(pixels.body.count == 1441 * 1440 * 4)
            let values: [Float] = pixels.body.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
            #expect(values.reduce(0.0) { $0 + Double($1) } == fabioReading["sum"] as? Double)
            for probe in try #require(fabioReading["pixels_[row,col,value]"] as? [[Double]]) {
                #expect(Double(values[Int(probe[0]) * 1440 + Int(probe[1])]) == probe[2], "\(file) pixel \(probe)")
            }
        }
        // A signed Pilatus frame: its gap and bad pixels counted invalid, the display range above them.
        let pilatus = try http.get("/api/image?path=images/Pilatus1M.edf").object
        #expect(pilatus["min"] as? Double == -2 && pilatus["negative"] as? Int == 73578 && pilatus["invalid"] as? Int == 73578)
        let range = try #require(pilatus["display_range"] as? [Double])
        #expect(range.count == 2 && range[0] >= 0 && range[1] > range[0] && range[1] < 260209)

        // The PONI in Fit2D's terms as pyFAI's getFit2D gives it (integrate1d_pixium_03150.json, variant alt_poni).
        let pyfai = try #require(try Self.reference("integrate1d_pixium_03150.json"))
        let alt = try #require((pyfai["results"] as? [[String: Any]])?.first { ($0["variant"] as? String ?? "").hasPrefix("alt_poni:") })
        let poni = try #require(alt["poni"] as? [String: Any]), fit2d = try #require(poni["fit2d"] as? [String: Double])
        let geometry = try http.get("/api/geometry?poni=images/DLS_CeO2_1200mm.poni").object
        let ours = try #require(geometry["fit2d"] as? [String: Double])
        for (key, theirs) in [("direct_distance_mm", "directDist"), ("center_x_px", "centerX"), ("center_y_px", "centerY"), ("tilt_deg", "tilt"), ("tilt_plane_rotation_deg", "tiltPlanRotation")] {
            let a = try #require(ours[key]), b = try #require(fit2d[theirs])
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(key): \(a) vs pyFAI \(b)")
        }
        #expect(geometry["distance_m"] as? Double == poni["dist_m"] as? Double && geometry["wavelength_m"] as? Double == poni["wavelength_m"] as? Double)
        let noWavelength = try http.get("/api/geometry?poni=images/Pilatus1M.poni").object
        #expect(noWavelength["wavelength_m"] == nil && noWavelength["pixel_size_m"] as? [Double] == [0.000172, 0.000172])

        // Calibrants: a built-in name and pyFAI's .D file give the same AgBh rings.
        let builtIn = try #require(try http.get("/api/calibrant?name=AgBh").object["d_spacings_angstrom"] as? [Double])
        let file = try #require(try http.get("/api/calibrant?name=images/calibrants/AgBh.D").object["d_spacings_angstrom"] as? [Double])
        #expect(builtIn.count == 49 && file.count == 49 && builtIn.first == 58.38)
        #expect(zip(builtIn, file).allSatisfy { abs($0 - $1) < 1e-7 }, "\(builtIn.prefix(5)) vs \(file.prefix(5))")

        // The listing names images, PONIs and calibrant files as such.
        let listing = try #require(try http.get("/api/files?dir=images").object["entries"] as? [[String: Any]])
        func kind(_ name: String) -> String? { listing.first { $0["name"] as? String == name }?["kind"] as? String }
        #expect(kind("Pilatus1M.edf") == "image" && kind("pixium_03150.tif") == "image" && kind("Pilatus1M.poni") == "geometry")
        let calibrants = try #require(try http.get("/api/files?dir=images/calibrants").object["entries"] as? [[String: Any]])
        #expect(calibrants.first?["kind"] as? String == "calibrant" && (calibrants.first?["summary"] as? String ?? "").contains("49 rings"), "\(calibrants)")

        // A stack's frame: its pixels are frame 6's; /api/integrate with `frames` integrates that frame alone
        // (one object, not the stack's array), as the CLI's --frames.
        let stack = "images/lambda_testasapo1_1009_00002_m1_part00000.nxs"
        let frame6 = try http.get("/api/image?path=\(stack)&frame=6").object
        #expect(frame6["frames"] as? Int == 10 && frame6["frame"] as? Int == 6 && frame6["shape"] as? [Int] == [516, 1554] && frame6["dtype"] as? String == "int16")
        // Its datasets of frames (what `dataset` may name): the frames, the flat field and the pixel mask; none for a TIFF.
        #expect(Set(frame6["datasets"] as? [String] ?? []) == ["/entry/instrument/detector/data", "/entry/instrument/detector/flatfield", "/entry/instrument/detector/pixel_mask"],
                "\(frame6["datasets"] ?? "")")
        #expect(try http.get("/api/image?path=images/pixium_03150.tif").object["datasets"] == nil)
        let read = try DetectorImages.open(root.appendingPathComponent(stack)).frame(6)
        #expect(frame6["sum"] as? Double == read.reduce(0, +))
        let stackPixels = try http.get("/api/image/pixels?path=\(stack)&frame=6").body
        let sent: [Float] = stackPixels.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        #expect(sent.map(Double.init) == read)
        // mask=true reads the file as --mask does: the stack's NXdetector pixel_mask (37,045 pixels, as pyFAI takes it; IntegrationTests).
        let pixelMask = try http.get("/api/image/pixels?path=\(stack)&mask=true")
        #expect(pixelMask.headers["x-image-shape"] == "516,1554")
        // (uint32 bit flags beyond 2^24: sent as float64, as the header says.)
        #expect(pixelMask.headers["x-pixel-encoding"] == "float64")
        let maskValues: [Double] = pixelMask.body.withUnsafeBytes { raw in (0..<(raw.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) } }
        #expect(maskValues.count == 516 * 1554 && maskValues.filter { $0 != 0 }.count == 37045)
        let integrated = try http.post("/api/integrate", ["images": [stack], "poni": "images/lambda_nominal.poni", "npt": 200, "method": "bbox", "frames": "6", "threads": 1])
        #expect(integrated.status == 200 && integrated.object["frame"] as? Int == 6, "\(integrated.text.prefix(200))")
        let cli = try runCapturing(RoentgenCLI.executable, ["integrate", stack, "--poni", "images/lambda_nominal.poni", "--npt", "200", "--method", "bbox",
                                                            "--frames", "6", "--threads", "1", "--json"], in: root)
        #expect(integrated.text == cli.trimmingCharacters(in: .whitespacesAndNewlines))
        // A grazing-incidence profile through the API's snake_case keys: the CLI's JSON (FiberIntegrationTests holds the
        // CLI to pyFAI's integrate_fiber on this very case).
        let fiber = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni",
                                                     "mask": "images/DLS_CeO2_1200mm.mask", "incident_angle": 0.2, "fiber_profile": "oop",
                                                     "npt_oop": 150, "ip_range": "-1:1"])
        let fiberCLI = try runCapturing(RoentgenCLI.executable, ["integrate", "images/pixium_03150.tif", "--poni", "images/DLS_CeO2_1200mm_pyFAI.poni",
                                                                 "--mask", "images/DLS_CeO2_1200mm.mask", "--incident-angle", "0.2", "--fiber-profile", "oop",
                                                                 "--npt-oop", "150", "--ip-range=-1:1", "--json"], in: root)
        #expect(fiber.status == 200 && fiber.text == fiberCLI.trimmingCharacters(in: .whitespacesAndNewlines), "\(fiber.text.prefix(300))")
        #expect((fiber.object["fiber"] as? [String: Any])?["profile"] as? String == "oop")
        // Two images with their own PONIs into one pattern (pyFAI's MultiGeometry; MultiGeometryTests holds the CLI to pyFAI).
        let pair = try http.post("/api/integrate", ["images": ["images/Pilatus1M.edf", "images/pixium_03150.tif"], "multi_geometry": true,
                                                    "ponis": ["images/Pilatus1M.poni", "images/DLS_CeO2_1200mm_pyFAI.poni"], "npt": 600, "method": "no"])
        let pairCLI = try runCapturing(RoentgenCLI.executable, ["integrate", "images/Pilatus1M.edf", "images/pixium_03150.tif", "--poni", "images/Pilatus1M.poni",
                                                                "--poni", "images/DLS_CeO2_1200mm_pyFAI.poni", "--multi-geometry", "--npt", "600", "--method", "no", "--json"], in: root)
        #expect(pair.status == 200 && pair.text == pairCLI.trimmingCharacters(in: .whitespacesAndNewlines), "\(pair.text.prefix(300))")
        let outsidePONI = try http.post("/api/integrate", ["images": ["images/Pilatus1M.edf", "images/pixium_03150.tif"], "multi_geometry": true,
                                                           "ponis": ["images/Pilatus1M.poni", "/etc/passwd"]])
        #expect(outsidePONI.status == 400 && outsidePONI.errorKind == "refusedPath", "\(outsidePONI.status) \(outsidePONI.text.prefix(200))")
        // A cake written as EDF (pyFAI's save2D form) into the workspace, opened again as an image: intensity and σ frames.
        let cakeEDF = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni",
                                                       "npt": 100, "npt_azim": 36, "output": "patterns/cake.edf"])
        #expect(cakeEDF.status == 200, "\(cakeEDF.text.prefix(300))")
        let cakeImage = try http.get("/api/image?path=patterns/cake.edf").object
        #expect(cakeImage["shape"] as? [Int] == [36, 100] && cakeImage["frames"] as? Int == 2 && cakeImage["dtype"] as? String == "float32", "\(cakeImage)")
        let patternEDF = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni", "output": "patterns/p.edf"])
        #expect(patternEDF.status == 422 && patternEDF.text.contains("an EDF file holds a 2-D cake or fiber map"), "\(patternEDF.text)")

        // integrate's `output`: the one pattern written as -o writes it (the CLI's file, byte for byte), read back as a 2θ pattern.
        let pattern = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni", "mask": "images/DLS_CeO2_1200mm.mask",
                                                       "method": "bbox", "polarization": 0.99, "output": "patterns/pixium.xye"])
        #expect(pattern.status == 200, "\(pattern.text.prefix(300))")
        _ = try runCapturing(RoentgenCLI.executable, ["integrate", "images/pixium_03150.tif", "--poni", "images/DLS_CeO2_1200mm_pyFAI.poni", "--mask", "images/DLS_CeO2_1200mm.mask",
                                                      "--method", "bbox", "--polarization", "0.99", "-o", "patterns/cli.xye"], in: root)
        let apiFile = try String(contentsOf: root.appendingPathComponent("patterns/pixium.xye"), encoding: .utf8)
        #expect(apiFile == (try String(contentsOf: root.appendingPathComponent("patterns/cli.xye"), encoding: .utf8)) && apiFile.hasPrefix("#"))
        let readBack = try http.get("/api/read?path=patterns/pixium.xye").object
        let scan = try #require((readBack["scans"] as? [[String: Any]])?.first), columns = try #require(scan["columns"] as? [String: [Double?]])
        #expect(columns["two_theta"]?.count == 1000 && columns["intensity"]?.count == 1000)
        let patterns = try #require(try http.get("/api/files?dir=patterns").object["entries"] as? [[String: Any]])
        #expect(patterns.first { $0["name"] as? String == "pixium.xye" }?["kind"] as? String == "diffraction", "\(patterns)")
        let several = try http.post("/api/integrate", ["images": [stack], "poni": "images/lambda_nominal.poni", "npt": 100, "output": "patterns/stack.xye"])
        #expect(several.status == 422 && several.text.contains("takes one pattern; these images give 10"), "\(several.text)")
        let outside = try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni", "output": "../p.xye"])
        #expect(outside.status == 400 && outside.text.contains("refusedPath"))

        // calibrate's `output`: the PONI written into the workspace, equal to the reply's poni_text.
        let calibrated = try http.post("/api/calibrate", ["image": "images/Pilatus1M.edf", "calibrant": "AgBh", "poni": "images/Pilatus1M.poni",
                                                          "wavelength": 1.0326375318602659, "output": "calibrated/Pilatus1M.poni"])
        #expect(calibrated.status == 200, "\(calibrated.text.prefix(300))")
        let written = try String(contentsOf: root.appendingPathComponent("calibrated/Pilatus1M.poni"), encoding: .utf8)
        #expect(written == calibrated.object["poni_text"] as? String)
        let reread = try http.get("/api/geometry?poni=calibrated/Pilatus1M.poni").object
        #expect(reread["distance_m"] as? Double == calibrated.object["distance_m"] as? Double)
        // An existing file is not replaced unasked (409, naming it; the file unchanged), and is with overwrite.
        let again: [String: Any] = ["image": "images/Pilatus1M.edf", "calibrant": "AgBh", "poni": "images/Pilatus1M.poni", "wavelength": 1.0326375318602659,
                                    "output": "calibrated/Pilatus1M.poni", "passes": 1]
        let refused = try http.post("/api/calibrate", again)
        #expect(refused.status == 409 && refused.errorKind == "exists" && refused.text.contains("calibrated/Pilatus1M.poni"), "\(refused.text)")
        #expect(try String(contentsOf: root.appendingPathComponent("calibrated/Pilatus1M.poni"), encoding: .utf8) == written)
        let replaced = try http.post("/api/calibrate", again.merging(["overwrite": true]) { $1 })
        let rewritten = try String(contentsOf: root.appendingPathComponent("calibrated/Pilatus1M.poni"), encoding: .utf8)
        #expect(replaced.status == 200 && rewritten == replaced.object["poni_text"] as? String)
        #expect(try http.post("/api/integrate", ["images": ["images/pixium_03150.tif"], "poni": "images/DLS_CeO2_1200mm_pyFAI.poni", "output": "images/pixium_03150.tif"]).status == 409,
                "the frame itself is not overwritten by a pattern")
        #expect(try http.post("/api/mask", ["output": "images/Pilatus1M.edf", "shape": [1043, 981], "runs": [0, 1]]).status == 409)
        #expect(try SHA256.hex(ofFileAt: root.appendingPathComponent("images/pixium_03150.tif")) == (try SHA256.hex(ofFileAt: SharedData.url("images/pixium_03150.tif")!)))
        #expect(server.interrupt() == 0)
    }

    /// `POST /api/mask` writes the EDF mask fabio reads (Tests/Fixtures/images/edf_mask_fabio.json: fabio 2026.6's
    /// reading of these exact bytes, checked by their SHA-256), and that `--mask` reads back; bad runs are refused.
    @Test func maskWrittenAsFabioReadsIt() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let fixture = SharedData.projectRoot.appendingPathComponent("Tests/Fixtures/images/edf_mask_fabio.json")
        let fabio = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as? [String: Any])
        let rows = 37, columns = 53
        var mask = [Bool](repeating: false, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns {
                let dx = Double(c) + 0.5 - 40.5, dy = Double(r) + 0.5 - 25.5
                mask[r * columns + c] = (3...10).contains(r) && (5...20).contains(c) || dx * dx + dy * dy <= 64 || (r * columns + c) % 97 == 0
            }
        }
        var runs: [Int] = []
        var i = 0
        while i < mask.count {
            guard mask[i] else { i += 1; continue }
            var j = i
            while j < mask.count && mask[j] { j += 1 }
            runs += [i, j - i]
            i = j
        }
        let server = try LiveServer(root: root)
        let http = RawHTTP(host: server.host, port: server.port)
        let reply = try http.post("/api/mask", ["output": "masks/pattern.edf", "shape": [rows, columns], "runs": runs])
        #expect(reply.status == 200 && reply.object["masked_pixels"] as? Int == 342 && reply.object["file"] as? String == "masks/pattern.edf", "\(reply.text)")
        let written = root.appendingPathComponent("masks/pattern.edf")
        #expect(try SHA256.hex(ofFileAt: written) == fabio["sha256"] as? String, "the bytes fabio's reading was recorded from")
        let indices = mask.indices.filter { mask[$0] }
        #expect(fabio["shape"] as? [Int] == [rows, columns] && fabio["dtype"] as? String == "uint8" && fabio["fabio_class"] as? String == "EdfImage")
        #expect(fabio["masked_flat_indices"] as? [Int] == indices && fabio["sum"] as? Int == indices.count)
        let read = try DetectorImages.readMask(written)
        #expect(read.rows == rows && read.columns == columns && read.pixelType == .uint8)
        #expect(read.frames[0].indices.filter { read.frames[0][$0] != 0 } == indices)
        // fabio itself, where installed, reads the file the test just wrote.
        let script = "import sys, json, fabio, numpy; d = fabio.open(sys.argv[1]).data; print(json.dumps([list(d.shape), [int(i) for i in numpy.flatnonzero(d)]]))"
        if let python = BrowserTests.python, let out = try? runCapturing(URL(fileURLWithPath: python), ["-c", script, written.path]),
           let live = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [Any] {
            #expect(live[0] as? [Int] == [rows, columns] && live[1] as? [Int] == indices)
        } else {
            print("python3 with fabio not available: the recorded fabio reading (edf_mask_fabio.json) stands for the live one")
        }
        func expectError(_ body: [String: Any], _ status: Int, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try http.post("/api/mask", body)
            #expect(r.status == status && r.text.contains(text), "\(r.status) \(r.text)", sourceLocation: sourceLocation)
        }
        try expectError(["shape": [rows, columns], "runs": [0, 1]], 400, "'output' is required")
        try expectError(["output": "../m.edf", "shape": [rows, columns], "runs": [0, 1]], 400, "refusedPath")
        try expectError(["output": "m.edf", "shape": [rows], "runs": [0, 1]], 422, "shape [37]")
        try expectError(["output": "m.edf", "shape": [rows, columns], "runs": [0, 1, 5]], 422, "start, length pairs")
        try expectError(["output": "m.edf", "shape": [rows, columns], "runs": [10, 5, 12, 1]], 422, "run 1 (start 12, length 1)")
        try expectError(["output": "m.edf", "shape": [rows, columns], "runs": [rows * columns - 1, 2]], 422, "past the 1961 pixels")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("m.edf").path))
        #expect(server.interrupt() == 0)
    }

    @Test func badImageRequestsFailNamingWhat() throws {
        let (made, why) = try ServerWorkspace.make()
        guard let root = made else { print(why); return }
        defer { ServerWorkspace.remove(root) }
        let server = try LiveServer(root: root)
        let http = RawHTTP(host: server.host, port: server.port)
        func expectError(_ reply: RawHTTP.Reply, _ status: Int, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(reply.status == status && reply.text.contains(text), "\(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        }
        // A float frame with implausible values (one 1e35 pixel, one denormal): described, and said so.
        try EDFWriter.data([[1, 2, 3, 4, 5, 1e35, 7, 8, 9, 1e-40, 11, 12]], rows: 3, columns: 4, type: .float32)
            .write(to: root.appendingPathComponent("images/implausible.edf"))
        let implausible = try http.get("/api/image?path=images/implausible.edf").object
        let warnings = try #require(implausible["warnings"] as? [String])
        #expect(warnings.count == 2 && warnings.contains { $0.contains("1 of 12 pixels exceed") } && warnings.contains { $0.contains("denormal") }, "\(warnings)")
        #expect(try http.get("/api/image?path=images/Pilatus1M.edf").object["warnings"] as? [String] == [])

        expectError(try http.get("/api/image"), 400, "'path' is required")
        expectError(try http.get("/api/image?path=images/Pilatus1M.edf&frame=3"), 422, "frame 3: the image has 1 frame")
        expectError(try http.get("/api/image/pixels?path=images/Pilatus1M.edf&frame=x"), 400, "'frame' must be an integer")
        expectError(try http.get("/api/image?path=../etc/passwd"), 400, "refusedPath")
        expectError(try http.get("/api/image?path=images"), 400, "is a folder")
        expectError(try http.get("/api/image?path=xas/xaslib/Fe_metal_rt_01.xdi"), 422, "Fe_metal_rt_01.xdi")
        expectError(try http.get("/api/image?path=images/pixium_03150.tif&dataset=/entry/data"), 422, "--dataset applies to HDF5 files")
        expectError(try http.get("/api/geometry"), 400, "'poni' is required")
        expectError(try http.get("/api/geometry?poni=xas/xaslib/Fe_metal_rt_01.xdi"), 422, "Fe_metal_rt_01.xdi")
        expectError(try http.get("/api/calibrant?name=Unobtainium"), 422, "not a built-in calibrant")
        expectError(try http.get("/api/calibrant?name=../x.D"), 400, "refusedPath")
        expectError(try http.post("/api/calibrate", ["image": "images/Pilatus1M.edf", "calibrant": "AgBh", "poni": "images/Pilatus1M.poni", "output": "../out.poni"]),
                    400, "refusedPath")
        expectError(try http.post("/api/calibrate", ["image": "images/Pilatus1M.edf", "calibrant": "AgBh", "poni": "images/Pilatus1M.poni", "output": "images"]),
                    400, "is a folder")
        #expect(!FileManager.default.fileExists(atPath: root.deletingLastPathComponent().appendingPathComponent("out.poni").path))
        #expect(server.interrupt() == 0)
    }
}
