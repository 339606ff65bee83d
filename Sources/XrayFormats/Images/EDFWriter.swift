import Foundation
import XrayCore

/// Writes ESRF EDF images as fabio reads them: per frame an ASCII header (`HeaderID`, `Image`, `ByteOrder
/// = LowByteFirst`, `DataType` in fabio's names, `Dim_1` the columns, `Dim_2` the rows, `Size` in bytes, an
/// optional `title`) padded so that the data starts at a multiple of 512 bytes, then the pixels.
/// A mask is one `UnsignedByte` frame, 1 = masked, as pyFAI-calib2 saves masks (`mask(_:rows:columns:)`).
public enum EDFWriter {
    /// The element types written, with fabio's `DataType` names.
    public enum DataType: String, Sendable {
        case uint8 = "UnsignedByte", int32 = "SignedInteger", float32 = "FloatValue"
        var size: Int { self == .uint8 ? 1 : 4 }
    }

    /// The file's bytes for `frames` (each `rows × columns`, row-major), every value converted to `type`;
    /// `headers[k]`: more `key = value` lines for frame k (counters, monitors).
    public static func data(_ frames: [[Double]], rows: Int, columns: Int, type: DataType, title: String? = nil,
                            headers: [[(String, String)]] = []) -> Data {
        var out = Data()
        for (k, frame) in frames.enumerated() {
            precondition(frame.count == rows * columns, "frame of \(frame.count) pixels for \(rows) × \(columns)")
            var header = "{\nHeaderID = EH:\(String(format: "%06d", k + 1)):000000:000000 ;\nImage = \(k + 1) ;\nByteOrder = LowByteFirst ;\n"
            header += "DataType = \(type.rawValue) ;\nDim_1 = \(columns) ;\nDim_2 = \(rows) ;\nSize = \(rows * columns * type.size) ;\n"
            if let title { header += "title = \(title) ;\n" }
            for (key, value) in k < headers.count ? headers[k] : [] { header += "\(key) = \(value) ;\n" }
            // The closing "}\n" ends the header on a 512-byte boundary.
            while (header.utf8.count + 2) % 512 != 0 { header += " " }
            out.append(Data((header + "}\n").utf8))
            switch type {
            case .uint8: out.append(contentsOf: frame.map { UInt8(clamping: Int($0)) })
            case .int32: for v in frame { withUnsafeBytes(of: Int32(v).littleEndian) { out.append(contentsOf: $0) } }
            case .float32: for v in frame { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            }
        }
        return out
    }

    /// A mask file: one `UnsignedByte` frame, 1 = masked, 0 = kept (fabio, pyFAI, Dioptas and `--mask` read it).
    public static func mask(_ mask: [Bool], rows: Int, columns: Int) -> Data {
        data([mask.map { $0 ? 1 : 0 }], rows: rows, columns: columns, type: .uint8, title: "mask (1 = masked), written by roentgen")
    }
}
