import Foundation
import OrderedCollections
import XrayCore

/// Plain column text as instruments and converters write it: `.xy`, `.xye`, `.csv`, `.tsv`,
/// `.txt`, exports without a recognised header. Blank, `;`, `|`, tab or comma separated, decimal
/// commas, any line endings (LF, CR LF, CR CR LF, CR), header and comment lines (also ones holding
/// numbers, e.g. a point count) kept as metadata. Columns: 2θ, intensity, then esd for `.xye` or
/// when the header labels the third column as an error; further columns keep their labels.
enum ColumnTextReader: FormatReader {
    static let id = "xy"
    static let name = "Column text: 2θ, intensity [, esd] (.xy .xye .csv .tsv .txt)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["xy", "xye", "csv", "tsv", "txt", "asc", "dat", "chi"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        // XML and JSON documents are never column text.
        if let c = PatternText.firstNonBlank(head), c == 60 || c == 123 { return .no }
        guard PatternText.looksLikeText(head) else { return .no }
        // Numbers usually start within 2 KiB; long headers get a second look at 32 KiB.
        for (size, maxLines) in [(2048, 40), (32_768, 600)] {
            let prefix = head.prefix(size)
            let lines = PatternText.Lines(prefix)
            // The last line of a prefix may be cut.
            let upper = prefix.count < head.count ? max(0, lines.count - 1) : lines.count
            if PatternColumns.parse(lines, 0..<min(upper, maxLines)).rowCount >= 1 { return .plausible }
            if prefix.count == head.count { break }
        }
        return suffixes.contains(suffix) ? .suffixOnly : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let lines = PatternText.Lines(data)
        guard lines.count > 0, (0..<lines.count).contains(where: { !lines.isBlank($0) }) else {
            throw RoentgenError.badFile(file, line: 1, "empty file: expected lines of 2θ and intensity (and optionally esd)")
        }
        // Up to 4096 columns: an energy-dispersive table holds one spectrum per column.
        let parsed = PatternColumns.parse(lines, 0..<lines.count, maxColumns: 4096)
        guard parsed.rowCount > 0 else {
            throw RoentgenError.badFile(file, line: lines.count,
                                        "no data rows: \(lines.count) lines read, none holds two numbers (2θ and intensity)")
        }
        var metadata = Metadata()
        PatternColumns.headerMetadata(lines, parsed.otherLines, into: &metadata)
        if !parsed.labels.isEmpty { metadata["columns"] = parsed.labels.joined(separator: ", ") }
        let suffix = FileName.suffix(file)
        if let frames = framesFromNamedColumns(parsed, metadata: metadata, file: file) { return frames }
        if PixelIndexedData.isPixelIndex(parsed.columns[0]) {
            // One spectrum per value column: an energy-dispersive table may hold hundreds.
            let count = parsed.columns.count - 1
            let scans = (1...count).map { c -> Scan in
                let label = parsed.labels.count > c && !parsed.labels[c].isEmpty ? parsed.labels[c] : (count == 1 ? "value" : "column_\(c + 1)")
                return PixelIndexedData.scan(name: count == 1 ? DiffractionScan.stem(file) : "\(DiffractionScan.stem(file))[\(label)]",
                                             pixel: parsed.columns[0], value: parsed.columns[c], valueLabel: count == 1 ? label : "value", metadata: metadata)
            }
            var warnings = [PixelIndexedData.warning(parsed.columns[0])]
            if count > 1 { warnings.append("\(count) spectra beside the pixel column: one scan each") }
            return DataFile(format: id, file: file, scans: scans, warnings: warnings)
        }
        // An abscissa labelled as something other than 2θ in degrees (pyFAI's q_nm^-1, 2th_rad …).
        let axis = parsed.labels.first.map(RadialAxis.from(label:)) ?? .twoThetaDegrees
        if axis != .twoThetaDegrees {
            return try radialScan(parsed, axis: axis, suffix: suffix, metadata: metadata, file: file)
        }
        return DataFile(format: id, file: file,
                        scans: [scan(parsed, suffix: suffix, metadata: metadata, file: file)],
                        warnings: declaredCountWarning(parsed, lines) + warnings(parsed, lines))
    }

    /// A header that names a 2θ column which is not the first (`imagenum twotheta intensity`):
    /// the named columns are used, and a leading frame-number column (`imagenum`, `frame`, `image`)
    /// splits the rows into one scan per frame, named `stem[frame]`.
    static func framesFromNamedColumns(_ parsed: PatternColumns, metadata: Metadata, file: String) -> DataFile? {
        let labels = parsed.labels.map { $0.lowercased().filter { $0.isLetter || $0.isNumber } }
        guard labels.count == parsed.columns.count, labels.count >= 3,
              let tth = labels.firstIndex(where: { ["twotheta", "2theta", "tth", "2th", "twothetadeg", "2thetadeg"].contains($0) }), tth > 0 else { return nil }
        let intensity = labels.firstIndex { $0.hasPrefix("intens") || $0 == "counts" || $0 == "i" || $0 == "y" } ?? (tth + 1 < labels.count ? tth + 1 : tth - 1)
        guard intensity != tth else { return nil }
        let stem = DiffractionScan.stem(file)
        var m = metadata
        m["columns used"] = "2θ: \(parsed.labels[tth]), intensity: \(parsed.labels[intensity])"
        let frameLabels: Set<String> = ["imagenum", "image", "imagenumber", "frame", "framenum", "framenumber", "img", "imgnum"]
        let frame = parsed.columns[0]
        guard frameLabels.contains(labels[0]), frame.allSatisfy({ $0 == $0.rounded() }) else {
            let scan = DiffractionScan.make(name: stem, twoTheta: parsed.columns[tth], intensity: parsed.columns[intensity],
                                            radiation: radiation(metadata), metadata: m)
            return DataFile(format: id, file: file, scans: [scan], warnings: ["the header names the columns: 2θ is '\(parsed.labels[tth])' (column \(tth + 1)), intensity '\(parsed.labels[intensity])' (column \(intensity + 1))"])
        }
        var scans: [Scan] = []
        var start = 0
        for i in 1...frame.count where i == frame.count || frame[i] != frame[start] {
            var fm = m
            fm["frame"] = String(Int(frame[start]))
            scans.append(DiffractionScan.make(name: "\(stem)[\(Int(frame[start]))]", twoTheta: Array(parsed.columns[tth][start..<i]),
                                              intensity: Array(parsed.columns[intensity][start..<i]), radiation: radiation(metadata), metadata: fm))
            start = i
        }
        return DataFile(format: id, file: file, scans: scans, warnings: [
            "the header names the columns: \(scans.count) frame(s) split on '\(parsed.labels[0])', 2θ from '\(parsed.labels[tth])', intensity from '\(parsed.labels[intensity])'"])
    }

    /// Fit2D `.chi` files declare their point count alone on the 4th line (after the title and
    /// the two axis names): a file holding fewer (or more) rows is said to, naming both counts.
    static func declaredCountWarning(_ parsed: PatternColumns, _ lines: PatternText.Lines) -> [String] {
        guard lines.count > 4, let first = parsed.firstDataLine, first >= 4 else { return [] }
        let fourth = lines.trimmed(3)
        guard !fourth.isEmpty, fourth.allSatisfy(\.isNumber), let declared = Int(fourth), declared > 0,
              declared != parsed.rowCount else { return [] }
        return ["line 4 declares \(declared) points (Fit2D .chi header) but the file holds \(parsed.rowCount)\(parsed.rowCount < declared ? " (truncated file?)" : "")"]
    }

    /// A pattern whose first column is not 2θ in degrees: radians converted; Q turned into 2θ with
    /// the header's wavelength (the Q column kept as `q`, Å⁻¹), or kept as `q` without one; any
    /// other abscissa kept under its label, not as 2θ.
    static func radialScan(_ parsed: PatternColumns, axis: RadialAxis, suffix: String, metadata: Metadata, file: String) throws -> DataFile {
        var converted = parsed
        var warnings: [String] = []
        let x = parsed.columns[0]
        let label = parsed.labels[0]
        var m = metadata
        m["radial axis"] = label
        switch axis {
        case .twoThetaRadians:
            converted.columns[0] = x.map { $0 * 180 / Double.pi }
            warnings.append("column '\(label)' is 2θ in radians: converted to degrees")
        case .q(let factor):
            let q = x.map { $0 * factor }
            guard let lambda = RadialAxis.wavelength(metadata) else {
                var columns: OrderedDictionary<String, [Double]> = ["q": q, "intensity": parsed.columns[1]]
                if parsed.columns.count > 2 { columns["esd"] = parsed.columns[2] }
                let scan = Scan(name: DiffractionScan.stem(file), kind: .other, columns: columns,
                                units: ["q": "Å^-1", "intensity": "counts"], metadata: m)
                return DataFile(format: id, file: file, scans: [scan], warnings: [
                    "column '\(label)' is Q and the header gives no wavelength: kept as q (Å⁻¹); 2θ, and the pattern commands, need λ"])
            }
            let twoTheta = q.map { DiffractionAxes.twoTheta(q: $0, wavelength: lambda) }
            if let bad = twoTheta.firstIndex(where: { !$0.isFinite }) {
                throw RoentgenError.badFile(file, line: (parsed.firstDataLine ?? 0) + 1 + bad,
                                            "Q = \(q[bad]) Å⁻¹ is beyond 4π/λ for λ = \(lambda) Å from the header: expected Q in \(label)'s unit")
            }
            converted.columns[0] = twoTheta
            converted.columns.append(q)
            converted.labels.append("q")
            warnings.append("column '\(label)' is Q: 2θ computed with λ = \(lambda) Å from the header; Q kept as column q (Å⁻¹)")
        case .other(let name):
            var columns: OrderedDictionary<String, [Double]> = [name: x, "intensity": parsed.columns[1]]
            for c in 2..<max(parsed.columns.count, 2) { columns[parsed.labels.count > c ? parsed.labels[c] : "column_\(c + 1)"] = parsed.columns[c] }
            let scan = Scan(name: DiffractionScan.stem(file), kind: .other, columns: columns, units: [:], metadata: m)
            return DataFile(format: id, file: file, scans: [scan], warnings: [
                "column '\(name)' is not 2θ (a detector radius, an azimuth or d): kept under its name, not read as 2θ"])
        case .twoThetaDegrees:
            break
        }
        var scan = scan(converted, suffix: suffix, metadata: m, file: file)
        if case .q = axis { scan.units["q"] = "Å^-1" }
        if scan.radiation == nil, let lambda = RadialAxis.wavelength(metadata) { scan.radiation = .monochromatic(lambda) }
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }

    /// The scan for parsed columns: esd if the suffix or the label says so.
    static func scan(_ parsed: PatternColumns, suffix: String, metadata: Metadata, file: String) -> Scan {
        let cols = parsed.columns
        var esd: [Double]?
        var extra: [(String, [Double], String)] = []
        for c in 2..<max(cols.count, 2) {
            let label = c < parsed.labels.count ? parsed.labels[c] : ""
            let lower = label.lowercased()
            let saysError = ["err", "esd", "sigma", "uncert", "std", "dev", "sd"].contains { lower.contains($0) }
            if c == 2 && (suffix == "xye" || saysError) {
                esd = cols[c]
            } else {
                extra.append((label.isEmpty ? "column_\(c + 1)" : label, cols[c], ""))
            }
        }
        return DiffractionScan.make(name: DiffractionScan.stem(file), twoTheta: cols[0], intensity: cols[1], esd: esd,
                                    extra: extra, radiation: radiation(metadata), metadata: metadata)
    }

    /// A wavelength given in the header (`wavelength = 0.413`, `lambda: 1.5406`, pyFAI's
    /// `Wavelength: 1e-10 m`) as monochromatic radiation.
    static func radiation(_ metadata: Metadata) -> Radiation? {
        RadialAxis.wavelength(metadata).map { .monochromatic($0) }
    }

    static func warnings(_ parsed: PatternColumns, _ lines: PatternText.Lines) -> [String] {
        var out: [String] = []
        if !parsed.partialRows.isEmpty {
            let shown = parsed.partialRows.prefix(5).map { "\($0 + 1)" }.joined(separator: ", ")
            out.append("\(parsed.partialRows.count) line(s) with a missing or non-numeric 2θ or intensity skipped (line \(shown))")
        }
        let x = parsed.columns[0]
        if x.count > 1 {
            var decreasing = 0
            for i in 1..<x.count where x[i] < x[i - 1] { decreasing += 1 }
            if decreasing > 0 { out.append("2θ is not increasing at \(decreasing) point(s)") }
            if let maximum = x.max(), maximum > 180 {
                out.append("column 1 reaches \(maximum), beyond 180°: it is not 2θ in degrees (energy? an index?)")
            }
        }
        return out
    }
}
