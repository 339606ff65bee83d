import Foundation

/// Writes a mask as an ESRF EDF image, as pyFAI-calib2 saves masks: one frame of `UnsignedByte`
/// pixels, 1 = masked, 0 = kept; `Dim_1` the columns (fast axis), `Dim_2` the rows; the ASCII header
/// padded so that the data starts at a multiple of 512 bytes. fabio, pyFAI, Dioptas and Roentgen's own
/// `--mask` read it.
public enum EDFMaskWriter {
    /// The file's bytes for `mask` (`rows × columns`, row-major, true = masked).
    public static func data(_ mask: [Bool], rows: Int, columns: Int) -> Data {
        precondition(mask.count == rows * columns, "mask of \(mask.count) pixels for \(rows) × \(columns)")
        var header = "{\nHeaderID = EH:000001:000000:000000 ;\nImage = 1 ;\nByteOrder = LowByteFirst ;\nDataType = UnsignedByte ;\n"
        header += "Dim_1 = \(columns) ;\nDim_2 = \(rows) ;\nSize = \(rows * columns) ;\ntitle = mask (1 = masked), written by roentgen ;\n"
        // The closing "}\n" ends the header on a 512-byte boundary.
        while (header.utf8.count + 2) % 512 != 0 { header += " " }
        var out = Data((header + "}\n").utf8)
        out.append(contentsOf: mask.map { $0 ? UInt8(1) : 0 })
        return out
    }
}
