import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// `roentgen integrate` over several image files: each read one ahead of the integration (not all
/// before it), the patterns the same as one file at a time, and a file that cannot be read stopping
/// the run at that file, naming it. Missing or non-image files are found before anything is integrated.
@Suite struct ImageRunTests {
    static func lines(_ r: RoentgenCLI.Result) -> [[String: Any]] {
        r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func severalImages() async throws {
        guard let edf = SharedData.url("images/Pilatus1M.edf"), let tif = SharedData.url("images/CeO2_Pilatus1M.tif"),
              let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let args = ["--poni", poni.path, "--npt", "300", "--method", "bbox", "--json"]
        let run = try await RoentgenCLI.run(["integrate", edf.path, tif.path, edf.path] + args)
        let alone = try await RoentgenCLI.run(["integrate", tif.path] + args)
        #expect(run.status == 0 && alone.status == 0, "\(run.stderr) \(alone.stderr)")
        let patterns = Self.lines(run), single = Self.lines(alone)
        #expect(patterns.count == 3 && single.count == 1)
        guard patterns.count == 3, single.count == 1 else { return }
        #expect(patterns.map { $0["file"] as? String } == [edf.path, tif.path, edf.path])
        let first = patterns[0]["intensity"] as? [Double], third = patterns[2]["intensity"] as? [Double]
        #expect(first != nil && first == third && first != patterns[1]["intensity"] as? [Double])
        #expect(patterns[1]["intensity"] as? [Double] == single[0]["intensity"] as? [Double])
        #expect(patterns[1]["sigma"] as? [Double] == single[0]["sigma"] as? [Double])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-image-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A file cut short, second of three: the first pattern is out, then the run stops naming the file.
        let cut = folder.appendingPathComponent("cut.edf")
        try Data(contentsOf: edf).prefix(2_000_000).write(to: cut)
        let stopped = try await RoentgenCLI.run(["integrate", edf.path, cut.path, tif.path] + args)
        #expect(stopped.status != 0 && stopped.stderr.contains("cut.edf") && stopped.stderr.contains("truncated"), "\(stopped.stderr)")
        #expect(Self.lines(stopped).count == 1)
        // A missing file or one that is no image, anywhere in the list: nothing is integrated.
        for (bad, said) in [(folder.appendingPathComponent("absent.cbf").path, "no such file"), (poni.path, "not a detector image")] {
            let r = try await RoentgenCLI.run(["integrate", edf.path, tif.path, bad] + args)
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(said), "\(r.stderr)")
        }
        let dataset = try await RoentgenCLI.run(["integrate", edf.path, tif.path, "--dataset", "/entry/data"] + args)
        #expect(dataset.status != 0 && dataset.stdout.isEmpty && dataset.stderr.contains("--dataset applies to HDF5 files"), "\(dataset.stderr)")
    }

    /// An image whose shape is not that of the detector its PONI names (here the Pilatus 1M frame binned 2 × 2): the
    /// output says that no gap mask was applied and the PONI's pixel size was used as it is (pyFAI's integrate1d
    /// does the same, silently); the full frame gets its gap mask and no such note.
    @Test func imageOfAnotherShapeThanThePONIsDetector() async throws {
        guard let edf = SharedData.url("images/Pilatus1M.edf"), let base = SharedData.url("images/Pilatus1M.poni") else { return }
        let image = try DetectorImages.read(edf)
        let rows = image.rows / 2, columns = image.columns / 2
        var binned = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows * 2 { for j in 0..<columns * 2 { binned[(i / 2) * columns + j / 2] += Float(image.frames[0][i * image.columns + j]) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-binned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let small = folder.appendingPathComponent("binned.edf"), poni = folder.appendingPathComponent("named.poni")
        try NormalizationTests.writeEDF([binned], rows: rows, columns: columns, to: small)
        let text = try String(contentsOf: base, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("PixelSize") }.joined(separator: "\n")
        try ("Detector: Pilatus1M\n" + text + "\nWavelength: 1.03264e-10\n").write(to: poni, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["integrate", small.path, "--poni", poni.path, "--npt", "200", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let notes = (Self.lines(r).first?["notes"] as? [String]) ?? []
        #expect(notes.contains { $0.contains("the image is 521 × 490, not the 1043 × 981 of the PONI's detector Pilatus1M") && $0.contains("172 × 172 µm") }, "\(notes)")
        let full = try await RoentgenCLI.run(["integrate", edf.path, "--poni", poni.path, "--npt", "200", "--json"])
        let fullNotes = (Self.lines(full).first?["notes"] as? [String]) ?? []
        #expect(fullNotes.contains { $0.contains("module gaps masked") } && !fullNotes.contains { $0.contains("not the") }, "\(fullNotes)")
    }

    /// Two JSON arrays of numbers of the same length, equal within 1e-12 relative.
    static func close(_ a: Any?, _ b: Any?) -> Bool {
        guard let a = a as? [Double], let b = b as? [Double], a.count == b.count, !a.isEmpty else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($0), abs($1)) }
    }

    /// A series whose second image has more invalid pixels (here 500 more dummy pixels): each image's
    /// pattern is the one it gives alone, whichever comes first, with and without pixel splitting
    /// (the no-split integrator is reused for the image masking more, the others rebuilt).
    @Test func seriesWithMoreInvalidPixels() async throws {
        guard let edf = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let image = try DetectorImages.read(edf)
        let plain = image.frames[0].map { Float($0) }
        var holes = plain
        for k in 0..<500 { holes[(k * 7919) % holes.count] = -2 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-image-series-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.edf"), b = folder.appendingPathComponent("b.edf")
        try NormalizationTests.writeEDF([plain], rows: image.rows, columns: image.columns, to: a)
        try NormalizationTests.writeEDF([holes], rows: image.rows, columns: image.columns, to: b)
        for method in ["no", "bbox"] {
            let args = ["--poni", poni.path, "--npt", "400", "--method", method, "--dummy=-2", "--delta-dummy", "1", "--json"]
            var alone: [String: [String: Any]] = [:]
            for url in [a, b] {
                let r = try await RoentgenCLI.run(["integrate", url.path] + args)
                alone[url.path] = Self.lines(r).first
            }
            for order in [[a, b], [b, a]] {
                let r = try await RoentgenCLI.run(["integrate"] + order.map(\.path) + args)
                let patterns = Self.lines(r)
                #expect(r.status == 0 && patterns.count == 2, "\(r.stderr)")
                for (url, p) in zip(order, patterns) {
                    // Within 1e-12: an image of one frame is integrated on two threads, and the image masking more,
                    // when it reuses the other's integrator, leaves its extra pixels out frame by frame, summing
                    // its normalisation per thread rather than in the integrator's one pass (the order of additions).
                    #expect(Self.close(p["intensity"], alone[url.path]?["intensity"]), "\(method) \(order.map(\.lastPathComponent)): \(url.lastPathComponent)")
                    #expect(Self.close(p["sigma"], alone[url.path]?["sigma"]))
                    #expect(p["masked_pixels"] as? Int == alone[url.path]?["masked_pixels"] as? Int)
                }
            }
            #expect(alone[a.path]?["intensity"] as? [Double] != alone[b.path]?["intensity"] as? [Double])
            #expect((alone[b.path]?["masked_pixels"] as? Int ?? 0) > (alone[a.path]?["masked_pixels"] as? Int ?? 0))
        }
    }

    /// A Pilatus CBF opened for integration keeps its int32 pixels as stored (half the memory of doubles, read
    /// in place): the same values, header and geometry as the image read whole, and the same damage errors.
    @Test func storedInt32Frames() throws {
        guard let cbf = SharedData.url("images/run2_1_00148.cbf") else { return }
        let source = try DetectorImages.open(cbf, storedPixels: true)
        let image = try DetectorImages.read(cbf)
        guard case .stored(let template, let frames) = source else { Issue.record("not kept as int32"); return }
        #expect(template.frames.isEmpty && frames.type == .int32 && frames.pixelsPerFrame == image.pixelCount && source.frameCount == 1)
        #expect(try source.frame(0) == image.frames[0])
        #expect(template.header == image.header && template.wavelength == image.wavelength && template.distance == image.distance)
        let sum = try source.withFrameBytes(0) { bytes, type, bigEndian -> Int64 in
            #expect(type == .int32 && !bigEndian)
            return bytes.bindMemory(to: Int32.self).reduce(0) { $0 + Int64($1) }
        }
        #expect(Double(sum) == image.frames[0].reduce(0, +))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-cut-\(UUID().uuidString).cbf")
        defer { try? FileManager.default.removeItem(at: cut) }
        try Data(contentsOf: cbf).prefix(3_000_000).write(to: cut)
        #expect(throws: RoentgenError.self) { _ = try DetectorImages.open(cut, storedPixels: true) }
        #expect(throws: RoentgenError.self) { _ = try source.frame(1) }
    }

    /// EDF, TIFF and mar345 integer frames are kept as stored too, in the host's byte order whatever the file's: the
    /// shared Pilatus 1M EDF (int32) and Pixium TIFF (uint16), and the fixtures of every integer type, a
    /// big-endian two-frame EDF and a big-endian TIFF among them, give the values, frame count and headers
    /// of the image read whole; float images stay doubles.
    @Test func storedEDFTIFFAndMar345Frames() throws {
        var urls = ["edf_int16.edf", "edf_int32.edf", "edf_uint16.edf", "edf_uint8.edf", "edf_int32_bigendian_2frames.edf",
                    "tiff_int8_none.tif", "tiff_uint16_bigendian.tif", "tiff_uint16_two_pages.tif", "tiff_int32_lzw.tif",
                    "tiff_uint32_packbits.tif", "tiff_uint16_predictor_lzw.tif", "tiff_int32_tiles_lzw.tif"].map { SharedData.fixture("images/" + $0) }
        urls.append(SharedData.fixture("images/mar345_120.mar2300"))
        for shared in ["images/Pilatus1M.edf", "images/pixium_03150.tif", "images/example.mar2300"] { if let u = SharedData.url(shared) { urls.append(u) } }
        for url in urls {
            let image = try DetectorImages.read(url)
            let source = try DetectorImages.open(url, storedPixels: true)
            guard case .stored(let template, let frames) = source else { Issue.record("\(url.lastPathComponent) not kept as stored"); continue }
            #expect(frames.type == image.pixelType && source.frameCount == image.frames.count && template.frames.isEmpty, "\(url.lastPathComponent)")
            #expect(template.header == image.header && template.frameHeaders == image.frameHeaders && template.rows == image.rows)
            for k in 0..<image.frames.count {
                #expect(try source.frame(k) == image.frames[k], "\(url.lastPathComponent) frame \(k)")
                let first = try source.withFrameBytes(k) { bytes, type, bigEndian in
                    #expect(type == image.pixelType && bigEndian == StoredFrames.hostIsBigEndian)
                    return type.decode(bytes, count: 1, bigEndian: bigEndian)[0]
                }
                #expect(first == image.frames[k][0])
            }
        }
        for name in ["edf_float32.edf", "tiff_float64_zlib.tif"] {
            guard case .image = try DetectorImages.open(SharedData.fixture("images/" + name), storedPixels: true) else {
                Issue.record("\(name): a float image is kept as doubles"); continue
            }
        }
    }
}
