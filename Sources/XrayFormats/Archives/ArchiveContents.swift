import Foundation
import XrayCore

/// What zip and tar archives share: every file entry a reader recognises is read as if it were a
/// file of its own (format detected from its content and name), and the scans and structures of
/// all entries are gathered in one `DataFile`, named `entry/path` (with the scan's own name when
/// an entry holds several). Unrecognised entries, archives inside archives and entries that fail
/// are named in the warnings; an archive with nothing readable is an error.
struct ArchiveContents {
    /// One file entry: its path in the archive and a way to get its bytes.
    struct Entry {
        var path: String
        var bytes: () throws -> Data
    }

    /// Entries larger than this are not read (a guard against zip bombs and corrupt sizes).
    static let entryLimit = 1 << 30

    /// Readers whose files are archives themselves: not opened inside an archive.
    static let archiveFormats: Set<String> = [ZipArchiveReader.id, TarArchiveReader.id, GzipReader.id, ZstandardReader.id]

    /// Folders and the metadata files archivers add (`__MACOSX/`, `._name`, `.DS_Store`).
    static func isSkipped(_ path: String) -> Bool {
        let name = FileName.last(path)
        return path.hasSuffix("/") || path.hasPrefix("__MACOSX/") || path.contains("/__MACOSX/") || name.hasPrefix("._") || name == ".DS_Store"
    }

    /// A GSAS entry's instrument file from the same folder of the archive, chosen by the rule
    /// `roentgen read` applies to a folder (same stem, else the only unclaimed one).
    static func companionInstrument(for entry: Entry, in entries: [Entry], archive: String, into read: inout DataFile) {
        let folder = String(entry.path.dropLast(FileName.last(entry.path).count))
        let siblings = entries.filter { $0.path.hasPrefix(folder) && !$0.path.dropFirst(folder.count).contains("/") }
        let names = siblings.map { String($0.path.dropFirst(folder.count)) }
        guard case .found(let name, let reason) = GSASInstrumentParameters.companion(named: String(FileName.last(entry.path)), among: names),
              let instrument = siblings.first(where: { $0.path == folder + name }) else {
            if read.scans.contains(where: { $0.radiation == nil }) {
                read.warnings.append("no wavelength in the file and no single instrument file (.prm, .instprm) beside it in the archive")
            }
            return
        }
        do {
            let parameters = try GSASInstrumentParameters.read(try instrument.bytes(), file: "\(archive)!/\(instrument.path)")
            parameters.apply(to: &read, reason: reason)
        } catch let error as RoentgenError {
            read.warnings.append("instrument file \(instrument.path) beside the data was not used: \(error.message)")
        } catch {
            read.warnings.append("instrument file \(instrument.path) beside the data was not used: \(error)")
        }
    }

    /// Reads every entry; `kind` names the archive in messages (`zip`, `tar`).
    static func read(_ entries: [Entry], file: String, format: String, kind: String) throws -> DataFile {
        var scans: [Scan] = []
        var structures: [CrystalStructure] = []
        var warnings: [String] = []
        var unrecognised: [String] = []
        let files = entries.filter { !isSkipped($0.path) }
        // GSAS instrument files are read with their data files, not on their own.
        for entry in files where !GSASInstrumentParameters.suffixes.contains(FileName.suffix(entry.path)) {
            let bytes: Data
            do {
                bytes = try entry.bytes()
            } catch let error as RoentgenError {
                warnings.append("\(entry.path): not read: \(error.message)")
                continue
            }
            guard var reader = FormatRegistry.detect(bytes, file: entry.path) else {
                unrecognised.append(entry.path)
                continue
            }
            // A compressed single file (`.xy.gz`, `.xy.zst`) is data; other archives are not opened.
            var content = bytes
            if reader.id == GzipReader.id || reader.id == ZstandardReader.id,
               let inner = try? (reader.id == GzipReader.id ? GzipReader.inner(bytes, file: entry.path) : ZstandardReader.inner(bytes, file: entry.path)),
               !archiveFormats.contains(inner.reader.id) {
                reader = inner.reader
                content = inner.data
            }
            guard !archiveFormats.contains(reader.id) else {
                warnings.append("\(entry.path): archive inside the archive, not opened (unpack it and read it on its own)")
                continue
            }
            do {
                var read = try reader.read(content, file: "\(file)!/\(entry.path)")
                if read.format == GSASReader.id { companionInstrument(for: entry, in: files, archive: file, into: &read) }
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
            throw RoentgenError.badFile(file, "\(kind) archive with \(files.count) file entr\(files.count == 1 ? "y" : "ies") and no readable data file (expected entries in the formats `roentgen formats` lists)"
                                        + (warnings.isEmpty ? "" : "; " + warnings.joined(separator: "; ")))
        }
        return DataFile(format: format, file: file, scans: scans, structures: structures, warnings: warnings)
    }
}
