import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// `integrate --monitor-name`, `--normalization-factor` and `--delta-dummy` against pyFAI 2026.9
/// (Tests/Fixtures/images/make_normalization_reference.py): monitors from an EDF header's SPEC counters and a
/// NeXus NXmonitor, pyFAI's `delta_dummy`, a flat whose value is the dummy, and a dummy compared in float32. Then
/// per-frame monitors of stacks (EDF frames with their own headers, an HDF5 vector), and the refusals.
@Suite struct NormalizationTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String; var image: String; var poni: String; var unit: String; var npt: Int; var method: String
            var arguments: [String]; var normalization_factor: Double?
            var radial: [Double]; var intensity: [Double?]; var sigma: [Double?]
        }
        var cases: [Case]
    }

    static func fixture(_ name: String) throws -> Fixture.Case {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_normalization.json")))
        return try #require(fixture.cases.first { $0.name == name })
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-normalization-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An EDF file of float32 frames (ESRF "FloatValue", little-endian), each with its own extra header lines.
    static func writeEDF(_ frames: [[Float]], headers: [[(String, String)]] = [], rows: Int, columns: Int, to url: URL) throws {
        try EDFWriter.data(frames.map { $0.map(Double.init) }, rows: rows, columns: columns, type: .float32, headers: headers).write(to: url)
    }

    /// `roentgen integrate --json` of one image; the decoded object.
    static func integrate(_ args: [String]) async throws -> [String: Any] {
        let r = try await RoentgenCLI.run(["integrate"] + args + ["--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static func check(_ c: Fixture.Case, _ object: [String: Any]) throws {
        let (radial, intensity, sigma) = try patternArrays(object)
        let off = valuesOff(radial: radial, intensity: intensity, sigma: sigma,
                            expectedRadial: c.radial, expectedIntensity: c.intensity, expectedSigma: c.sigma)
        #expect(off == 0, "\(c.name): \(off) values more than 1e-4 from pyFAI")
        #expect(intensity.contains { $0 > 0 })
    }

    /// The files' own monitors and pyFAI's delta_dummy, on the shared images as they are.
    @Test(arguments: ["edf_counter_monitor", "nexus_monitor_times_factor", "cbf_delta_dummy"])
    func matchesPyFAI(_ name: String) async throws {
        let c = try Self.fixture(name)
        guard let image = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let object = try await Self.integrate([image.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit, "--method", c.method] + c.arguments)
        try Self.check(c, object)
        if let factor = c.normalization_factor {
            let written = try #require(object["normalization_factor"] as? Double)
            #expect(abs(written / factor - 1) < 1e-12, "\(written) against pyFAI's \(factor)")
            #expect(object["monitor_name"] as? String == c.arguments[1])
        } else {
            #expect(object["normalization_factor"] == nil && object["monitor"] == nil)
        }
    }

    /// pyFAI leaves out the pixels whose flat is (within delta of) the dummy, not those whose dark is.
    @Test func flatEqualToDummy() async throws {
        let c = try Self.fixture("flat_equal_to_dummy")
        guard let imageURL = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let image = try DetectorImages.read(imageURL)
        let rows = image.rows, columns = image.columns
        var dark = [Float](repeating: 0, count: rows * columns), flat = [Float](repeating: 1, count: rows * columns)
        for r in 450..<470 { for col in 300..<340 { dark[r * columns + col] = 7 } }
        for r in 200..<230 { for col in 500..<520 { flat[r * columns + col] = 7 } }
        for r in 700..<710 { for col in 600..<610 { flat[r * columns + col] = 8.5 } }
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let darkURL = folder.appendingPathComponent("dark.edf"), flatURL = folder.appendingPathComponent("flat.edf")
        try Self.writeEDF([dark], rows: rows, columns: columns, to: darkURL)
        try Self.writeEDF([flat], rows: rows, columns: columns, to: flatURL)
        let object = try await Self.integrate([imageURL.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit, "--method", c.method,
                                               "--dark", darkURL.path, "--flat", flatURL.path] + c.arguments)
        try Self.check(c, object)
    }

    /// A float32 frame's 10.1000003815 is pyFAI's dummy 10.1 (float32), though not in double.
    @Test func dummyComparedInFloat32() async throws {
        let c = try Self.fixture("float32_dummy")
        guard let imageURL = SharedData.url(c.image), let poni = SharedData.url(c.poni) else { print(SharedData.missing(c.image)); return }
        let image = try DetectorImages.read(imageURL)
        #expect(image.pixelType == .float32)
        let shifted = image.frames[0].map { Float($0) + Float(0.1) }
        #expect(shifted.filter { $0 == Float(10.1) }.count == 32689 && Double(Float(10.1)) != 10.1)
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("shifted.edf")
        try Self.writeEDF([shifted], rows: image.rows, columns: image.columns, to: url)
        let object = try await Self.integrate([url.path, "--poni", poni.path, "--npt", "\(c.npt)", "--unit", c.unit, "--method", c.method] + c.arguments)
        try Self.check(c, object)
    }

    /// Per-frame monitors: a three-frame EDF whose frames carry their own counters, and an HDF5 stack with a
    /// monitor vector. Each frame's pattern is the unnormalised one divided by its frame's monitor.
    @Test func perFrameMonitors() async throws {
        guard let imageURL = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let image = try DetectorImages.read(imageURL)
        // A crop of the AgBh frame (rows 300-499, columns 250-549) keeps the runs short; its PONI still applies.
        let rows = 200, columns = 300
        var crop: [Double] = []
        for r in 300..<500 { for col in 250..<550 { crop.append(image.frames[0][r * image.columns + col]) } }
        let monitors = [2.0, 4.0, 0.5]
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let edf = folder.appendingPathComponent("frames.edf")
        try Self.writeEDF([crop.map { Float($0) }, crop.map { Float($0) }, crop.map { Float($0) }],
                          headers: monitors.map { [("counter_mne", "sec mon i0"), ("counter_pos", "20 \($0) 99")] }, rows: rows, columns: columns, to: edf)
        #expect(try DetectorImages.read(edf).frameHeaders.map { $0["counter_pos"] } == ["20 2.0 99", "20 4.0 99", "20 0.5 99"])
        var writer = HDF5Writer()
        try writer.createGroup("/entry")
        try writer.createDataset("/entry/data", .int64((0..<3).flatMap { _ in crop.map { Int64($0) } }), shape: [3, rows, columns])
        try writer.createGroup("/entry/monitor")
        try writer.createDataset("/entry/monitor/data", .float64(monitors))
        try writer.createDataset("/entry/monitor/short", .float64([1, 2]))
        try writer.createDataset("/entry/monitor/zero", .float64([1, 0, 1]))
        try writer.createDataset("/entry/monitor/table", .float64([1, 2, 3]), shape: [3, 1])
        try writer.createDataset("/entry/monitor/mode", .string("timer"))
        let h5 = folder.appendingPathComponent("frames.h5")
        try writer.data().write(to: h5)

        for (stack, name) in [(edf, "counter/mon"), (h5, "/entry/monitor/data")] {
            let args = [stack.path, "--poni", poni.path, "--npt", "200", "--method", "bbox", "--json"]
            let plain = try await RoentgenCLI.run(["integrate"] + args)
            let scaled = try await RoentgenCLI.run(["integrate"] + args + ["--monitor-name", name, "--normalization-factor", "3"])
            #expect(plain.status == 0 && scaled.status == 0, "\(plain.stderr) \(scaled.stderr)")
            let p = plain.stdout.split(separator: "\n"), s = scaled.stdout.split(separator: "\n")
            #expect(p.count == 3 && s.count == 3)
            for k in 0..<min(3, p.count, s.count) {
                let a = try #require(try JSONSerialization.jsonObject(with: Data(p[k].utf8)) as? [String: Any])
                let b = try #require(try JSONSerialization.jsonObject(with: Data(s[k].utf8)) as? [String: Any])
                let ia = try #require(a["intensity"] as? [Double]), ib = try #require(b["intensity"] as? [Double])
                let sa = try #require(a["sigma"] as? [Double]), sb = try #require(b["sigma"] as? [Double])
                let factor = 3 * monitors[k]
                #expect(b["monitor"] as? Double == monitors[k] && b["normalization_factor"] as? Double == factor)
                #expect(ia.count == 200 && ia.contains { $0 > 100 })
                let worst = zip(ia, ib).map { abs($0 / factor - $1) / max(abs($1), 1e-300) }.max() ?? 1
                let worstSigma = zip(sa, sb).map { abs($0 / factor - $1) / max(abs($1), 1e-300) }.max() ?? 1
                #expect(worst < 1e-14 && worstSigma < 1e-14, "\(stack.lastPathComponent) frame \(k): \(worst), \(worstSigma)")
            }
        }
        // The per-frame factors land in a NeXus output beside the patterns.
        let out = folder.appendingPathComponent("patterns.h5")
        let written = try await RoentgenCLI.run(["integrate", h5.path, "--poni", poni.path, "--npt", "50", "--monitor-name", "/entry/monitor/data", "-o", out.path])
        #expect(written.status == 0, "\(written.stderr)")
        let patterns = try HDF5ImageStack(data: Data(contentsOf: out), file: out.path, dataset: "/entry/data/intensity")
        #expect(patterns.frameCount == 1 && patterns.rows == 3 && patterns.columns == 50)
        let factors = try patterns.numericDataset("/entry/data/normalization_factor", purpose: "test")
        #expect(factors.values == monitors && factors.dims == [3])

        // Monitors that cannot be used: named, with the file, before any pattern is written.
        for (name, said) in [("/entry/monitor/short", "holds 2 values, too few for frame 2"), ("/entry/monitor/zero", "is 0.0 in frame 1"),
                             ("/entry/monitor", "is a group, not a dataset"), ("/entry/monitor/nothing", "no object '/entry/monitor/nothing'"),
                             ("/entry/monitor/table", "shape [3, 1]"), ("/entry/monitor/mode", "not numeric"),
                             ("/entry/data", "shape [3, 200, 300]")] {
            let r = try await RoentgenCLI.run(["integrate", h5.path, "--poni", poni.path, "--monitor-name", name, "--json"])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(said) && r.stderr.contains("frames.h5"), "\(name): \(r.stderr)")
        }
    }

    @Test func refusals() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        for (extra, said) in [(["--monitor-name", "counter/mon"], "'counter/mon' is 0.0 in frame 0"),   // the file's own 'mon' reads 0
                              (["--monitor-name", "counter/bmon"], "'bmon' is not among counter_mne (sec mon i2 p1M i1 photo p300k)"),
                              (["--monitor-name", "flux"], "no header key 'flux'"),
                              (["--monitor-name", "title"], "'title' is 'CCD Image', not a number"),
                              (["--monitor-name", "scaler/mon"], "no header key 'scaler_mne'"),
                              (["--normalization-factor", "0"], "--normalization-factor 0.0: a finite positive number"),
                              (["--normalization-factor=-2"], "--normalization-factor -2.0"),
                              (["--delta-dummy", "1"], "--delta-dummy 1.0 without --dummy"),
                              (["--dummy", "0", "--delta-dummy=-1"], "--delta-dummy -1.0: a finite number ≥ 0")] {
            let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--json"] + extra)
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(said), "\(extra): \(r.stderr)")
        }
        // The Lambda stack's per-frame error codes are all 0: no monitor.
        if let lambda = SharedData.url("images/lambda_testasapo1_1009_00002_m1_part00000.nxs") {
            let r = try await RoentgenCLI.run(["integrate", lambda.path, "--poni", poni.path, "--monitor-name", "/entry/instrument/detector/collection/error_code"])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains("is 0.0 in frame 0"), "\(r.stderr)")
        }
    }

    /// A Pilatus header's values (a CBF keeps them as one text, a TIFF as keys): the protein frame divided by its
    /// exposure time (0.395 s) or flux (39.516 ph/s), and the CeO2 TIFF by its exposure time (3 s).
    @Test func pilatusHeaderMonitors() async throws {
        for (file, poniFile, name, value) in [("images/run2_1_00148.cbf", "images/derived_poni/run2_1_00148_header.poni", "Exposure_time", 0.395),
                                              ("images/run2_1_00148.cbf", "images/derived_poni/run2_1_00148_header.poni", "Flux", 39.516),
                                              ("images/CeO2_Pilatus1M.tif", "images/CeO2_Pilatus1M.poni", "Exposure_time", 3.0)] {
            guard let image = SharedData.url(file), let poni = SharedData.url(poniFile) else { continue }
            let args = [image.path, "--poni", poni.path, "--npt", "100"]
            let plain = try await Self.integrate(args)
            let scaled = try await Self.integrate(args + ["--monitor-name", name])
            #expect(scaled["monitor"] as? Double == value && scaled["monitor_name"] as? String == name, "\(file) \(name): \(scaled["monitor"] ?? "none")")
            let a = try #require(plain["intensity"] as? [Double]), b = try #require(scaled["intensity"] as? [Double])
            #expect(a.count == 100 && zip(a, b).allSatisfy { abs($0 / value - $1) <= 1e-14 * abs($1) })
        }
    }

    /// The text output names the factor and the monitor in its header, as pyFAI writes "Normalization factor".
    @Test func header() async throws {
        guard let image = SharedData.url("images/Pilatus1M.edf"), let poni = SharedData.url("images/Pilatus1M.poni") else { return }
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "50", "--monitor-name", "count_time"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("# Normalization factor: 20.0\n# Monitor: count_time = 20.0\n"), "\(r.stdout.prefix(900))")
    }
}
