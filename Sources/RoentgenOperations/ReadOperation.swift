import Foundation
import Integration
import OrderedCollections
import XrayCore
import XrayFormats

/// `roentgen read FILE --json` and the API's `/api/read`: any file → scans and columns, optionally
/// min/max-decimated for plotting.
public enum ReadOperation {
    /// The file read, its scans narrowed to `group` (or its structures to that name), as `read --group` does;
    /// `pixelEnergy` (A, B[, C]: E = A + B·p + C·p² in eV) calibrates pixel-indexed files.
    public static func read(_ path: String, group: String? = nil, instrument: String? = nil, pixelEnergy: [Double]? = nil) throws -> DataFile {
        var data = instrument == nil ? try ParsedFileCache.shared.read(URL(fileURLWithPath: path)).file
            : try FormatRegistry.read(URL(fileURLWithPath: path), instrument: instrument.map { URL(fileURLWithPath: $0) })
        if let pixelEnergy { data = try PixelIndexedData.calibrated(data, coefficients: pixelEnergy) }
        if data.scans.isEmpty && !data.structures.isEmpty {
            data.structures = try DataFileExport.selectStructures(data, name: group)
        } else {
            data.scans = try DataFileExport.select(data, group: group)
        }
        return data
    }

    /// Keeps only `columns` (the first column, the abscissa, always stays) and decimates each scan
    /// to at most `points` rows: the rows are cut into equal runs of rows (one run per plotted pixel
    /// column for a monotonic abscissa) and each run keeps its first row and the rows holding the
    /// minimum and maximum of each kept column, in file order. A line drawn through the kept rows
    /// covers the same vertical extent in each run as one drawn through all of them (the min/max
    /// decimation of uPlot and Chart.js).
    public static func decimated(_ file: DataFile, points: Int, columns wanted: [String]? = nil) throws -> DataFile {
        guard points >= 4 else { throw RoentgenError.badParameter("points must be at least 4, got \(points)") }
        var out = file
        out.scans = try file.scans.map { scan in
            var scan = scan
            if let wanted, let first = scan.columns.keys.first {
                for name in wanted where scan.columns[name] == nil {
                    throw RoentgenError.badParameter("no column '\(name)' in scan '\(scan.name)'; columns: \(scan.columns.keys.joined(separator: ", "))")
                }
                var kept: OrderedDictionary<String, [Double]> = [first: scan.columns[first] ?? []]
                for name in wanted { kept[name] = scan.columns[name] }
                scan.columns = kept
            }
            let n = scan.columns.values.first?.count ?? 0
            guard n > points else { return scan }
            let ys = Array(scan.columns.values.dropFirst())
            // Each run keeps at most 1 + 2·(columns) rows.
            let perRun = 1 + 2 * max(1, ys.count)
            let runs = max(1, points / perRun)
            var rows: [Int] = []
            rows.reserveCapacity(runs * perRun)
            for run in 0..<runs {
                let lo = run * n / runs, hi = (run + 1) * n / runs
                guard hi > lo else { continue }
                var picked: [Int] = [lo]
                for y in ys {
                    guard lo < y.count else { continue }
                    var iMin = lo, iMax = lo
                    for i in lo..<min(hi, y.count) {
                        let v = y[i]
                        guard v.isFinite else { continue }
                        if !(y[iMin].isFinite) || v < y[iMin] { iMin = i }
                        if !(y[iMax].isFinite) || v > y[iMax] { iMax = i }
                    }
                    picked.append(iMin); picked.append(iMax)
                }
                rows += Set(picked).sorted()
            }
            var decimated: OrderedDictionary<String, [Double]> = [:]
            for (key, values) in scan.columns { decimated[key] = rows.map { $0 < values.count ? values[$0] : .nan } }
            scan.columns = decimated
            scan.metadata["decimated"] = "\(rows.count) of \(n) rows (min/max per run of rows)"
            return scan
        }
        return out
    }
}

/// The files of one folder of the workspace: each with its detected format, kind and a one-line summary.
public enum WorkspaceListing {
    public struct Entry: Codable, Sendable, Hashable {
        /// Path relative to the workspace root, with `/`.
        public var path: String
        public var name: String
        /// `folder`, `absorption`, `diffraction`, `structure`, `image` (a detector image), `geometry` (a PONI file),
        /// `calibrant` (a pyFAI `.D` file),
        /// `other` or `unreadable`.
        public var kind: String
        /// Reader id (`xdi`, `cif`, …), nil for folders and unreadable files.
        public var format: String?
        public var size: Int64?
        public var summary: String
        public init(path: String, name: String, kind: String, format: String?, size: Int64?, summary: String) {
            self.path = path; self.name = name; self.kind = kind; self.format = format; self.size = size; self.summary = summary
        }
    }

    /// One entry for `url` (a file) named `relative` in the listing; reading failures become an `unreadable` entry.
    public static func entry(_ url: URL, relative: String) -> Entry {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
        let name = url.lastPathComponent
        do {
            if url.pathExtension.lowercased() == "poni" {
                let g = try PONIGeometry.parse(try String(contentsOf: url, encoding: .utf8), file: relative)
                let lambda = g.wavelength.map { String(format: ", λ %.5f Å", $0 * 1e10) } ?? ", no wavelength"
                let summary = String(format: "PONI geometry: distance %.2f mm, pixel %.1f × %.1f µm", g.distance * 1e3, g.pixel1 * 1e6, g.pixel2 * 1e6)
                    + lambda + (g.detector.map { ", \($0)" } ?? "")
                return Entry(path: relative, name: name, kind: "geometry", format: "poni", size: size, summary: summary)
            }
            if url.pathExtension == "D", let c = try? CalibrantFile.read(url), !c.dSpacings.isEmpty {
                return Entry(path: relative, name: name, kind: "calibrant", format: "pyfai-calibrant",
                             size: size, summary: String(format: "calibrant %@: %d rings, d %.4f to %.4f Å", c.name, c.dSpacings.count, c.dSpacings.max() ?? 0, c.dSpacings.min() ?? 0))
            }
            let file = try FormatRegistry.read(url)
            let kind: String
            if file.scans.isEmpty && !file.structures.isEmpty { kind = "structure" }
            else if file.scans.isEmpty && !file.images.isEmpty { kind = "image" }
            else { kind = file.scans.first?.kind.rawValue ?? "other" }
            // The summary's second line names the first scan: "  1. name: N points, energy …".
            let lines = DataFileSummary.text(file).split(separator: "\n", omittingEmptySubsequences: true)
            let readerName = FormatRegistry.readers.first { $0.id == file.format }?.name ?? file.format
            var summary = readerName
            if kind == "structure", let s = file.structures.first {
                summary += ": \(s.name), \(s.cellFormula), \(s.spaceGroupSymbol ?? "?")"
            } else if kind == "image", let image = file.images.first {
                let frames = image.header["frames"].flatMap { Int($0) } ?? image.frames.count
                summary = "\(image.format) image: \(image.rows) × \(image.columns), \(image.pixelType.rawValue), \(frames) frame\(frames == 1 ? "" : "s")"
            } else {
                summary += ", \(file.scans.count) scan\(file.scans.count == 1 ? "" : "s")"
                if lines.count > 1 { summary += " — " + lines[1].trimmingCharacters(in: .whitespaces) }
            }
            return Entry(path: relative, name: name, kind: kind, format: file.format, size: size, summary: summary)
        } catch {
            let message = (error as? RoentgenError)?.message ?? "\(error)"
            return Entry(path: relative, name: name, kind: "unreadable", format: nil, size: size, summary: message)
        }
    }
}
