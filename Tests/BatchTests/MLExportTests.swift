import Foundation
import TestSupport
import Testing
import XrayCore
@testable import Batch
@testable import XrayFormats

/// Reads one `.npy` member of an `.npz` written here: header dict and raw bytes.
func npyMember(_ npz: Data, _ name: String) throws -> (descr: String, shape: [Int], body: Data) {
    let zip = try PatternZip(npz, file: "dataset.npz")
    let bytes = Data(try zip.bytes(name + ".npy"))
    #expect(bytes.prefix(8) == Data([0x93] + Array("NUMPY".utf8) + [1, 0]))
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
    let descr = try #require(header.split(separator: "'").dropFirst(3).first.map(String.init))
    let shapeText = try #require(header.range(of: "'shape': (").map { header[$0.upperBound...].prefix { $0 != ")" } })
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    return (descr, shape, bytes.subdata(in: (10 + headerLength)..<bytes.count))
}

func floats(_ data: Data) -> [Float] { data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }

@Suite struct MLExportTests {
    func options(_ grid: String = "5:90:0.02") throws -> MLExportOptions {
        var o = MLExportOptions(grid: try MLGrid.parse(grid))
        o.split = try MLSplit.parse("80/10/10", seed: 7)
        return o
    }

    @Test func gridAndSplitParsing() throws {
        let g = try MLGrid.parse("5:90:0.02")
        #expect(g.count == 4251 && g.values.last.map { abs($0 - 90) < 1e-9 } == true)
        #expect(throws: RoentgenError.self) { try MLGrid.parse("90:5:0.02") }
        #expect(throws: RoentgenError.self) { try MLGrid.parse("5:90") }
        #expect(throws: RoentgenError.self) { try MLSplit.parse("80/10/5", seed: 0) }
        // u = int(sha256("7/bruker_raw/BT86.raw")[:16], 16) / 2^64 = 0.0948 (Python hashlib): train;
        // "7/json/xrdpattern_aimat.json" 0.303: train; "0/a" 0.825: validation for 80/10/10.
        let split = try MLSplit.parse("80/10/10", seed: 7)
        #expect(split.index(of: "bruker_raw/BT86.raw") == 0)
        #expect(try MLSplit.parse("5/5/90", seed: 7).index(of: "bruker_raw/BT86.raw") == 1)   // 0.0948 in 0.05…0.10
        #expect(try MLSplit.parse("10/20/70", seed: 7).index(of: "json/xrdpattern_aimat.json") == 2)   // 0.303 ≥ 0.30
        #expect(try MLSplit.parse("80/10/10", seed: 0).index(of: "a") == 1)
    }

    /// The xrdpattern JSON on the grid: linear interpolation of the file's own points, maximum 1;
    /// on a Q grid, the strongest peak at Q = 4π sin θ / λ of its 2θ.
    /// `export ml` refuses grids it cannot fill, naming --grid, before reading anything: a step that leaves
    /// one point (10:80:1e308 gave a 1-column dataset), 2θ outside 0…180°, negative Q with --q (all taken before).
    @Test func exportRefusesGridsOutsideTheirAxis() async throws {
        let names = ["LaB6_Jan2018.raw", "BT86.raw", "Cu3Au-1.raw"]
        let files = names.compactMap { SharedData.url("xrd/bruker_raw/" + $0)?.path }
        guard files.count == 3 else { print(SharedData.missing("xrd/bruker_raw")); return }
        let folder = temporaryFolder("ml-grid")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (args, said) in [(["--grid=10:80:1e308"], "--grid 10.0:80.0:1e+308 has 1 point"), (["--grid=-10:200:0.02"], "2θ must lie within 0…180°"),
                             (["--q", "--grid=-5:30:0.01"], "--grid -5.0:30.0:0.01 with --q: Q must be ≥ 0"),
                             (["--grid=10:80:0.05", "--doi", "not a doi"], "--doi 'not a doi' is not a DOI")] {
            let out = folder.appendingPathComponent("set")
            let r = try await RoentgenCLI.run(["export", "ml"] + files + args + ["-o", out.path])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(said), "\(args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(args): a dataset was written")
        }
        let ok = try await RoentgenCLI.run(["export", "ml"] + files + ["--grid=10:80:0.05", "-o", folder.appendingPathComponent("ok").path])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func resamplingFollowsTheFile() throws {
        guard let url = SharedData.url("xrd/json/xrdpattern_aimat.json") else { print(SharedData.missing("xrd/json")); return }
        let pattern = try #require(try FormatRegistry.read(url).scans.first?.diffractionPattern)
        #expect(pattern.radiation?.kAlpha1 == 1.5406)
        var o = try options("37.5:40:0.01")
        o.wavelength = 1.5406
        let r = try MLResampling.resample(pattern, options: o, source: url.path)
        let peak = pattern.intensity.max()!
        // Linear interpolation between the file's points, written out here, then scaled to maximum 1.
        let interpolated = try o.grid.values.map { x -> Double in
            let j = try #require(pattern.twoTheta.lastIndex { $0 <= x })
            let t = (x - pattern.twoTheta[j]) / (pattern.twoTheta[j + 1] - pattern.twoTheta[j])
            return pattern.intensity[j] + t * (pattern.intensity[j + 1] - pattern.intensity[j])
        }
        let top = interpolated.max()!
        for k in interpolated.indices {
            #expect(abs(Double(r.values[k]) - interpolated[k] / top) <= 1e-6, "2θ \(o.grid.values[k])")
        }
        #expect(r.coverage == 1)
        // Q grid: the strongest point moves to 4π sin(θ)/λ.
        var q = try options("0.5:7.5:0.001")
        q.axis = .q
        let rq = try MLResampling.resample(pattern, options: q, source: url.path)
        let kq = rq.values.indices.max { rq.values[$0] < rq.values[$1] }!
        let tthPeak = pattern.twoTheta[pattern.intensity.firstIndex(of: peak)!]
        let qPeak = 4 * Double.pi * sin(tthPeak * Double.pi / 360) / 1.5406
        #expect(abs(q.grid.values[kq] - qPeak) <= 0.0011, "Q peak \(q.grid.values[kq]) vs \(qPeak)")
        // Another wavelength: 2θ′ = 2 asin(λ′ sin θ / λ) (Mo Kα1 0.70932 Å).
        var mo = try options("10:30:0.002")
        mo.wavelength = 0.70932
        let rm = try MLResampling.resample(pattern, options: mo, source: url.path)
        let km = rm.values.indices.max { rm.values[$0] < rm.values[$1] }!
        let moPeak = 360 / Double.pi * asin(0.70932 * sin(tthPeak * Double.pi / 360) / 1.5406)
        #expect(abs(mo.grid.values[km] - moPeak) <= 0.0021)
        // Area normalisation: unit trapezoidal area.
        var area = try options("30:50:0.01")
        area.normalization = .area
        let ra = try MLResampling.resample(pattern, options: area, source: url.path)
        let integral = zip(ra.values, ra.values.dropFirst()).reduce(0.0) { $0 + 0.5 * Double($1.0 + $1.1) * 0.01 }
        #expect(abs(integral - 1) < 1e-5)
        let first = pattern.twoTheta.min()!   // 37.0001°: grid points below it are outside
        #expect(ra.coverage == Double(area.grid.values.filter { $0 >= first }.count) / Double(area.grid.count))
        #expect(ra.values[0] == 0)
        // Outside the measured range: an error naming the file.
        do { _ = try MLResampling.resample(pattern, options: try self.options("5:30:0.1"), source: url.path); Issue.record("no error") } catch let e as RoentgenError {
            #expect(e.file == url.path && e.message.contains("does not reach the grid"))
        }
    }

    /// `.npz` and HDF5 read back with the same numbers (our readers, and NumPy/h5py where present);
    /// a second export gives the same bytes and splits.
    @Test func exportReadsBackAndIsStable() throws {
        guard SharedData.url("xrd/json") != nil, SharedData.url("xrd/bruker_raw") != nil else { print(SharedData.missing("xrd")); return }
        let inputs = [SharedData.root.appendingPathComponent("xrd/json").path, SharedData.root.appendingPathComponent("xrd/bruker_raw").path,
                      SharedData.root.appendingPathComponent("xrd/edge_cases").path]
        let o = try options()
        let dataset = try MLExport.build(inputs: inputs, options: o)
        #expect(dataset.rows >= 11 && dataset.grid.count == 4251)
        #expect(dataset.x.count == dataset.rows * 4251)
        #expect(dataset.labels.map(\.id) == dataset.labels.map(\.id).sorted())
        #expect(dataset.labels.contains { $0.id == "json/xrdpattern_aimat.json" && $0.split == "train" })
        #expect(dataset.labels.contains { $0.id == "bruker_raw/format1.raw[2]" })   // three ranges, three rows
        // Bad inputs are left out with their reason.
        #expect(dataset.failures.contains { $0.input == "edge_cases/derived_empty.xy" && $0.error.contains("empty file") })
        #expect(dataset.failures.contains { $0.input.hasPrefix("edge_cases/cif/") })
        for r in 0..<dataset.rows { #expect(dataset.x[r * 4251..<(r + 1) * 4251].max() == 1) }

        let folder = temporaryFolder("ml")
        // What a killed export left (its process gone) is removed; nothing else is.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: folder.appendingPathComponent(".dataset.npz.\(gone.processIdentifier).tmp"))
        try Data("mine".utf8).write(to: folder.appendingPathComponent(".keep.tmp"))
        try MLDatasetWriter.write(dataset, to: folder)
        #expect(hiddenFiles(under: folder) == [".keep.tmp"])
        // .npz with our own zip reader and a small .npy parser.
        let npz = try Data(contentsOf: folder.appendingPathComponent("dataset.npz"))
        let x = try npyMember(npz, "X")
        #expect(x.descr == "<f4" && x.shape == [dataset.rows, 4251])
        #expect(floats(x.body) == dataset.x)
        let ids = try npyMember(npz, "id")
        let width = Int(ids.descr.dropFirst(2))!
        let firstID = String(String.UnicodeScalarView(ids.body.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }[0..<width]
            .compactMap { $0 == 0 ? nil : Unicode.Scalar($0) }))
        #expect(ids.descr.hasPrefix("<U") && firstID == dataset.labels[0].id)
        // HDF5 through the project's reader: one scan per row of /entry/data/intensity.
        let h5 = try FormatRegistry.read(folder.appendingPathComponent("dataset.h5"))
        let frames = h5.scans.filter { $0.name.hasPrefix("entry/data[") }
        #expect(frames.count == dataset.rows)
        for (r, scan) in frames.enumerated() where r % 3 == 0 {
            #expect(scan.columns["two_theta"] == dataset.grid)
            #expect(scan.columns["intensity"] == dataset.x[r * 4251..<(r + 1) * 4251].map(Double.init))
        }
        // Stable across runs: the same bytes again.
        let again = temporaryFolder("ml-again")
        try MLDatasetWriter.write(try MLExport.build(inputs: inputs, options: o), to: again)
        for name in ["dataset.npz", "dataset.h5", "metadata.csv", "datasheet.json"] {
            #expect(FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) == FileManager.default.contents(atPath: again.appendingPathComponent(name).path), "\(name) differs")
        }
        let sheet = contents(folder.appendingPathComponent("datasheet.md"))
        #expect(sheet.contains("\(dataset.rows) patterns") && sheet.contains("| licence | patterns |"))

        // NumPy and h5py, where installed, read the same numbers and labels.
        let script = """
        import sys, json, numpy as np, h5py
        d = np.load(sys.argv[1] + '/dataset.npz')
        f = h5py.File(sys.argv[1] + '/dataset.h5', 'r')
        X = f['entry/data/intensity'][()]
        print(json.dumps({'same': bool((X == d['X']).all()), 'shape': list(X.shape), 'dtype': str(X.dtype),
          'sum': float(d['X'].astype('f8').sum()), 'ids': [s.decode() for s in f['entry/metadata/id'][()]] == list(d['id']),
          'grid': bool((f['entry/data/two_theta'][()] == d['two_theta']).all()), 'signal': f['entry/data'].attrs['signal'].decode(),
          'axes': [a.decode() for a in f['entry/data'].attrs['axes']], 'nx': f['entry'].attrs['NX_class'].decode(),
          'split': list(d['split'][:3]), 'first_id': str(d['id'][0])}))
        """
        let run = command("python3", ["-c", script, folder.path], seconds: 60)
        guard run.status == 0, let data = run.output.split(separator: "\n").last.map({ Data($0.utf8) }),
              let result = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("python3 with numpy and h5py not available (\(run.output.suffix(200))): skipping the NumPy/h5py read-back")
            return
        }
        #expect(result["same"] as? Bool == true)
        #expect(result["shape"] as? [Int] == [dataset.rows, 4251])
        #expect(result["dtype"] as? String == "float32")
        #expect(abs((result["sum"] as? Double ?? 0) - dataset.x.reduce(0.0) { $0 + Double($1) }) < 1e-6 * Double(dataset.x.count))
        #expect(result["ids"] as? Bool == true && result["grid"] as? Bool == true)
        #expect(result["signal"] as? String == "intensity" && result["axes"] as? [String] == [".", "two_theta"] && result["nx"] as? String == "NXentry")
        #expect(result["split"] as? [String] == dataset.labels.prefix(3).map(\.split))
        #expect(result["first_id"] as? String == dataset.labels[0].id)
    }

    /// An .npz written as Zip64 (forced here; automatic from 4 GiB on) is read by NumPy with the
    /// same numbers; a small one is plain zip. The CRC-32 of a member is checked by `zipfile`.
    @Test func npzZip64ReadByNumPy() throws {
        let arrays: [(name: String, array: NPYArray)] = [
            ("X", try NPYArray(.float32([1.5, -2, 3.25, 0.125, 7, 8]), shape: [2, 3])),
            ("id", try NPYArray(.unicode(["a/b.json", "ü"]))),
            ("coverage", try NPYArray(.float64([0.5, 1]))),
        ]
        let plain = try NPZWriter.data(arrays), big = try NPZWriter.data(arrays, zip64: true)
        func has(_ d: Data, _ signature: UInt32) -> Bool {
            let s = withUnsafeBytes(of: signature.littleEndian, Array.init)
            return d.withUnsafeBytes { raw in (0...(raw.count - 4)).contains { raw[$0] == s[0] && raw[$0 + 1] == s[1] && raw[$0 + 2] == s[2] && raw[$0 + 3] == s[3] } }
        }
        #expect(!has(plain, 0x0606_4B50) && has(big, 0x0606_4B50) && has(big, 0x0706_4B50))   // Zip64 end record and locator
        #expect(try npyMember(plain, "X").body == Data([1.5, -2, 3.25, 0.125, 7, 8].flatMap { (v: Float) in withUnsafeBytes(of: v, Array.init) }))
        let folder = temporaryFolder("zip64")
        try plain.write(to: folder.appendingPathComponent("plain.npz"))
        try big.write(to: folder.appendingPathComponent("zip64.npz"))
        let script = """
        import sys, json, zipfile, numpy as np
        out = {}
        for name in ('plain', 'zip64'):
            path = sys.argv[1] + '/' + name + '.npz'
            assert zipfile.ZipFile(path).testzip() is None   # every member's CRC-32
            d = np.load(path)
            out[name] = {'X': d['X'].tolist(), 'dtype': str(d['X'].dtype), 'id': d['id'].tolist(), 'coverage': d['coverage'].tolist(),
                         'zip64': any(i.extra[:2] == b'\\x01\\x00' for i in zipfile.ZipFile(path).infolist())}
        print(json.dumps(out))
        """
        let run = command("python3", ["-c", script, folder.path], seconds: 60)
        guard run.status == 0, let line = run.output.split(separator: "\n").last,
              let result = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: Any]] else {
            if command("python3", ["-c", "import numpy"], seconds: 30).status != 0 { print("python3 with numpy not available: skipping the NumPy read-back"); return }
            Issue.record("NumPy could not read the .npz files: \(run.output.suffix(600))")
            return
        }
        for name in ["plain", "zip64"] {
            let r = try #require(result[name])
            #expect(r["X"] as? [[Double]] == [[1.5, -2, 3.25], [0.125, 7, 8]], "\(name)")
            #expect(r["dtype"] as? String == "float32" && r["id"] as? [String] == ["a/b.json", "ü"] && r["coverage"] as? [Double] == [0.5, 1])
            #expect(r["zip64"] as? Bool == (name == "zip64"))
        }
    }

    /// CRC-32 of a concatenation from its parts' CRCs (zlib's crc32_combine), and the parallel
    /// CRC of a large buffer, against the one-pass CRC (itself checked against the zip standard's
    /// check value 0xCBF43926 for "123456789").
    @Test func crc32CombineAndParallel() throws {
        #expect(PatternCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let a = Array("The quick brown fox ".utf8), b = Array("jumps over the lazy dog".utf8)
        #expect(PatternCRC32.combine(PatternCRC32.checksum(a), PatternCRC32.checksum(b), lengthB: UInt64(b.count)) == PatternCRC32.checksum(a + b))
        #expect(PatternCRC32.combine(PatternCRC32.checksum(a), PatternCRC32.checksum([]), lengthB: 0) == PatternCRC32.checksum(a))
        var big = [UInt8](repeating: 0, count: (5 << 20) + 13)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in big.indices { state = state &* 6364136223846793005 &+ 1442695040888963407; big[i] = UInt8(truncatingIfNeeded: state >> 33) }
        #expect(big.withUnsafeBytes { PatternCRC32.parallelChecksum($0) } == PatternCRC32.checksum(big))
    }

    /// lookup3 as Bob Jenkins' driver5 prints it, and as HDF5 stored it in an h5py file's superblock.
    @Test func lookup3Checksum() throws {
        #expect(HDF5Checksum.lookup3([]) == 0xDEAD_BEEF)
        #expect(HDF5Checksum.lookup3(Array("Four score and seven years ago".utf8)) == 0x1777_0551)
        #expect(HDF5Checksum.lookup3(Array("Four score and seven years ago".utf8), initial: 1) == 0xCD62_8161)
        let fixture = SharedData.projectRoot.appendingPathComponent("Tests/Fixtures/batch/h5py_latest.h5")
        let bytes = [UInt8](try Data(contentsOf: fixture))
        #expect(bytes[8] == 3)   // superblock v3: 44 bytes, then the checksum
        let stored = UInt32(bytes[44]) | UInt32(bytes[45]) << 8 | UInt32(bytes[46]) << 16 | UInt32(bytes[47]) << 24
        #expect(HDF5Checksum.lookup3(Array(bytes[0..<44])) == stored)
    }

    /// The writer's own output, walked by the project's HDF5 reader object by object.
    @Test func hdf5WriterGroupsDatasetsAttributes() throws {
        var w = HDF5Writer()
        try w.createGroup("/g", attributes: [("NX_class", .string("NXdata")), ("axes", .strings([".", "x"])), ("n", .int64([3]))])
        try w.createDataset("/g/x", .float64([1, 2.5, -3]), attributes: [("units", .string("degree"))])
        try w.createDataset("/g/y", .float32([1, 2, 3, 4, 5, 6]), shape: [2, 3])
        try w.createDataset("/g/names", .strings(["a", "bé", ""]))
        #expect(throws: RoentgenError.self) { try w.createDataset("/nowhere/z", .int64([1])) }
        #expect(throws: RoentgenError.self) { try w.createDataset("/g/y", .int64([1])) }
        #expect(throws: RoentgenError.self) { try w.createDataset("/g/bad", .int64([1, 2]), shape: [3]) }
        let data = try w.data()
        try data.withUnsafeBytes { raw in
            let file = try HDF5File(raw, file: "w.h5")
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(file, warnings: &warnings)
            let x = try #require(tree.first { $0.path == "/g/x" })
            #expect(try file.numbers(try #require(x.dataset)) == [1, 2.5, -3])
            #expect(x.attribute("units")?.text == "degree")
            let y = try #require(tree.first { $0.path == "/g/y" })
            #expect(y.dataset?.space.dims == [2, 3])
            #expect(try file.numbers(try #require(y.dataset)) == [1, 2, 3, 4, 5, 6])
            let g = try #require(tree.first { $0.path == "/g" })
            #expect(g.nxClass == "NXdata" && g.attribute("axes")?.strings == [".", "x"] && g.attribute("n") == .numbers([3]))
            #expect(warnings.isEmpty)
        }
    }
}
