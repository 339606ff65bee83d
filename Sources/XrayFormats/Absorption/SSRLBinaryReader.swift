import Foundation
import OrderedCollections
import XrayCore

/// SSRL EXAFS Data Collector binary files (versions 1.x and 2.x).
///
/// Layout (after Tsu-Chien Weng's description, as used by SixPack and Demeter): 800 bytes of
/// text records (title `SSRL - EXAFS Data Collector <version>`, date, `PTS: n COLS: m`, scaler
/// file, region file, mirror info, mirror parameters, six comment lines), then m float32
/// offsets, m float32 weights, m × 20-byte labels, 16 bytes (point count and padding), then
/// n × m float32 values. Versions below 2.0 store VAX F-floats: the 16-bit halves are swapped
/// and the value is 4× the IEEE one. Columns keep the file's labels; energy is the achieved
/// energy.
public enum SSRLBinaryReader: FormatReader {
    public static let id = "ssrl-binary"
    public static let name = "SSRL EXAFS Data Collector binary (1.x VAX floats, 2.x)"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard head.count >= 80 else { return .no }
        let title = String(decoding: head.prefix(40), as: UTF8.self)
        let isSSRL = title.trimmingCharacters(in: .whitespaces).hasPrefix("SSRL") && title.contains("EXAFS Data Collector")
        return isSSRL && head.prefix(80).contains(0) ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        var c = XASBinaryCursor(data, file: file)
        let title = try c.text(40, "the title record")
        guard title.hasPrefix("SSRL"), let versionWord = title.split(separator: " ").last, let version = Double(versionWord) else {
            throw RoentgenError.badFile(file, byteOffset: 0, "expected the title 'SSRL - EXAFS Data Collector <version>'")
        }
        var header = [title, try c.text(40, "the date record")]
        let info = try c.text(40, "the data-info record")
        header.append(info)
        let words = info.split(separator: " ").map(String.init)
        guard let pi = words.firstIndex(of: "PTS:"), pi + 1 < words.count, let npts = Int(words[pi + 1]),
              let ci = words.firstIndex(of: "COLS:"), ci + 1 < words.count, let ncol = Int(words[ci + 1]),
              npts > 0, ncol > 0, ncol < 1000 else {
            throw RoentgenError.badFile(file, byteOffset: 80, "expected 'PTS: <n> COLS: <m>' in the third header record, found '\(info)'")
        }
        for (size, what) in [(40, "scaler file"), (40, "region file"), (80, "mirror info"), (40, "mirror parameters")] {
            header.append(try c.text(size, "the \(what) record"))
        }
        for k in 1...6 { header.append(try c.text(80, "comment record \(k)")) }
        let vax = version < 2.0
        var offsets: [Double] = [], weights: [Double] = []
        for _ in 0..<ncol { offsets.append(try c.float32(vax: vax, "the column offsets")) }
        for _ in 0..<ncol { weights.append(try c.float32(vax: vax, "the column weights")) }
        var labels: [String] = []
        for k in 0..<ncol { labels.append(try c.text(20, "the label of column \(k + 1)")) }
        try c.skip(16, "the point count")
        try c.require(npts * ncol * 4, "the data (\(npts) points × \(ncol) columns)")
        var values = [Double](repeating: 0, count: npts * ncol)
        for k in 0..<(npts * ncol) { values[k] = try c.float32(vax: vax, "the data") }
        var metadata = Metadata()
        metadata["header"] = header.filter { !$0.isEmpty }.joined(separator: "\n")
        metadata["version"] = String(version)
        metadata["offsets"] = offsets.map { String(format: "%.3f", $0) }.joined(separator: " ")
        metadata["weights"] = weights.map { String(format: "%.3f", $0) }.joined(separator: " ")
        let names = XASLabelGuesser.finish(labels, ncol)
        if let i0 = names.firstIndex(of: "i0"), let i1 = names.firstIndex(of: "i1"), i0 < i1 {
            metadata["suggested_mu"] = "ln(i0/i1)"
        }
        var warnings: [String] = []
        if c.remaining > 0 { warnings.append("\(c.remaining) bytes after the data ignored") }
        let scan = ColumnASCIIReader.absorptionScan(file: file, columns: XASColumns.split(values, rows: npts, columns: ncol, names: names),
                                                    header: header, metadata: metadata, warnings: &warnings)
        return DataFile(format: id, file: file, scans: [scan], warnings: warnings)
    }
}
