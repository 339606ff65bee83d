import Foundation
import XrayCore

/// The file entries of a zip or tar archive (`.tar.gz` / `.tgz` too), listed and extracted one
/// by one: what a batch run needs to treat each entry as an item of its own. Folders and the
/// metadata files archivers add are left out, as `roentgen read` leaves them out.
public enum ArchiveMembers {
    /// An opened archive.
    public struct Archive {
        public let file: String
        /// Entry paths, in archive order.
        public let paths: [String]
        private let extractor: (String) throws -> Data

        /// The bytes of the entry `path`.
        public func data(_ path: String) throws -> Data {
            guard paths.contains(path) else { throw RoentgenError(.notFound, "no entry '\(path)' in the archive", file: file) }
            return try extractor(path)
        }

        init(file: String, paths: [String], extractor: @escaping (String) throws -> Data) {
            self.file = file
            self.paths = paths
            self.extractor = extractor
        }
    }

    /// Opens the zip or tar archive in `data` (gzip-compressed tar too); `file` names it in errors.
    public static func open(_ data: Data, file: String) throws -> Archive {
        var bytes = data
        if bytes.starts(with: [0x1F, 0x8B]) { bytes = try XASGzip.decompress(bytes, file: file) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            let zip = try PatternZip(bytes, file: file)
            let entries = zip.entries.filter { !ArchiveContents.isSkipped($0.path) }
            return Archive(file: file, paths: entries.map(\.path)) { path in
                guard let entry = entries.first(where: { $0.path == path }) else { throw RoentgenError(.notFound, "no entry '\(path)'", file: file) }
                return Data(try zip.extract(entry, limit: ArchiveContents.entryLimit))
            }
        }
        if TarArchiveReader.sniff(head: bytes.prefix(512), suffix: "tar") == .certain {
            let raw = [UInt8](bytes)
            let entries = try TarArchiveReader.files(raw, file: file).filter { !ArchiveContents.isSkipped($0.path) }
            return Archive(file: file, paths: entries.map(\.path)) { path in
                guard let entry = entries.first(where: { $0.path == path }) else { throw RoentgenError(.notFound, "no entry '\(path)'", file: file) }
                return Data(raw[entry.range])
            }
        }
        throw RoentgenError(.unsupportedFormat, "not a zip or tar archive (expected PK\\3\\4 or a ustar header)", file: file)
    }
}
