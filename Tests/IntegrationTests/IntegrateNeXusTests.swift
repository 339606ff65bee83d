import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats
@testable import Integration

/// `roentgen integrate STACK -o OUT.h5` on the real gzip-chunked Lambda NeXus stack (10 frames of 516 × 1554 int16):
/// one NeXus file, NXdata `intensity` (frames × npt) with `intensity_errors` (σ) and the `2th` axis in degrees, read
/// back with Roentgen's HDF5 reader and (where installed) h5py, frame by frame equal to integrating each frame
/// directly. The Lambda module has no calibrated geometry (MANIFEST: a reader test), so the test writes a nominal PONI
/// (55 µm pixels, 0.2 m, PONI inside the module, λ 1 Å); what is checked is the stack output, not the physics.
@Suite struct IntegrateNeXusTests {
    static let poni = LambdaGeometry.poni

    @Test func stackToNeXus() async throws {
        guard let stack = SharedData.url("images/lambda_testasapo1_1009_00002_m1_part00000.nxs") else { print(SharedData.missing("images")); return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-nexus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let poniURL = folder.appendingPathComponent("lambda.poni"), out = folder.appendingPathComponent("patterns.h5")
        try Self.poni.write(to: poniURL, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["integrate", stack.path, "--poni", poniURL.path, "--npt", "200", "--method", "bbox",
                                     "--dataset", "/entry/instrument/detector/data", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("10 patterns"))

        // The same frames integrated here, one by one.
        let geometry = try PONIGeometry.parse(Self.poni, file: "lambda.poni")
        let source = try DetectorImages.open(stack, dataset: "/entry/instrument/detector/data")
        #expect(source.frameCount == 10)
        var o = IntegrationOptions()
        o.npt = 200
        o.splitting = .bbox
        o.threads = 1   // the CLI integrates each frame of a stack on one thread: the same order of summation
        let first = try source.frame(0)
        let mask = first.map { $0 < 0 }   // int16: negative pixels masked, as the CLI does
        let integrator = try AzimuthalIntegrator(geometry: geometry, rows: 516, columns: 1554, mask: mask, options: o)
        let expected = try (0..<10).map { try integrator.integrate(source.frame($0), validity: .init(maskNegative: true)) }
        #expect(expected[3].intensity.contains { $0 > 0 })

        // Roentgen's HDF5 reader: one diffraction scan per frame (2θ axis, intensity, σ as esd).
        let file = try FormatRegistry.read(out)
        let scans = file.scans.filter { $0.name.hasPrefix("entry/data[") }
        #expect(scans.count == 10)
        for (k, scan) in scans.enumerated() {
            let twoTheta = try #require(scan.columns["two_theta"]), intensity = try #require(scan.columns["intensity"])
            #expect(twoTheta.count == 200)
            #expect(zip(twoTheta, expected[k].radial).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
            #expect(intensity == expected[k].intensity, "frame \(k)")
            #expect(scan.columns["esd"] == expected[k].sigma, "frame \(k) sigma")
        }
        // Raw structure through HDF5File: shapes, the NXdata attributes and units.
        let bytes = try Data(contentsOf: out)
        try bytes.withUnsafeBytes { raw in
            let h5 = try HDF5File(raw, file: out.path)
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(h5, warnings: &warnings)
            let data = try #require(tree.first { $0.path == "/entry/data" })
            #expect(data.nxClass == "NXdata" && data.attribute("signal")?.text == "intensity")
            #expect(data.attribute("axes")?.text.contains("2th") == true)
            let intensity = try #require(tree.first { $0.path == "/entry/data/intensity" }?.dataset)
            #expect(intensity.space.dims == [10, 200])
            let errors = try #require(tree.first { $0.path == "/entry/data/intensity_errors" }?.dataset)
            #expect(errors.space.dims == [10, 200])
            #expect(tree.first { $0.path == "/entry/data/2th" }?.attribute("units")?.text == "degree")
        }

        // h5py, where installed, reads the same numbers and attributes.
        let script = """
        import sys, json, h5py, numpy as np
        f = h5py.File(sys.argv[1], 'r')
        d = f['entry/data']
        def s(v): return v.decode() if isinstance(v, bytes) else str(v)
        print(json.dumps({'shape': list(d['intensity'].shape), 'errors_shape': list(d['intensity_errors'].shape),
          'signal': s(d.attrs['signal']), 'axes': [s(a) for a in d.attrs['axes']], 'units': s(d['2th'].attrs['units']),
          'nx': s(d.attrs['NX_class']), 'default': s(f.attrs['default']), 'i3': d['intensity'][3].tolist(),
          'e3': d['intensity_errors'][3].tolist(), 'radial': d['2th'][()].tolist(), 'frames': d['frame'][()].tolist(),
          'method': s(f['entry/process/method'][()])}))
        """
        let run = Self.python(["-c", script, out.path])
        guard run.status == 0, let line = run.output.split(separator: "\n").last,
              let h5py = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            print("python3 with h5py not available (\(run.output.suffix(200))): skipping the h5py read-back"); return
        }
        #expect(h5py["shape"] as? [Int] == [10, 200] && h5py["errors_shape"] as? [Int] == [10, 200])
        #expect(h5py["signal"] as? String == "intensity" && h5py["axes"] as? [String] == ["frame", "2th"])
        #expect(h5py["units"] as? String == "degree" && h5py["nx"] as? String == "NXdata" && h5py["default"] as? String == "entry")
        #expect(h5py["frames"] as? [Int] == Array(0..<10))
        #expect(h5py["method"] as? String == "bbox split, CSR")
        let i3 = try #require(h5py["i3"] as? [Double]), e3 = try #require(h5py["e3"] as? [Double]), radial = try #require(h5py["radial"] as? [Double])
        // JSON through JSONSerialization may round the last digit: compare to 1e-12 relative.
        func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($1), 1e-300) } }
        #expect(same(i3, expected[3].intensity) && same(e3, expected[3].sigma) && same(radial, expected[3].radial))
    }

    /// `--frames` on the Lambda stack: one frame, a range and an open range give the lines of the
    /// whole stack's run for those frames, byte for byte (the frames share their gap pixels, so the
    /// first selected frame's static mask is frame 0's; one thread, since a single frame is otherwise
    /// split over threads and its σ sums in another order, ~3e-15 apart); a selection past the end fails
    /// naming the file.
    @Test func framesSelected() async throws {
        guard let stack = SharedData.url("images/lambda_testasapo1_1009_00002_m1_part00000.nxs") else { print(SharedData.missing("images")); return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-frames-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let poniURL = folder.appendingPathComponent("lambda.poni")
        try Self.poni.write(to: poniURL, atomically: true, encoding: .utf8)
        let base = ["integrate", stack.path, "--poni", poniURL.path, "--npt", "200", "--method", "bbox", "--threads", "1", "--json"]
        let all = try await RoentgenCLI.run(base)
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        for (spec, frames) in [("3", [3]), ("2:5", [2, 3, 4]), ("8:", [8, 9]), (":1", [0])] {
            let r = try await RoentgenCLI.run(base + ["--frames", spec])
            #expect(r.status == 0, "\(spec): \(r.stderr)")
            #expect(r.stdout.split(separator: "\n").map(String.init) == frames.map { lines[$0] }, "--frames \(spec)")
        }
        let past = try await RoentgenCLI.run(base + ["--frames", "10"])
        #expect(past.status != 0 && past.stderr.contains("--frames selects frame 10; the image has 10 frames") && past.stderr.contains("lambda_testasapo1"), "\(past.stderr)")
        let malformed = try await RoentgenCLI.run(base + ["--frames", "5:2"])
        #expect(malformed.status != 0 && malformed.stderr.contains("--frames '5:2'"), "\(malformed.stderr)")
    }

    /// A contiguous stack (read in place from the mapped file, its frames read ahead on a thread of
    /// their own) longer than the read-ahead window: every frame's pattern equals integrating that
    /// frame directly, in order, with one and with two threads. The stack is written here with
    /// Roentgen's HDF5 writer: 150 float32 frames of 40 × 50, frame k = (k + 1) × a ring pattern.
    @Test func contiguousStackReadAhead() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-readahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = 40, columns = 50, frames = 150
        let poni = Self.poni.replacingOccurrences(of: "[516, 1554]", with: "[\(rows), \(columns)]")
            .replacingOccurrences(of: "Poni1: 0.0142", with: "Poni1: 0.0011").replacingOccurrences(of: "Poni2: 0.0427", with: "Poni2: 0.0013")
        let poniURL = folder.appendingPathComponent("small.poni"), stackURL = folder.appendingPathComponent("stack.h5")
        try poni.write(to: poniURL, atomically: true, encoding: .utf8)
        var base = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows { for c in 0..<columns {
            let d = (Double(r - 20) * Double(r - 20) + Double(c - 24) * Double(c - 24)).squareRoot()
            base[r * columns + c] = Float(10 + 100 * exp(-(d - 12) * (d - 12) / 4) + Double((r * 7 + c * 3) % 5))
        } }
        var values: [Float] = []
        values.reserveCapacity(frames * base.count)
        for k in 0..<frames { values += base.map { $0 * Float(k + 1) } }
        var writer = HDF5Writer()
        try writer.createGroup("/entry")
        try writer.createDataset("/entry/frames", .float32(values), shape: [frames, rows, columns])
        try writer.data().write(to: stackURL)

        let geometry = try PONIGeometry.parse(poni, file: "small.poni")
        var o = IntegrationOptions()
        o.npt = 30
        o.threads = 1
        let integrator = try AzimuthalIntegrator(geometry: geometry, rows: rows, columns: columns,
                                                 mask: [Bool](repeating: false, count: rows * columns), options: o)
        let source = try DetectorImages.open(stackURL)
        #expect(source.frameCount == frames)
        let expected = try (0..<frames).map { try integrator.integrate(source.frame($0)) }
        #expect(expected[149].intensity.contains { $0 > 0 })
        for threads in ["1", "2"] {
            let out = folder.appendingPathComponent("patterns\(threads).h5")
            let r = try await RoentgenCLI.run(["integrate", stackURL.path, "--poni", poniURL.path, "--npt", "30", "--threads", threads, "-o", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("\(frames) patterns"))
            let scans = try FormatRegistry.read(out).scans.filter { $0.name.hasPrefix("entry/data[") }
            #expect(scans.count == frames)
            for (k, scan) in scans.enumerated() {
                #expect(scan.columns["intensity"] == expected[k].intensity, "frame \(k), \(threads) threads")
            }
        }
    }

    /// `python3 args…` (its output and status); -1 when there is none.
    static func python(_ args: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A stack holds one set of bins: a pattern with other bins, or no pattern at all, is refused.
    @Test func otherBinsRefused() throws {
        var stack = IntegratedStackNeXus(radialName: "2th", radialUnits: "degree", radialLabel: "2th_deg", radial: [1, 2, 3])
        try stack.append(intensity: [1, 2, 3], sigma: [], radial: [1, 2, 3], azimuthal: [], frame: 0, maskedPixels: 0, source: "a.tif")
        #expect(throws: RoentgenError.self) {
            try stack.append(intensity: [1, 2], sigma: [], radial: [1, 2], azimuthal: [], frame: 0, maskedPixels: 0, source: "b.tif")
        }
        #expect(throws: RoentgenError.self) {
            try stack.append(intensity: [1, 2, 3], sigma: [0.1, 0.1, 0.1], radial: [1, 2, 3], azimuthal: [], frame: 1, maskedPixels: 0, source: "a.tif")
        }
        #expect(throws: RoentgenError.self) {
            try IntegratedStackNeXus(radialName: "2th", radialUnits: "degree", radialLabel: "2th_deg", radial: [1]).data()
        }
        #expect(try stack.data().count > 0)
    }
}
