import Foundation
import XrayCore
import XrayFormats

/// Writes an ML dataset folder:
/// - `dataset.npz`: `X` (float32, patterns × grid), the grid (`two_theta` in degrees or `q` in
///   Å⁻¹, float64), `id`, `split`, `file`, `source`, `doi`, `formula`, `space_group`, `phases`,
///   `licence` (unicode), `split_index` (uint8: 0 train, 1 validation, 2 test), `wavelength`,
///   `coverage` (float64);
/// - `dataset.h5`: the same as NeXus, `/entry` (NXentry) → `/entry/data` (NXdata, signal
///   `intensity`, axes `[".", "two_theta"|"q"]`) and `/entry/metadata` (NXcollection, one dataset per
///   label column), written by `HDF5Writer`;
/// - `metadata.csv` (one row per pattern), `failures.jsonl` (inputs left out and why),
///   `datasheet.md` and `datasheet.json` (counts, ranges, sources, licences, options).
public enum MLDatasetWriter {
    public static let npz = "dataset.npz", hdf5 = "dataset.h5"

    static func column(_ d: MLDataset, _ key: KeyPath<MLLabels, String>) -> [String] { d.labels.map { $0[keyPath: key] } }

    static var stringColumns: [(String, KeyPath<MLLabels, String>)] { [
        ("id", \.id), ("split", \.split), ("file", \.file), ("source", \.source), ("doi", \.doi), ("formula", \.formula),
        ("space_group", \.spaceGroup), ("phases", \.phases), ("licence", \.licence),
    ] }

    static func npzArrays(_ d: MLDataset) throws -> [(name: String, array: NPYArray)] {
        var arrays: [(name: String, array: NPYArray)] = [
            ("X", try NPYArray(.float32(d.x), shape: [d.rows, d.grid.count])),
            (d.options.axis.rawValue, try NPYArray(.float64(d.grid))),
        ]
        for (name, key) in stringColumns { arrays.append((name, try NPYArray(.unicode(column(d, key))))) }
        arrays.append(("split_index", try NPYArray(.uint8(d.labels.map { UInt8(MLSplit.names.firstIndex(of: $0.split) ?? 255) }))))
        arrays.append(("wavelength", try NPYArray(.float64(d.labels.map(\.wavelength)))))
        arrays.append(("coverage", try NPYArray(.float64(d.labels.map(\.coverage)))))
        return arrays
    }

    public static func npzData(_ d: MLDataset) throws -> Data { try NPZWriter.data(npzArrays(d)) }

    static func hdf5Writer(_ d: MLDataset) throws -> HDF5Writer {
        var h5 = HDF5Writer()
        let axis = d.options.axis.rawValue
        h5.setRootAttributes([("default", .string("entry")), ("creator", .string("roentgen export ml"))])
        try h5.createGroup("/entry", attributes: [("NX_class", .string("NXentry")), ("default", .string("data"))])
        try h5.createGroup("/entry/data", attributes: [("NX_class", .string("NXdata")), ("signal", .string("intensity")),
                                                       ("axes", .strings([".", axis])), ("\(axis)_indices", .int64([1]))])
        try h5.createDataset("/entry/data/intensity", .float32(d.x), shape: [d.rows, d.grid.count],
                             attributes: [("normalization", .string(d.options.normalization.rawValue))])
        try h5.createDataset("/entry/data/\(axis)", .float64(d.grid),
                             attributes: [("units", .string(d.options.axis == .q ? "1/angstrom" : "degree"))]
                                + (d.options.axis == .twoTheta ? [("wavelength", .float64([d.options.wavelength]))] : []))
        try h5.createGroup("/entry/metadata", attributes: [("NX_class", .string("NXcollection"))])
        for (name, key) in stringColumns { try h5.createDataset("/entry/metadata/\(name)", .strings(column(d, key))) }
        try h5.createDataset("/entry/metadata/wavelength", .float64(d.labels.map(\.wavelength)), attributes: [("units", .string("angstrom"))])
        try h5.createDataset("/entry/metadata/coverage", .float64(d.labels.map(\.coverage)))
        return h5
    }

    public static func hdf5Data(_ d: MLDataset) throws -> Data { try hdf5Writer(d).data() }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    public static func csv(_ d: MLDataset) -> String {
        var lines = ["index," + stringColumns.map(\.0).joined(separator: ",") + ",wavelength,coverage,two_theta_min,two_theta_max"]
        for (i, l) in d.labels.enumerated() {
            let strings = stringColumns.map { csvField(l[keyPath: $0.1]) }
            let numbers = [l.wavelength, l.coverage, l.twoThetaMin, l.twoThetaMax].map { $0.isFinite ? String($0) : "" }
            lines.append(([String(i)] + strings + numbers).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Counts, ranges, sources and licences.
    public struct Datasheet: Sendable, Codable {
        public var patterns: Int
        public var files: Int
        public var failures: Int
        public var axis: String
        public var grid: [Double]   // start, stop, step
        public var points: Int
        public var wavelength: Double?
        public var normalization: String
        public var splits: [String: Int]
        public var splitSeed: UInt64?
        public var sources: [String: Int]
        public var licences: [String: Int]
        public var formulas: Int
        public var spaceGroups: Int
        public var measuredTwoTheta: [Double]   // min, max over all patterns
        public var ownWavelengths: [String: Int]
        public var meanCoverage: Double
    }

    public static func datasheet(_ d: MLDataset) -> Datasheet {
        func count(_ values: [String], empty: String = "unknown") -> [String: Int] {
            var out: [String: Int] = [:]
            for v in values { out[v.isEmpty ? empty : v, default: 0] += 1 }
            return out
        }
        let g = d.options.grid
        return Datasheet(patterns: d.rows, files: d.files, failures: d.failures.count, axis: d.options.axis.rawValue,
                         grid: [g.start, g.stop, g.step], points: d.grid.count,
                         wavelength: d.options.axis == .twoTheta ? d.options.wavelength : nil, normalization: d.options.normalization.rawValue,
                         splits: d.options.split == nil ? [:] : count(d.labels.map(\.split)), splitSeed: d.options.split?.seed,
                         sources: count(d.labels.map(\.source)), licences: count(d.labels.map(\.licence)),
                         formulas: Set(d.labels.map(\.formula).filter { !$0.isEmpty }).count,
                         spaceGroups: Set(d.labels.map(\.spaceGroup).filter { !$0.isEmpty }).count,
                         measuredTwoTheta: [d.labels.map(\.twoThetaMin).filter(\.isFinite).min() ?? .nan, d.labels.map(\.twoThetaMax).filter(\.isFinite).max() ?? .nan],
                         ownWavelengths: count(d.labels.map { $0.wavelength.isFinite ? String(format: "%.5f", $0.wavelength) : "" }, empty: "none in the file"),
                         meanCoverage: d.rows == 0 ? 0 : d.labels.map(\.coverage).reduce(0, +) / Double(d.rows))
    }

    static func markdown(_ s: Datasheet, _ d: MLDataset) -> String {
        func table(_ title: String, _ counts: [String: Int]) -> String {
            "| \(title) | patterns |\n| --- | ---: |\n" + counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "| \($0.key.replacingOccurrences(of: "|", with: "\\|")) | \($0.value) |" }.joined(separator: "\n") + "\n"
        }
        let unit = s.axis == "q" ? "Å⁻¹" : "° 2θ"
        var text = """
        # Datasheet

        Written by `roentgen export ml`. \(s.patterns) patterns from \(s.files) input files; \(s.failures) inputs or patterns left out (`failures.jsonl`).

        - Axis: \(s.axis == "q" ? "Q = 4π sin θ / λ (Å⁻¹), each pattern with its own wavelength" : String(format: "2θ for λ = %.5f Å (each pattern converted through d with its own wavelength)", s.wavelength ?? .nan))
        - Grid: \(s.grid[0])…\(s.grid[1]) \(unit) in steps of \(s.grid[2]) (\(s.points) points), linear interpolation, 0 outside each pattern's measured range (mean coverage \(String(format: "%.3f", s.meanCoverage)))
        - Normalisation: \(s.normalization == "max" ? "maximum = 1" : s.normalization == "area" ? "unit trapezoidal area over the grid" : "none")
        - Measured 2θ over all patterns: \(String(format: "%.3f…%.3f", s.measuredTwoTheta[0], s.measuredTwoTheta[1]))°
        - Distinct formulas: \(s.formulas); distinct space groups: \(s.spaceGroups)
        - Files: `dataset.npz` (X float32 \(s.patterns)×\(s.points)), `dataset.h5` (NXdata), `metadata.csv`


        """
        if !s.splits.isEmpty, let split = d.options.split {
            text += "Splits (train/validation/test \(split.train)/\(split.validation)/\(split.test), seed \(split.seed); by SHA-256 of \"seed/id\"):\n\n" + table("split", s.splits) + "\n"
        }
        text += table("source", s.sources) + "\n" + table("licence", s.licences) + "\n" + table("wavelength in the file (Å)", s.ownWavelengths)
        return text
    }

    /// Writes the dataset folder; returns the files written.
    @discardableResult
    public static func write(_ d: MLDataset, to folder: URL) throws -> [String] {
        let sheet = datasheet(d)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw RoentgenError(.io, "cannot create the dataset folder (\(error.localizedDescription))", file: folder.path)
        }
        struct Failure: Encodable { var input: String; var error: String }
        let names = [npz, hdf5, "metadata.csv", "failures.jsonl", "datasheet.json", "datasheet.md"]
        // Half-written files of an export that was killed (`.NAME.PID.tmp`, its process gone).
        AppendFile.removeStaleTemporaries(of: names, in: folder.path)
        // The .npz and the HDF5 file are streamed to disk from X itself (no copy of X in memory);
        // the small files are made whole, then written.
        let files: [(String, @Sendable (FileSink) throws -> Void)] = [
            (npz, { var sink = $0; try NPZWriter.write(try npzArrays(d), to: &sink) }),
            (hdf5, { var sink = $0; try hdf5Writer(d).write(to: &sink) }),
            ("metadata.csv", { try $0.append(Array(csv(d).utf8)) }),
            ("failures.jsonl", { sink in try d.failures.forEach { try sink.append([UInt8](try BatchJSON.line(Failure(input: $0.input, error: $0.error)))) } }),
            ("datasheet.json", { try $0.append([UInt8](try BatchJSON.pretty(sheet))) }),
            ("datasheet.md", { try $0.append(Array(markdown(sheet, d).utf8)) }),
        ]
        // Each file on its own thread: the .npz and the HDF5 file are written side by side.
        // Each goes to a temporary file renamed when whole, not fsynced: a dataset is rewritten
        // from its inputs if a crash cuts it short, and fsync of hundreds of MB costs seconds.
        var errors = [RoentgenError?](repeating: nil, count: files.count)
        errors.withUnsafeMutableBufferPointer { slots in
            let slots = UnsafeMutableSendableBuffer(slots)
            DispatchQueue.concurrentPerform(iterations: files.count) { i in
                let url = folder.appendingPathComponent(files[i].0)
                do {
                    let sink = try FileSink(url)
                    try files[i].1(sink)
                    try sink.commit()
                } catch let error as RoentgenError {
                    slots.buffer[i] = error
                } catch {
                    slots.buffer[i] = RoentgenError(.io, "\(error)", file: url.path)
                }
            }
        }
        if let first = errors.compactMap({ $0 }).first { throw first }
        return files.map { folder.appendingPathComponent($0.0).path }
    }
}
