import Foundation
import OrderedCollections
import XrayCore

/// ESRF Data Format (EDF): blocks of an ASCII header `{ Key = value ; … }` (padded, usually to a
/// multiple of 512 bytes) followed by the raw data; several blocks are several frames. `Dim_1` is
/// the fast axis (columns), `Dim_2` the slow axis (rows); `DataType` as fabio names them
/// (`SignedInteger`, `UnsignedShort`, `FloatValue` …; `SignedLong`/`UnsignedLong` are 32-bit);
/// `ByteOrder` `LowByteFirst`/`HighByteFirst`; `Size` the data bytes. The ESRF SAXS keys
/// `PSize_1/2` (m), `SampleDistance` (m), `WaveLength` (m), `Center_1/2` (px) give the geometry.
enum EDFImageReader {
    static let id = "edf"

    static func isEDF(_ head: Data, suffix: String) -> Bool {
        let start = head.prefix(1024)
        return PatternText.firstNonBlank(start) == 123
            && (PatternText.contains(start, "HeaderID") || PatternText.contains(start, "EDF_DataFormatVersion")
                || ((suffix == "edf" || PatternText.contains(start, "ByteOrder")) && PatternText.contains(start, "Dim_1")))
    }

    static let types: [String: DetectorImage.PixelType] = [
        "signedbyte": .int8, "unsignedbyte": .uint8, "signedshort": .int16, "unsignedshort": .uint16,
        "unsignedshortinteger": .uint16, "signedinteger": .int32, "unsignedinteger": .uint32,
        "signedlong": .int32, "unsignedlong": .uint32, "signed64": .int64, "unsigned64": .uint64,
        "floatvalue": .float32, "float": .float32, "floatieee32": .float32, "doublevalue": .float64,
        "double": .float64, "doubleieee64": .float64,
    ]

    static func read(_ data: Data, file: String) throws -> DetectorImage {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: false).image }
    }

    /// As `read`, with integer frames kept as stored (`StoredFrames`) instead of decoded into `frames`.
    static func readStored(_ data: Data, file: String) throws -> (image: DetectorImage, stored: StoredFrames?) {
        try data.withUnsafeBytes { try read($0, file: file, keepStored: true) }
    }

    private static func read(_ p: UnsafeRawBufferPointer, file: String, keepStored: Bool) throws -> (image: DetectorImage, stored: StoredFrames?) {
        func fail(_ offset: Int, _ message: String) -> RoentgenError { .badFile(file, byteOffset: offset, message) }
        var at = 0
        var frames: [[Double]] = []
        var headers: [OrderedDictionary<String, String>] = []   // one per frame read
        var shape: (rows: Int, columns: Int, type: DetectorImage.PixelType)?
        var stored: StoredFrames.Builder?
        while at < p.count {
            // Skips whitespace between blocks; anything else must open a header.
            while at < p.count, [0x20, 0x0A, 0x0D, 0x09, 0x00].contains(p[at]) { at += 1 }
            guard at < p.count else { break }
            guard p[at] == 0x7B else {
                if frames.isEmpty { throw fail(at, "EDF header does not start with '{'") }
                break   // trailing bytes after the last frame
            }
            guard let close = (at..<min(p.count, at + (1 << 20))).first(where: { p[$0] == 0x7D }) else {
                throw fail(at, "EDF header has no closing '}' (file truncated)")
            }
            var end = close + 1
            if end < p.count, p[end] == 0x0D { end += 1 }
            if end < p.count, p[end] == 0x0A { end += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: p[at + 1..<close]), as: UTF8.self)
            var header: OrderedDictionary<String, String> = [:]
            for statement in text.split(separator: ";") {
                guard let eq = statement.firstIndex(of: "=") else { continue }
                let key = statement[..<eq].trimmingCharacters(in: .whitespacesAndNewlines)
                guard !key.isEmpty else { continue }
                header[key] = statement[statement.index(after: eq)...].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func int(_ key: String) -> Int? { header[key].flatMap { Int($0) } }
            guard let columns = int("Dim_1"), let rows = int("Dim_2") ?? (int("Dim_1") != nil ? 1 : nil), columns > 0, rows > 0 else {
                throw fail(at, "EDF header lacks positive Dim_1/Dim_2")
            }
            if let dim3 = int("Dim_3"), dim3 > 1 {
                throw RoentgenError(.unsupportedFormat, "EDF block of 3 dimensions (Dim_3 = \(dim3)) is not read", file: file, byteOffset: at)
            }
            let typeName = header["DataType"] ?? "SignedInteger"
            guard let type = types[typeName.lowercased()] else {
                throw RoentgenError(.unsupportedFormat, "EDF DataType '\(typeName)'; known types are \(types.keys.sorted().joined(separator: ", "))", file: file, byteOffset: at)
            }
            if let compression = header["Compression"], !["none", ""].contains(compression.lowercased()) {
                throw RoentgenError(.unsupportedFormat, "EDF compression '\(compression)' is not read; uncompressed EDF only", file: file, byteOffset: at)
            }
            guard let count = ImagePixels.elementCount(rows, columns), let needed = ImagePixels.elementCount(count, type.size) else {
                throw fail(at, "EDF image of \(rows) × \(columns) is too large")
            }
            let size = int("Size") ?? int("EDF_BinarySize") ?? needed
            guard size >= needed else { throw fail(at, "EDF Size = \(size) bytes, but \(rows) × \(columns) \(typeName) pixels need \(needed)") }
            let byteOrder = (header["ByteOrder"] ?? "LowByteFirst").lowercased()
            guard byteOrder == "lowbytefirst" || byteOrder == "highbytefirst" else { throw fail(at, "EDF ByteOrder '\(header["ByteOrder"] ?? "")'; LowByteFirst or HighByteFirst expected") }
            guard needed <= p.count - end else {
                throw fail(end, "EDF data of \(needed) bytes passes the end of the file (\(p.count - end) bytes left); file truncated")
            }
            if let s = shape {
                guard s.rows == rows, s.columns == columns, s.type == type else { break }   // a different block (e.g. an error frame): stop
            } else {
                shape = (rows, columns, type)
            }
            if keepStored && StoredFrames.keeps(type) {
                if stored == nil { stored = StoredFrames.Builder(type: type, pixelsPerFrame: count) }
                stored?.append(p, offset: end, bigEndian: byteOrder == "highbytefirst")
            } else {
                frames.append(ImagePixels.decode(p, offset: end, count: count, type: type, bigEndian: byteOrder == "highbytefirst"))
            }
            headers.append(header)
            at = end + min(size, p.count - end)
        }
        guard let shape, let header = headers.first else { throw fail(0, "EDF file holds no data block") }
        var image = DetectorImage(rows: shape.rows, columns: shape.columns, frames: frames, pixelType: shape.type, format: id, header: header)
        if headers.count > 1 { image.frameHeaders = headers }
        func number(_ key: String) -> Double? { header[key].flatMap { Double($0.split(separator: " ").first ?? "") } }
        if let p1 = number("PSize_2"), let p2 = number("PSize_1"), p1 > 0, p2 > 0 { image.pixelSize = (pixel1: p1, pixel2: p2) }
        if let d = number("SampleDistance"), d > 0 { image.distance = d }
        if let w = number("WaveLength"), w > 0 { image.wavelength = w }
        if let x = number("Center_1"), let y = number("Center_2") { image.beamCenter = (x: x, y: y) }
        if let t = number("count_time") ?? number("ExposureTime") { image.exposureTime = t }
        return (image, stored?.frames)
    }
}
