import Foundation

/// Formats Roentgen recognises by their signature but does not read, so that a refusal names
/// what the file is ("HDF4 (not supported)") instead of "format not recognised".
enum UnsupportedFormats {
    /// A description of the format of `head` and what to do, or nil when the bytes are unknown.
    static func describe(_ head: Data) -> String? {
        let b = [UInt8](head.prefix(8))
        func starts(_ magic: [UInt8]) -> Bool { b.count >= magic.count && Array(b.prefix(magic.count)) == magic }
        if starts([0x0E, 0x03, 0x13, 0x01]) {
            return "HDF4 file (not supported: Roentgen reads HDF5; convert it with h4toh5)"
        }
        if starts([0x43, 0x44, 0x46]), b.count >= 4, [1, 2, 5].contains(b[3]) {
            return "NetCDF classic file (CDF version \(b[3]); not supported: Roentgen reads NetCDF-4, which is HDF5)"
        }
        if starts([0x42, 0x5A, 0x68]), b.count >= 4, (0x31...0x39).contains(b[3]) {
            return "bzip2-compressed file (not supported: decompress it with bunzip2 first)"
        }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return "xz-compressed file (not supported: decompress it with unxz first)"
        }
        return nil
    }
}
