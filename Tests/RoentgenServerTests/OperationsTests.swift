import Foundation
import OrderedCollections
import RoentgenOperations
import RoentgenServer
import Testing
import XrayCore
import XrayFormats

/// The pieces under the API, in process: request decoding, decimation, the workspace sandbox.
@Suite struct OperationsTests {
    @Test func requestBodiesTakeTheCLIDefaultsAndRefuseUnknownKeys() throws {
        let r = try XASOperations.AnalyzeRequest.decode(Data(#"{"file": "a.xdi", "bkg_kweight": 2, "e0": 7112.5}"#.utf8))
        #expect(r.file == "a.xdi" && r.bkgKweight == 2 && r.e0 == 7112.5)
        #expect(r.rbkg == 1 && r.kweight == 2 && r.window == "kaiser" && r.kmax == 20 && r.pre1 == nil)
        #expect(throws: RoentgenError.self) { try XASOperations.AnalyzeRequest.decode(Data(#"{"file": "a", "rbgk": 1}"#.utf8)) }
        #expect(throws: RoentgenError.self) { try XASOperations.AnalyzeRequest.decode(Data(#"{"file": "a", "rbkg": "1"}"#.utf8)) }
        #expect(throws: RoentgenError.self) { try XASOperations.AnalyzeRequest.decode(Data("[1, 2]".utf8)) }
        let schema = XASOperations.LCFRequest.schema
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == ["target", "standards", "space", "range", "sum_to_one", "fit_shifts", "kweight", "combinations", "mu"])
        #expect(schema["required"] as? [String] == ["target"])
    }

    /// `POST /api/integrate` takes sigma clipping as the CLI does (`sigma_clip`, `clip_iterations`).
    @Test func integrateRequestTakesSigmaClipping() throws {
        let r = try IntegrateOperations.Request.decode(Data(#"{"images": ["a.edf"], "poni": "a.poni", "sigma_clip": 4, "clip_iterations": 2}"#.utf8))
        #expect(r.sigmaClip == 4 && r.clipIterations == 2)
        #expect(IntegrateOperations.Request.defaults.sigmaClip == nil && IntegrateOperations.Request.defaults.clipIterations == 5)
    }

    /// `POST /api/integrate` takes monitor normalisation and pyFAI's delta_dummy as the CLI does.
    @Test func integrateRequestTakesNormalization() throws {
        let r = try IntegrateOperations.Request.decode(Data(#"{"images": ["a.edf"], "poni": "a.poni", "monitor_name": "counter/i1", "normalization_factor": 2.5, "dummy": 0, "delta_dummy": 1.5}"#.utf8))
        #expect(r.monitorName == "counter/i1" && r.normalizationFactor == 2.5 && r.dummy == 0 && r.deltaDummy == 1.5)
        let d = IntegrateOperations.Request.defaults
        #expect(d.monitorName == nil && d.normalizationFactor == nil && d.deltaDummy == nil)
    }

    /// `POST /api/integrate` takes the parallax sensor as the CLI's `--sensor` (`sensor`).
    @Test func integrateRequestTakesTheSensor() throws {
        let r = try IntegrateOperations.Request.decode(Data(#"{"images": ["a.edf"], "poni": "a.poni", "sensor": "CdTe,1mm"}"#.utf8))
        #expect(r.sensor == "CdTe,1mm" && IntegrateOperations.Request.defaults.sensor == nil)
    }

    /// … and the detector as `--detector` (`detector`).
    @Test func integrateRequestTakesTheDetector() throws {
        let r = try IntegrateOperations.Request.decode(Data(#"{"images": ["a.edf"], "poni": "a.poni", "detector": "MAR165"}"#.utf8))
        #expect(r.detector == "MAR165" && IntegrateOperations.Request.defaults.detector == nil)
    }

    /// … and the frames of a stack as `--frames` (`frames`), checked before any work.
    @Test func integrateRequestTakesFrames() throws {
        let r = try IntegrateOperations.Request.decode(Data(#"{"images": ["a.h5"], "poni": "a.poni", "frames": "100:200"}"#.utf8))
        #expect(r.frames == "100:200" && IntegrateOperations.Request.defaults.frames == nil)
        #expect(try FrameSelection("100:200").frames(of: 150, file: "a.h5") == 100..<150)
        #expect(try FrameSelection("7").frames(of: 10, file: "a.h5") == 7..<8)
        #expect(try FrameSelection(":3").frames(of: 10, file: "a.h5") == 0..<3 && FrameSelection("4:").frames(of: 10, file: "a.h5") == 4..<10)
        for bad in ["", "x", "-1", "5:2", "3:3", "1:2:3", "a:b"] {
            #expect(throws: RoentgenError.self, "\(bad)") { try FrameSelection(bad) }
        }
        #expect { try FrameSelection("12").frames(of: 10, file: "a.h5") } throws: { ($0 as? RoentgenError)?.message.contains("frame 12; the image has 10 frames") == true }
        #expect { try FrameSelection("12:").frames(of: 10, file: "a.h5") } throws: { ($0 as? RoentgenError)?.file == "a.h5" }
    }

    /// `POST /api/calibrate` takes a stack's frame as `--frame` (`frame`) and the write flags (`output`, `overwrite`).
    @Test func calibrateRequestTakesFrameAndOutput() throws {
        let r = try CalibrateOperations.Request.decode(Data(#"{"image": "a.h5", "calibrant": "AgBh", "frame": 3, "output": "a.poni", "overwrite": true}"#.utf8))
        #expect(r.frame == 3 && r.output == "a.poni" && r.overwrite && CalibrateOperations.Request.defaults.frame == 0 && !CalibrateOperations.Request.defaults.overwrite)
    }

    @Test func decimationKeepsEachRunsExtremesWithinThePointBudget() throws {
        let n = 100_000
        let x = (0..<n).map { Double($0) * 0.001 }
        var y = x.map { sin($0) }
        y[54_321] = 50          // a one-point spike
        y[12_345] = -40
        y[777] = .nan
        let scan = Scan(name: "s", kind: .diffraction, columns: OrderedDictionary(uniqueKeysWithValues: [("two_theta", x), ("intensity", y), ("other", x.map { -$0 })]), units: [:])
        let file = DataFile(format: "test", file: "t", scans: [scan])
        let d = try ReadOperation.decimated(file, points: 1000, columns: ["intensity"])
        let out = try #require(d.scans.first)
        #expect(Array(out.columns.keys) == ["two_theta", "intensity"])
        let xs = try #require(out.columns["two_theta"]), ys = try #require(out.columns["intensity"])
        #expect(xs.count <= 1000 && xs.count > 500)
        #expect(ys.contains(50) && ys.contains(-40))
        #expect(xs.first == 0 && zip(xs, xs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(throws: RoentgenError.self) { try ReadOperation.decimated(file, points: 1000, columns: ["nope"]) }
        #expect(throws: RoentgenError.self) { try ReadOperation.decimated(file, points: 2) }
    }

    @Test func workspacePathsStayInsideTheRoot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("x".utf8).write(to: root.appendingPathComponent("a/b/f.txt"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("out").path, withDestinationPath: "/tmp")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("in").path, withDestinationPath: "a/b")
        let ws = try Workspace(root: root)
        #expect(try ws.resolve("a/./b/f.txt") == "a/b/f.txt")
        #expect(try ws.resolve("in/f.txt") == "in/f.txt")
        #expect(try ws.resolve("") == ".")
        #expect(try ws.resolveWithGroup("a/b/f.txt:group1") == "a/b/f.txt:group1")
        for bad in ["../x", "a/../../x", "/etc/passwd", "out", "out/x", "a/b/f.txt\0.xdi", "~/x"] {
            #expect(throws: (any Error).self, "\(bad)") { try ws.resolve(bad) }
        }
        #expect(throws: RoentgenError.self) { try ws.resolve("a/missing.xdi") }
    }
}

/// The server's cache of parsed files: a hit while the file is unchanged, a fresh read once it changes.
@Suite struct ParsedFileCacheTests {
    @Test func rereadsAChangedFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.dat")
        try "# energy mu\n7100 0.1\n7110 0.5\n7120 1.0\n7130 1.1\n".write(to: url, atomically: false, encoding: .utf8)
        let cache = ParsedFileCache()
        cache.enabled = true
        let first = try cache.read(url)
        #expect(first.file.scans.first?.columns["mu"] == [0.1, 0.5, 1.0, 1.1])
        #expect(try cache.read(url).sha256 == first.sha256)
        // Same size, new content: the modification time (ns) or the inode tells.
        try "# energy mu\n7100 0.2\n7110 0.6\n7120 1.0\n7130 1.1\n".write(to: url, atomically: true, encoding: .utf8)
        let second = try cache.read(url)
        #expect(second.file.scans.first?.columns["mu"] == [0.2, 0.6, 1.0, 1.1])
        #expect(second.sha256 != first.sha256)
    }
}
