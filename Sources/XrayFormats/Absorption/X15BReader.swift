import Foundation
import OrderedCollections
import XrayCore

/// NSLS X15B binary files (written by Tim Darling's Turbo Pascal acquisition): a 212-byte
/// header (53 four-byte words, starting with byte 212 and three NULs; the project name and date
/// are text inside it), then records of 16 little-endian float32: a record marker, 14 values
/// and a second marker (the integer 64 read as a float), which is dropped.
/// Columns (1-based, as Demeter's X15B plugin): 1 energy (eV), 7 i0, 8 wide and 9 narrow Ge
/// detector windows, 11 transmission; the others are `col<N>`.
public enum X15BReader: FormatReader {
    public static let id = "x15b"
    public static let name = "NSLS X15B binary"
    public static let kind = Scan.Kind.absorption
    public static let suffixes = ["dat"]

    static let headerSize = 212
    static let recordSize = 64

    public static func sniff(head: Data, suffix: String) -> SniffConfidence {
        head.starts(with: [0xD4, 0, 0, 0]) ? .certain : .no
    }

    public static func read(_ data: Data, file: String) throws -> DataFile {
        var c = XASBinaryCursor(data, file: file)
        guard data.starts(with: [0xD4, 0, 0, 0]) else {
            throw RoentgenError.badFile(file, byteOffset: 0, "expected the X15B signature (byte 212 and three NULs)")
        }
        try c.require(headerSize, "the 212-byte header")
        let headerText = String(decoding: data.prefix(headerSize).map { $0 >= 32 && $0 < 127 ? $0 : 32 }, as: UTF8.self)
            .split(separator: " ").joined(separator: " ")
        c.offset = headerSize
        let body = data.count - headerSize
        guard body > 0, body % recordSize == 0 else {
            throw RoentgenError.badFile(file, byteOffset: headerSize + body / recordSize * recordSize,
                                        "expected whole records of \(recordSize) bytes after the header; the last one is cut (\(body % recordSize) bytes)")
        }
        let rows = body / recordSize
        var values: [Double] = []
        values.reserveCapacity(rows * 14)
        for _ in 0..<rows {
            _ = try c.float32("a record marker")
            for _ in 0..<14 { values.append(try c.float32("a data record")) }
            _ = try c.float32("a record marker")
        }
        var names = (1...14).map { "col\($0)" }
        names[0] = "energy"; names[6] = "i0"; names[7] = "wide"; names[8] = "narrow"; names[10] = "trans"
        var metadata = Metadata()
        metadata["header"] = headerText
        metadata["suggested_mu"] = "narrow/i0"
        let stem = FileName.stem(file)
        let scan = Scan(name: stem, kind: .absorption, columns: XASColumns.split(values, rows: rows, columns: 14, names: names),
                        units: ["energy": "eV"], metadata: metadata)
        return DataFile(format: id, file: file, scans: [scan])
    }
}
