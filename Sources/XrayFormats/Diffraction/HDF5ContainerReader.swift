import Foundation
import XrayCore

/// HDF5 files (NeXus, the ESRF/PaNOSC facilities' own format) are recognised by their 8-byte
/// signature and rejected with what to do: Roentgen does not read HDF5 yet (it would need the
/// HDF5 C library), so the 1-D data must be exported to text first.
enum HDF5ContainerReader: FormatReader {
    static let id = "hdf5"
    static let name = "HDF5 / NeXus container: recognised and rejected (not read yet; export the 1-D data)"
    static let kind = Scan.Kind.other
    static let suffixes = ["h5", "hdf5", "hdf", "nxs", "nx5", "nx"]

    /// `\x89HDF\r\n\x1a\n`, at offset 0 (or 512, 1024 … when a user block comes first).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let bytes = [UInt8](head.prefix(4096))
        var offset = 0
        while offset + 8 <= bytes.count {
            if Array(bytes[offset..<(offset + 8)]) == signature { return .certain }
            offset = offset == 0 ? 512 : offset * 2
        }
        return .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        throw RoentgenError(.unsupportedFormat,
                            "HDF5 / NeXus file (\(data.count) bytes): Roentgen does not read HDF5 yet; export the 1-D pattern or spectrum to text (e.g. with silx or h5py, or the facility's converter) and read that",
                            file: file, byteOffset: 0)
    }
}
