import Foundation
import XrayCore

/// A zip archive of data files, as datasets are published on Zenodo, Materials Cloud or NOMAD:
/// read entry by entry (`ArchiveContents`). Container formats that are zips themselves (Bruker
/// BRML, Rigaku RASX) keep their own readers, which sniff first.
enum ZipArchiveReader: FormatReader {
    static let id = "zip"
    static let name = "Zip archive of data files (every recognised entry is read)"
    static let kind = Scan.Kind.other
    static let suffixes = ["zip"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let magic: [UInt8] = [0x50, 0x4B, 0x03, 0x04], empty: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        let start = Array(head.prefix(4))
        // Plausible only: the zip-based formats (BRML, RASX) claim their archives with certainty.
        return start == magic || start == empty ? .plausible : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let archive = try PatternZip(data, file: file)
        let entries = archive.entries.map { entry in
            ArchiveContents.Entry(path: entry.path) { Data(try archive.extract(entry, limit: ArchiveContents.entryLimit)) }
        }
        return try ArchiveContents.read(entries, file: file, format: id, kind: "zip")
    }
}
