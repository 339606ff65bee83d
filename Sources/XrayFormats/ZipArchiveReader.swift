import Foundation
import XrayCore

/// A zip archive of data files, as datasets are published on Zenodo, Materials Cloud or NOMAD:
/// every entry a reader recognises is read (format detected per entry, as for a file) and its
/// scans and structures are gathered, named `entry/path` (with the scan name when an entry
/// holds several). Entries no reader recognises, nested archives and entries that fail to read
/// are listed in the warnings with the reason; an archive with nothing readable is an error.
/// Container formats that are zips themselves (Bruker BRML, Rigaku RASX) keep their own readers,
/// which sniff first.
enum ZipArchiveReader: FormatReader {
    static let id = "zip"
    static let name = "Zip archive of data files (every recognised entry is read)"
    static let kind = Scan.Kind.other
    static let suffixes = ["zip"]

    /// Entries larger than this are not inflated (a guard against zip bombs).
    static let entryLimit = 1 << 30

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let magic: [UInt8] = [0x50, 0x4B, 0x03, 0x04], empty: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        let start = Array(head.prefix(4))
        // Plausible only: the zip-based formats (BRML, RASX) claim their archives with certainty.
        return start == magic || start == empty ? .plausible : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let archive = try PatternZip(data, file: file)
        var scans: [Scan] = []
        var structures: [CrystalStructure] = []
        var warnings: [String] = []
        var unrecognised: [String] = []
        var formats: [String] = []
        let entries = archive.entries.filter { !isSkipped($0.path) }
        for entry in entries {
            let where_ = "\(file)!/\(entry.path)"
            let bytes: Data
            do {
                bytes = Data(try archive.extract(entry, limit: entryLimit))
            } catch let error as RoentgenError {
                warnings.append("\(entry.path): not read: \(error.message)")
                continue
            }
            guard let reader = FormatRegistry.detect(bytes, file: entry.path) else {
                unrecognised.append(entry.path)
                continue
            }
            guard reader.id != id else {
                warnings.append("\(entry.path): nested archive, not opened (unpack it and read it on its own)")
                continue
            }
            do {
                let read = try reader.read(bytes, file: where_)
                formats.append(read.format)
                for var scan in read.scans {
                    scan.name = read.scans.count == 1 ? entry.path : "\(entry.path) [\(scan.name)]"
                    scan.metadata["archive entry"] = entry.path
                    scan.metadata["entry format"] = read.format
                    scans.append(scan)
                }
                for var structure in read.structures {
                    structure.name = read.structures.count == 1 ? entry.path : "\(entry.path) [\(structure.name)]"
                    structures.append(structure)
                }
                warnings += read.warnings.map { "\(entry.path): \($0)" }
            } catch let error as RoentgenError {
                let at = error.line.map { " (line \($0))" } ?? error.byteOffset.map { " (byte \($0))" } ?? ""
                warnings.append("\(entry.path): not read as \(reader.id)\(at): \(error.message)")
            }
        }
        if !unrecognised.isEmpty {
            let shown = unrecognised.prefix(10).joined(separator: ", ") + (unrecognised.count > 10 ? ", …" : "")
            warnings.append("\(unrecognised.count) entr\(unrecognised.count == 1 ? "y" : "ies") not recognised as data, skipped: \(shown)")
        }
        guard !scans.isEmpty || !structures.isEmpty else {
            throw RoentgenError.badFile(file, "zip archive with \(entries.count) file entr\(entries.count == 1 ? "y" : "ies") and no readable data file (expected entries in the formats `roentgen formats` lists)"
                                        + (warnings.isEmpty ? "" : "; " + warnings.joined(separator: "; ")))
        }
        return DataFile(format: id, file: file, scans: scans, structures: structures, warnings: warnings)
    }

    /// Folders and the metadata files archivers add (`__MACOSX/`, `._name`, `.DS_Store`).
    static func isSkipped(_ path: String) -> Bool {
        let name = FileName.last(path)
        return path.hasSuffix("/") || path.hasPrefix("__MACOSX/") || path.contains("/__MACOSX/") || name.hasPrefix("._") || name == ".DS_Store"
    }
}
