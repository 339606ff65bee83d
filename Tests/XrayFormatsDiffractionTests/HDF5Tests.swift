import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// The HDF5 fixtures of Tests/Fixtures/hdf5 (written by h5py 3.11 / HDF5 1.14.2 with
/// make_fixtures.py) and h5py's own reading of them, expected.json: the anchor numbers.
enum HDF5Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/hdf5")
    /// HDF5 1.14 files, and (hdf5_2_0/) the libver-latest ones again from h5py 3.16 / HDF5 2.0,
    /// which writes data layout message version 5.
    static let files = ["pyfai_nxdata.nxs", "bliss_scan.h5", "chunk_indexes.h5", "earliest_chunked.h5", "two_scans.h5", "many_links.h5", "large_indexes.h5", "master.h5", "table.h5",
                        "stacks.h5", "plugins.h5", "committed_latest.h5", "virtual.h5", "vds_source.h5", "vds.h5", "vds_latest.h5",
                        "huge_attribute.h5.gz", "hdf5_2_0/bliss_scan.h5", "hdf5_2_0/chunk_indexes.h5"]

    /// A fixture's bytes (a `.gz` fixture decompressed).
    static func bytes(_ name: String) throws -> [UInt8] {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        return [UInt8](name.hasSuffix(".gz") ? try XASGzip.decompress(data, file: name) : data)
    }

    /// A JSON value. (JSONDecoder, not JSONSerialization: on Linux the latter rounds some
    /// doubles wrongly, e.g. 0.09090909361839294 → …292, and the values are compared exactly.)
    enum JSON: Decodable {
        case number(Double), string(String), bool(Bool), null, array([JSON]), object([String: JSON])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }
        subscript(_ key: String) -> JSON? { if case .object(let o) = self { return o[key] }; return nil }
        var string: String? { if case .string(let s) = self { return s }; return nil }
        var number: Double? { if case .number(let d) = self { return d }; return nil }
        var array: [JSON]? { if case .array(let a) = self { return a }; return nil }
        var object: [String: JSON]? { if case .object(let o) = self { return o }; return nil }
    }

    /// h5py's description of one file: superblock version and every object.
    static let anchors: JSON? = try? JSONDecoder().decode(JSON.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
    static let anchors2: JSON? = try? JSONDecoder().decode(JSON.self, from: Data(contentsOf: folder.appendingPathComponent("hdf5_2_0/expected.json")))

    static func expected(_ name: String) throws -> (superblock: Int, objects: [JSON]) {
        let v2 = name.hasPrefix("hdf5_2_0/")
        let key = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        return try expected(v2 ? String(key.dropFirst(9)) : key, in: try #require(v2 ? anchors2 : anchors, "expected.json beside \(name)"))
    }

    /// One file's entry in an expected.json.
    static func expected(_ name: String, in json: JSON) throws -> (superblock: Int, objects: [JSON]) {
        let file = json["files"]?[name]
        let superblock = file?["superblock"]?.array?.first?.number.map { Int($0) } ?? -1
        return (superblock, file?["objects"]?.array ?? [])
    }

    static func read(_ name: String) throws -> DataFile {
        try FormatRegistry.read(Data(bytes(name)), file: name)
    }
}

@Suite("HDF5 / NeXus: every dataset, attribute and link as h5py reads it")
struct HDF5Tests {
    /// An expected JSON value as numbers or strings, the way the reader gives attributes.
    static func anchorValue(_ v: HDF5Fixtures.JSON) -> HDF5Value? {
        switch v {
        case .string(let s): return .strings([s])
        case .number(let d): return .numbers([d])
        case .array(let list):
            if let s = list.first?.string, !s.isEmpty || list.count > 0, list.allSatisfy({ $0.string != nil }) { return .strings(list.compactMap(\.string)) }
            return .numbers(list.compactMap(\.number))
        default: return nil
        }
    }

    @Test(arguments: HDF5Fixtures.files)
    func matchesH5py(_ name: String) throws {
        let expected = try HDF5Fixtures.expected(name)
        // The fixture's path, so that virtual datasets find their source files beside it.
        let path = HDF5Fixtures.folder.appendingPathComponent(name).path
        try HDF5Fixtures.bytes(name).withUnsafeBytes { try Self.compare(HDF5File($0, file: path), name, expected) }
    }

    /// A differential run, by hand: `ROENTGEN_HDF5_DIFF_DIR=DIR swift test --filter differential`
    /// compares every file listed in DIR/expected.json (written by h5py, e.g. with random
    /// layouts by Tests/Fixtures/hdf5/make_random.py) as `matchesH5py` does. Skipped without it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ROENTGEN_HDF5_DIFF_DIR"] != nil, "set ROENTGEN_HDF5_DIFF_DIR to run"))
    func differential() throws {
        let dir = try #require(ProcessInfo.processInfo.environment["ROENTGEN_HDF5_DIFF_DIR"])
        let folder = URL(fileURLWithPath: dir)
        let json = try JSONDecoder().decode(HDF5Fixtures.JSON.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
        let names = (json["files"]?.object ?? [:]).keys.sorted()
        for name in names {
            let expected = try HDF5Fixtures.expected(name, in: json)
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            do {
                try bytes.withUnsafeBytes { try Self.compare(HDF5File($0, file: name), name, expected) }
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        print("hdf5 differential: \(names.count) files in \(dir)")
    }

    /// Fixture datasets written with a codec this reader does not decode (bzip2), and virtual
    /// datasets whose source file does not exist (h5py reads the fill value; Roentgen says so).
    static let undecodable: Set<String> = ["plugins.h5:/measurement/bzip2", "vds.h5:/entry/missing_source", "vds_latest.h5:/entry/missing_source"]

    static func compare(_ h5: HDF5File, _ name: String, _ expected: (superblock: Int, objects: [HDF5Fixtures.JSON])) throws {
        var warnings: [String] = []
        let tree = try HDF5Reader.walk(h5, warnings: &warnings)
        #expect(!expected.objects.isEmpty)
        #expect(h5.superblockVersion == expected.superblock)
        var datasets = 0
        for object in expected.objects {
            let path = object["path"]?.string ?? ""
            switch object["kind"]?.string {
            case "group", "dataset":
                guard let node = HDF5Reader.resolve(path, in: tree) else { Issue.record("\(name) \(path): not found"); continue }
                let attributes = Dictionary(tree[node].attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                let anchorAttributes = object["attrs"]?.object ?? [:]
                #expect(Set(attributes.keys) == Set(anchorAttributes.keys), "\(name) \(path) attribute names")
                for (key, value) in anchorAttributes {
                    #expect(attributes[key] == Self.anchorValue(value), "\(name) \(path) @\(key): \(String(describing: attributes[key])) vs \(value)")
                }
                guard object["kind"]?.string == "dataset" else {
                    #expect(tree[node].dataset == nil, "\(name) \(path) is a group")
                    continue
                }
                let d = try #require(tree[node].dataset, "\(name) \(path) is a dataset")
                #expect(d.space.dims == (object["shape"]?.array ?? []).compactMap { $0.number.map { Int($0) } }, "\(name) \(path) shape")
                if let fields = object["fields"]?.object {
                    // A table: each numeric field a column.
                    let mine = try h5.fields(d)
                    #expect(mine.map(\.name).sorted() == fields.keys.sorted(), "\(name) \(path) fields")
                    for (field, values) in mine {
                        #expect(values == (fields[field]?.array ?? []).compactMap(\.number), "\(name) \(path).\(field)")
                    }
                    datasets += 1
                    continue
                }
                if Self.undecodable.contains(name + ":" + path) {
                    // A codec Roentgen does not have: named as unsupported, not misread.
                    #expect(throws: RoentgenError.self, "\(name) \(path) is not decoded") { _ = try h5.rawData(d) }
                    datasets += 1
                    continue
                }
                let raw = try h5.rawData(d)
                let value = try h5.value(raw, type: d.type, count: d.space.count, at: d.address)
                let values = object["values"]?.array ?? []
                switch value {
                case .numbers(let mine):
                    let anchor = values.compactMap(\.number)
                    #expect(anchor.count == values.count)
                    #expect(mine == anchor, "\(name) \(path): \(mine.prefix(4)) … vs \(anchor.prefix(4)) …")
                case .strings(let mine):
                    #expect(mine == values.compactMap(\.string), "\(name) \(path)")
                case .unsupported(let what):
                    Issue.record("\(name) \(path): \(what)")
                }
                datasets += 1
            case "datatype":
                // A committed datatype: an object of its own, not a dataset.
                let node = try #require(HDF5Reader.resolve(path, in: tree), "\(name) \(path)")
                #expect(tree[node].dataset == nil, "\(name) \(path) is a datatype")
            case "softlink":
                let target = try #require(object["target"]?.string)
                let a = HDF5Reader.resolve(path, in: tree), b = HDF5Reader.resolve(target, in: tree)
                #expect(a != nil && a == b, "\(name) \(path) → \(target)")
            case "externallink":
                #expect(HDF5Reader.resolve(path, in: tree) == nil)
                #expect(warnings.contains { $0.hasPrefix(path) && $0.contains("external link") }, "\(warnings)")
            default:
                Issue.record("\(name) \(path): unknown kind")
            }
        }
        #expect(datasets == expected.objects.filter { $0["kind"]?.string == "dataset" }.count)
    }

    /// h5py's values of one dataset of a fixture.
    static func anchor(_ name: String, _ path: String) throws -> [Double] {
        let object = try HDF5Fixtures.expected(name).objects.first { $0["path"]?.string == path }
        return try #require(object?["values"]?.array, "\(name) \(path) in expected.json").compactMap(\.number)
    }

    @Test func pyFAINXdataIsADiffractionPattern() throws {
        let file = try HDF5Fixtures.read("pyfai_nxdata.nxs")
        #expect(file.format == "hdf5" && file.scans.count == 1)
        let scan = try #require(file.scans.first)
        #expect(scan.name == "entry/results" && scan.kind == .diffraction)
        #expect(scan.columns["two_theta"] == (try Self.anchor("pyfai_nxdata.nxs", "/entry/results/2th_deg")))
        #expect(scan.columns["intensity"] == (try Self.anchor("pyfai_nxdata.nxs", "/entry/results/intensity")))
        #expect(scan.columns["esd"] == (try Self.anchor("pyfai_nxdata.nxs", "/entry/results/intensity_errors")))
        #expect(scan.radiation?.kAlpha1 == 1.5406, "\(String(describing: scan.radiation))")
        #expect(scan.metadata["@NX_class"] == "NXdata" && scan.metadata["instrument/monochromator/wavelength"] == "1.5406e-10 m")
    }

    @Test func blissMeasurementIsAnAbsorptionScan() throws {
        let file = try HDF5Fixtures.read("bliss_scan.h5")
        #expect(file.scans.map(\.name) == ["1.1/measurement", "1.1/plotselect"])
        let scan = try #require(file.scans.first)
        #expect(scan.kind == .absorption)
        let energy = try Self.anchor("bliss_scan.h5", "/1.1/measurement/energy_enc")
        #expect(scan.columns["energy"] == energy.map { $0 * 1000 } && scan.units["energy"] == "eV")
        for counter in ["I0", "It", "If", "mon", "sec", "epoch", "ring_current"] {
            #expect(scan.columns[counter] == (try Self.anchor("bliss_scan.h5", "/1.1/measurement/" + counter)), "\(counter)")
        }
        #expect(scan.columns.keys.first == "energy" && scan.columns.count == 13)
        #expect(scan.metadata["title"] == "contscan energy 8.9 9.2 1500 0.1")
        #expect(MuSelection.defaultExpression(for: Array(scan.columns.keys)) == "ln(I0/It)")
        let plot = file.scans[1]
        #expect(plot.columns["It"] == scan.columns["It"] && plot.columns["energy"] == scan.columns["energy"])
    }

    @Test func twoEntriesSoftAndExternalLinks() throws {
        let file = try HDF5Fixtures.read("two_scans.h5")
        #expect(file.scans.map(\.name) == ["1.1/measurement", "1.1/plotselect", "2.1/measurement", "2.1/noaxis", "2.1/plotselect"])
        #expect(file.scans.map { $0.columns.values.first?.count ?? 0 } == [41, 41, 61, 61, 61])
        #expect(file.scans[1].columns.keys.first == "samy")   // the NXdata axis first
        // A signal without an axis: its points numbered.
        #expect(Array(file.scans[3].columns.keys) == ["index", "diode"] && file.scans[3].columns["index"] == (0..<61).map(Double.init))
        #expect(file.scans[3].columns["diode"] == file.scans[2].columns["diode"])
        #expect(file.warnings.contains { $0.contains("external link to other.h5:/x") })
    }

    /// h5py's LZF filter (alone, and after shuffle) decodes to the same numbers as gzip.
    @Test func lzfChunksReadAsTheGzipOnes() throws {
        let file = try HDF5Fixtures.read("earliest_chunked.h5")
        let gzip = try #require(file.scans.first { $0.name == "entry/data" })
        let lzf = try #require(file.scans.first { $0.name == "entry/lzf" })
        #expect(lzf.columns["sx"] == gzip.columns["sx"] && lzf.columns["counts"] == gzip.columns["counts"])
        #expect(lzf.columns["counts"]?.count == 1001)
    }

    /// A dataset compressed with a filter Roentgen does not have (here the LZF ones relabelled
    /// as bzip2, 307) is left out of its scan with a warning naming it; the file still reads.
    /// A file with nothing else is an unsupported-format error that says why.
    @Test func undecodableDatasetsAreLeftOutAndNamed() throws {
        var bytes = try HDF5Fixtures.bytes("earliest_chunked.h5")
        let name = Array("lzf\0".utf8)
        var patched = 0
        for i in 8..<(bytes.count - name.count) where Array(bytes[i..<(i + 4)]) == name && bytes[i - 8] == 0x00 && bytes[i - 7] == 0x7D {
            bytes[i - 8] = 0x33   // filter id 32000 (LZF) → 307 (bzip2), in each filter pipeline message
            bytes[i - 7] = 0x01
            patched += 1
        }
        #expect(patched == 2)
        let file = try FormatRegistry.read(Data(bytes), file: "bzip2.h5")
        #expect(file.scans.map(\.name) == ["entry/data"])
        #expect(file.warnings.contains { $0.hasPrefix("/entry/lzf/sx: not read: HDF5: chunk compressed with bzip2") }, "\(file.warnings)")
        #expect(file.warnings.contains { $0.hasPrefix("/entry/lzf/counts: not read:") })
    }

    /// A table (a compound dataset, h5py's structured array) is a scan of its numeric fields;
    /// datasets and attributes of committed datatypes read through them.
    @Test func compoundTableIsAScan() throws {
        let file = try HDF5Fixtures.read("table.h5")
        #expect(file.scans.map(\.name) == ["committed", "scan/table"])
        let scan = try #require(file.scans.last)
        #expect(scan.kind == .absorption)
        // Datasets of committed datatypes (big-endian float64, uint32) read as h5py reads them.
        let committed = try #require(file.scans.first)
        #expect(committed.columns["energy"] == (try Self.anchor("table.h5", "/committed/energy")).map { $0 * 1000 })
        #expect(committed.columns["i0"] == (try Self.anchor("table.h5", "/committed/i0")) && committed.metadata["@gain"] == "3, 4")
        #expect(Array(scan.columns.keys) == ["energy", "i0", "it", "n"])
        let fields = try #require(try HDF5Fixtures.expected("table.h5").objects.first { $0["path"]?.string == "/scan/table" }?["fields"]?.object)
        #expect(scan.columns["energy"] == (fields["energy"]?.array ?? []).compactMap(\.number).map { $0 * 1000 })
        #expect(scan.columns["it"] == (fields["it"]?.array ?? []).compactMap(\.number))
        #expect(MuSelection.defaultExpression(for: Array(scan.columns.keys)) == "ln(i0/it)")
    }

    /// Series in 2-D datasets: each frame is a scan `NAME[k]` whose numbers are that row (or
    /// column) of h5py's array, with the frame's per-frame values as metadata; a points × channels
    /// MCA beside an energy counter stays an image.
    @Test func stacksAreScansPerFrame() throws {
        let file = try HDF5Fixtures.read("stacks.h5")
        let names = file.scans.map(\.name)
        #expect(names == ["entry/measurement"] + (0..<5).map { "entry/qexafs[\($0)]" } + (0..<6).map { "entry/results[\($0)]" }
                + (0..<3).map { "entry/single_axis[\($0)]" } + (0..<3).map { "entry/transposed[\($0)]" } + (0..<4).map { "entry/xrd_series/patterns[\($0)]" })
        func rows(_ path: String, _ count: Int) throws -> [[Double]] {
            let flat = try Self.anchor("stacks.h5", path)
            return (0..<count).map { Array(flat[$0 * (flat.count / count) ..< ($0 + 1) * (flat.count / count)]) }
        }
        // pyFAI frames × 2θ: axes [".", "2th_deg"], 2-D errors as esd, time and temperature per frame.
        let tth = try Self.anchor("stacks.h5", "/entry/results/2th_deg")
        let intensity = try rows("/entry/results/intensity", 6), errors = try rows("/entry/results/intensity_errors", 6)
        let temperature = try Self.anchor("stacks.h5", "/entry/results/temperature")
        for k in 0..<6 {
            let scan = try #require(file.scans.first { $0.name == "entry/results[\(k)]" })
            #expect(scan.kind == .diffraction && Array(scan.columns.keys) == ["two_theta", "intensity", "esd"])
            #expect(scan.columns["two_theta"] == tth && scan.columns["intensity"] == intensity[k] && scan.columns["esd"] == errors[k])
            #expect(scan.metadata["frame"] == "\(k)" && scan.metadata["frames"] == "6")
            #expect(scan.metadata["frame/temperature"] == "\(HDF5Value.numbers([temperature[k]]).text) K" && scan.metadata["frame/time"] == "\(30 * k) s")
        }
        #expect(intensity[0] != intensity[5])
        // QEXAFS: energy_indices = 1, keV → eV.
        let energy = try Self.anchor("stacks.h5", "/entry/qexafs/energy")
        let mu = try rows("/entry/qexafs/mu", 5)
        for k in 0..<5 {
            let scan = try #require(file.scans.first { $0.name == "entry/qexafs[\(k)]" })
            #expect(scan.kind == .absorption && scan.columns["energy"] == energy.map { $0 * 1000 } && scan.columns["mu"] == mu[k])
            #expect(scan.metadata["frame/spectrum"] == "\(k)")
        }
        // 2θ along the first dimension (the signal's old-style axes "tth:frame"): columns of h5py's array.
        let counts = try Self.anchor("stacks.h5", "/entry/transposed/counts")
        for k in 0..<3 {
            let scan = try #require(file.scans.first { $0.name == "entry/transposed[\(k)]" })
            #expect(scan.columns["two_theta"] == (try Self.anchor("stacks.h5", "/entry/transposed/tth")))
            #expect(scan.columns["intensity"] == stride(from: k, to: counts.count, by: 3).map { counts[$0] })
            #expect(scan.metadata["frame/frame"] == "\(k + 1)")
        }
        // One axis name for a 2-D signal: the dimension of its length.
        let single = try rows("/entry/single_axis/counts", 3)
        for k in 0..<3 {
            let scan = try #require(file.scans.first { $0.name == "entry/single_axis[\(k)]" })
            #expect(scan.columns["two_theta"] == (try Self.anchor("stacks.h5", "/entry/single_axis/2theta")) && scan.columns["intensity"] == single[k])
        }
        // A plain group: Q in 1/nm beside 4 × 250 patterns; 2θ from λ = 0.7293 Å.
        let q = try Self.anchor("stacks.h5", "/entry/xrd_series/q")
        let patterns = try rows("/entry/xrd_series/patterns", 4)
        for k in 0..<4 {
            let scan = try #require(file.scans.first { $0.name == "entry/xrd_series/patterns[\(k)]" })
            #expect(scan.columns["intensity"] == patterns[k] && scan.radiation?.kAlpha1 == 0.7293)
            let twoTheta = try #require(scan.columns["two_theta"])
            for (i, t) in twoTheta.enumerated() {
                let expected = 2 * asin(q[i] / 10 * 0.7293 / (4 * Double.pi)) * 180 / Double.pi
                #expect(abs(t - expected) < 1e-9, "2θ[\(i)] = \(t), from Q \(expected)")
            }
        }
        // The MCA (40 points × 64 channels) beside a 40-point energy counter is not a stack.
        #expect(file.warnings.contains { $0.hasPrefix("/entry/measurement/mca: 40×64 array") }, "\(file.warnings)")
        #expect(!file.warnings.contains { $0.contains("/entry/results/intensity: ") && $0.contains("array") })
        // --group with the series' name selects every frame; a frame by its name alone.
        #expect(try DataFileExport.select(file, group: "entry/results").map(\.name) == (0..<6).map { "entry/results[\($0)]" })
        #expect(try DataFileExport.select(file, group: "entry/results[2]").map(\.name) == ["entry/results[2]"])
        // The summary shows each frame of a short series, with its per-frame values.
        let summary = DataFileSummary.text(file)
        #expect(summary.contains("frame [1] of 6: temperature 350.5 K, time 30 s") && !summary.contains("more frames"))
    }

    /// A long series: the summary shows its first three frames and its last, and says how to
    /// see the others.
    @Test func longSeriesSummaryIsShortened() throws {
        let frames = (0..<40).map { k in
            Scan(name: "entry/results[\(k)]", kind: .diffraction, columns: ["two_theta": [10, 20], "intensity": [Double(k), 1]],
                 metadata: ["frame": "\(k)", "frames": "40"])
        }
        let file = DataFile(format: "hdf5", file: "series.h5", scans: [Scan(name: "entry/measurement", kind: .other, columns: ["x": [1, 2]])] + frames)
        let lines = DataFileSummary.text(file).split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains("entry/results[") && $0.contains(": 2 points") }.count == 4)
        #expect(lines.contains("  … 36 more frames of entry/results (5–40); --group 'entry/results[k]' shows one"))
        #expect(lines.contains { $0.hasPrefix("  41. entry/results[39]:") })
    }

    /// Chunks of the plug-in filters (hdf5plugin 7.1: bitshuffle, bitshuffle/LZ4,
    /// bitshuffle/Zstandard, LZ4, Zstandard, Blosc with BloscLZ, LZ4, LZ4HC, zlib and Zstandard)
    /// read as h5py reads them, in a scan; bzip2 is named, not read. Damage inside a compressed chunk is an error with its offset.
    @Test func pluginFiltersAreDecoded() throws {
        let file = try HDF5Fixtures.read("plugins.h5")
        let scan = try #require(file.scans.first)
        #expect(file.scans.count == 1 && scan.name == "measurement" && scan.kind == .absorption)
        let decoded = ["bitshuffle", "bitshuffle_lz4", "bitshuffle_lz4_u16", "bitshuffle_zstd", "blosc_blosclz_shuffle", "blosc_lz4_noshuffle",
                       "blosc_lz4hc_bitshuffle", "blosc_u8", "blosc_zlib_shuffle", "blosc_zstd", "lz4_blocks", "zstd"]
        #expect(Array(scan.columns.keys) == ["energy"] + decoded)
        for name in decoded {
            #expect(scan.columns[name] == (try Self.anchor("plugins.h5", "/measurement/" + name)), "\(name)")
        }
        #expect(scan.columns["energy"] == (try Self.anchor("plugins.h5", "/measurement/energy")).map { $0 * 1000 })
        #expect(file.warnings.contains { $0.hasPrefix("/measurement/bzip2: not read: HDF5: chunk compressed with bzip2;") }, "\(file.warnings)")
        // A damaged size or offset inside a compressed chunk fails the file with the codec and a byte offset.
        let bytes = try HDF5Fixtures.bytes("plugins.h5")
        let cases: [(header: [UInt8], field: Int, message: String)] = [
            ([0, 0, 0, 0, 0, 0, 0x17, 0x74, 0, 0, 0x03, 0xE8], 12, "LZ4-compressed chunk is corrupt: an LZ4 block runs past the chunk"),
            ([0, 0, 0, 0, 0, 0, 0x25, 0x80, 0, 0, 0x20, 0], 12, "bitshuffle-compressed chunk is corrupt: a bitshuffle/LZ4 block runs past the chunk"),
            ([2, 1, 1, 8, 0xE8, 0x2E, 0, 0], 16, "Blosc-compressed chunk is corrupt: a Blosc block offset points outside the chunk"),
        ]
        for c in cases {
            let at = try #require((0..<(bytes.count - c.header.count)).first { Array(bytes[$0..<($0 + c.header.count)]) == c.header }, "\(c.message)")
            var damaged = bytes
            for k in 0..<4 { damaged[at + c.field + k] = k == 0 ? 0x7F : 0xFF }
            #expect { _ = try FormatRegistry.read(Data(damaged), file: "damaged.h5") } throws: { error in
                guard let e = error as? RoentgenError else { return false }
                return e.message.contains(c.message) && e.byteOffset != nil && e.file == "damaged.h5"
            }
        }
    }

    /// Virtual datasets read through their mappings, as h5py reads them: within the file
    /// (concatenated, strided, the rest fill value) and from the file beside it (four 1-D
    /// patterns stacked as a series, swapped halves); a source file that does not exist is
    /// named, not silently filled.
    @Test(arguments: ["vds.h5", "vds_latest.h5"])
    func virtualDatasetsAreRead(_ name: String) throws {
        let path = HDF5Fixtures.folder.appendingPathComponent(name).path
        let file = try FormatRegistry.read(Data(HDF5Fixtures.bytes(name)), file: path)
        // The datasets themselves, through HDF5File.
        func values(_ object: String) throws -> [Double] {
            try HDF5Fixtures.bytes(name).withUnsafeBytes { raw in
                let h5 = try HDF5File(raw, file: path)
                let d = try #require(try h5.lookup(object).flatMap { try h5.dataset($0) }, "\(object)")
                return try h5.numbers(d)
            }
        }
        #expect(try values("/entry/local/ab") == (try Self.anchor(name, "/entry/local/a")) + (try Self.anchor(name, "/entry/local/b")))
        #expect(try values("/entry/local/a_even") == [-2, -2, 0, 3, 6, 9, 12, -2, -2])
        let frames = (0..<4).compactMap { k in file.scans.first { $0.name == "entry/results[\(k)]" } }
        #expect(frames.count == 4)
        for (k, frame) in frames.enumerated() {
            #expect(frame.columns["intensity"] == (try Self.anchor("vds_source.h5", "/frames/\(k)")), "frame \(k)")
            #expect(frame.columns["two_theta"] == (try Self.anchor(name, "/entry/results/2th_deg")))
        }
        let counts = try Self.anchor("vds_source.h5", "/counts")
        #expect(try values("/entry/counts_swapped") == Array(counts[15...] + counts[..<15]))
        #expect { _ = try values("/entry/missing_source") } throws: { error in
            (error as? RoentgenError).map { $0.kind == .unsupportedFormat && $0.message.contains("missing.h5 not found") } ?? false
        }
        // Read from memory under a bare name, the sources beside it cannot be found: named, not guessed.
        let bare = try FormatRegistry.read(Data(HDF5Fixtures.bytes(name)), file: "elsewhere/\(name)")
        #expect(bare.warnings.contains { $0.hasPrefix("/entry/results/intensity: not read:") && $0.contains("vds_source.h5 not found") }, "\(bare.warnings)")
    }

    /// A mapping whose source file is a folder or a device (here `/` and `/dev/zero`, patched in
    /// for `vds_source.h5`, as mutation fuzzing found) is refused, not opened.
    @Test(arguments: ["/////////////", "/dev/////zero"])
    func virtualSourceMustBeAFile(_ replacement: String) throws {
        var bytes = try HDF5Fixtures.bytes("vds.h5")
        let name = Array("vds_source.h5".utf8), patch = Array(replacement.utf8)
        #expect(name.count == patch.count)
        var patched = 0
        for i in 0..<(bytes.count - name.count) where Array(bytes[i..<(i + name.count)]) == name {
            bytes.replaceSubrange(i..<(i + name.count), with: patch)
            patched += 1
        }
        #expect(patched == 6)
        let file = try FormatRegistry.read(Data(bytes), file: HDF5Fixtures.folder.appendingPathComponent("vds.h5").path)
        #expect(file.warnings.contains { $0.hasPrefix("/entry/results/intensity: not read:") && $0.contains("not found") }, "\(file.warnings)")
    }

    /// Attributes of more than 64 kB (huge fractal heap objects, found through the heap's
    /// B-tree) are read, here from the gzipped fixture through the gzip reader.
    @Test func hugeAttributesAreRead() throws {
        let data = try Data(contentsOf: HDF5Fixtures.folder.appendingPathComponent("huge_attribute.h5.gz"))
        let file = try FormatRegistry.read(data, file: "huge_attribute.h5.gz")
        let scan = try #require(file.scans.first)
        #expect(file.format == "hdf5" && scan.name == "entry" && file.warnings.isEmpty)
        #expect(scan.metadata["@notes"]?.utf8.count == 21 * 4000 && scan.metadata["@notes"]?.hasPrefix("calibration log line\n") == true)
        #expect(scan.metadata["@mask"]?.split(separator: ",").count == 9000)
    }

    /// The h5py fixture's virtual dataset (mapped from a dataset of the same file) reads as its source.
    @Test func virtualDatasetOfTheSameFile() throws {
        let file = try HDF5Fixtures.read("virtual.h5")
        #expect(file.scans.map(\.name) == ["measurement"])
        let scan = try #require(file.scans.first)
        #expect(Array(scan.columns.keys) == ["x", "y", "y_virtual"] && scan.columns["y_virtual"] == scan.columns["y"])
        #expect(scan.columns["y"] == (try Self.anchor("virtual.h5", "/measurement/y")))
    }

    /// An ESRF-style master file: its external links followed to the files beside it, their
    /// scans under the links' paths and equal to reading those files; a link back to the master
    /// and one to a missing file are reported, not followed.
    @Test func masterFileFollowsExternalLinks() throws {
        let master = try FormatRegistry.read(HDF5Fixtures.folder.appendingPathComponent("master.h5"))
        #expect(master.scans.map(\.name) == ["both/1.1/measurement", "both/1.1/plotselect", "both/2.1/measurement", "both/2.1/noaxis", "both/2.1/plotselect",
                                             "sample_0001/measurement", "sample_0001/plotselect"])
        let bliss = try HDF5Fixtures.read("bliss_scan.h5"), two = try HDF5Fixtures.read("two_scans.h5")
        #expect(master.scans.map(\.columns) == (two.scans + bliss.scans).map(\.columns))
        #expect(master.scans.allSatisfy { $0.metadata["external file"] != nil })
        #expect(master.warnings.contains { $0.hasPrefix("/loop:") && $0.contains("leads back") })
        #expect(master.warnings.contains { $0.hasPrefix("/missing:") && $0.contains("no such file") })
        #expect(master.warnings.contains { $0.hasPrefix("two_scans.h5: /1.1/measurement/image") })
    }

    /// A file above `FormatRegistry.mappingThreshold` is memory-mapped, not read into memory; its
    /// HDF5 reading is the same (here the Bliss fixture padded past the threshold, as images
    /// after the counters pad a real file).
    @Test func largeFileIsMappedAndReadTheSame() throws {
        var bytes = try HDF5Fixtures.bytes("bliss_scan.h5")
        let small = try FormatRegistry.read(Data(bytes), file: "bliss_scan.h5")
        bytes += [UInt8](repeating: 0, count: FormatRegistry.mappingThreshold + 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-mapped-\(UUID().uuidString).h5")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let large = try FormatRegistry.read(url)
        #expect(large.scans.map(\.name) == small.scans.map(\.name))
        #expect(large.scans.map(\.columns) == small.scans.map(\.columns))
    }

    /// Every truncation of every fixture: a RoentgenError with a byte offset, or a reading of
    /// what is there; never a crash.
    @Test(arguments: HDF5Fixtures.files)
    func truncated(_ name: String) throws {
        let bytes = try HDF5Fixtures.bytes(name)
        var rejected = 0
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            do {
                // A cut that leaves only 2-D datasets whose data lie before it reads them as
                // detector images (HDF5ImageStack): counted with the rejections.
                let file = try FormatRegistry.read(Data(bytes[..<cut]), file: name)
                if file.scans.isEmpty && !file.images.isEmpty { rejected += 1 }
            } catch let error as RoentgenError {
                rejected += 1
                #expect(error.file == name && (error.byteOffset != nil || error.message.contains("no 1-D scan") || error.kind == .unsupportedFormat), "\(error)")
            }
        }
        #expect(rejected > 80)
    }

    @Test func headerOnlyFilesAreRejected() throws {
        for (name, data) in [("scan.h5", Data(HDF5File.signature + [UInt8](repeating: 0, count: 64))),
                             ("scan.nxs", Data([UInt8](repeating: 0, count: 512) + HDF5File.signature + [0, 0]))] {
            let error = try #require(throws: RoentgenError.self) { try FormatRegistry.read(data, file: name) }
            #expect(error.kind == .badFile && error.file == name && error.byteOffset != nil, "\(error)")
            #expect(error.message.contains("HDF5") && (error.message.contains("past the end of the file") || error.message.contains("expected 2, 4 or 8")), "\(error)")
        }
    }

    /// Seeded mutations of every fixture: RoentgenError or success, fast. 250 per test run;
    /// `ROENTGEN_FUZZ_SECONDS` runs for that long instead, `ROENTGEN_FUZZ_SEED` with another seed.
    @Test func mutations() throws {
        var rng = SeededRandom(seed: ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x4844_4635)
        let seeds = try HDF5Fixtures.files.map { try HDF5Fixtures.bytes($0) }
        var slowest = 0.0, rejected = 0
        let budget = ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SECONDS"].flatMap(Double.init)
        let start = Date()
        var run = 0
        while budget.map({ Date().timeIntervalSince(start) < $0 }) ?? (run < 250) {
            defer { run += 1 }
            let mutated = Data(Mutator.mutate(seeds[run % seeds.count], &rng))
            let t0 = Date()
            do {
                _ = try FormatRegistry.read(mutated, file: "fuzz.h5")
            } catch is RoentgenError {
                rejected += 1
            } catch {
                Issue.record("run \(run): non-Roentgen error \(error)")
            }
            slowest = max(slowest, Date().timeIntervalSince(t0))
        }
        print("fuzz hdf5: \(run) mutations, \(rejected) rejected, slowest \(String(format: "%.3f", slowest)) s")
        #expect(rejected > 0 && slowest < 1.0, "slowest \(slowest) s")
    }
}
