import Foundation
import XrayCore

/// One array in NumPy's `.npy` format, version 1.0 (numpy/lib/format.py, "NEP 1"): the magic
/// `\x93NUMPY`, version 1.0, a little-endian uint16 header length, an ASCII Python-literal header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (n, m), }` padded with spaces and ending in a
/// newline so that the data start at a multiple of 64 bytes, then the elements in C order.
/// Only plain element types: `np.load` reads them without `allow_pickle`.
public struct NPYArray: Sendable {
    public enum Elements: Sendable {
        case float32([Float])
        case float64([Double])
        case int64([Int64])
        case uint8([UInt8])
        /// Unicode strings, stored as `<U{width}` (UCS-4, padded with zeros to the longest).
        case unicode([String])
    }

    public var elements: Elements
    public var shape: [Int]

    /// An array of `elements` with `shape` (default 1-D); the element count must match the shape.
    public init(_ elements: Elements, shape: [Int]? = nil) throws {
        let count: Int
        switch elements {
        case .float32(let v): count = v.count
        case .float64(let v): count = v.count
        case .int64(let v): count = v.count
        case .uint8(let v): count = v.count
        case .unicode(let v): count = v.count
        }
        let shape = shape ?? [count]
        guard shape.reduce(1, *) == count, shape.allSatisfy({ $0 >= 0 }) else {
            throw RoentgenError.badParameter("an array of \(count) elements cannot have the shape \(shape)")
        }
        self.elements = elements
        self.shape = shape
    }

    /// NumPy's type string.
    public var descr: String {
        switch elements {
        case .float32: return "<f4"
        case .float64: return "<f8"
        case .int64: return "<i8"
        case .uint8: return "|u1"
        case .unicode(let v): return "<U\(Self.width(v))"
        }
    }

    static func width(_ strings: [String]) -> Int { max(1, strings.map(\.unicodeScalars.count).max() ?? 1) }

    /// The header: magic, version 1.0, length and the padded dictionary (a multiple of 64 bytes).
    public var header: [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(text.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8)
    }

    /// Calls `body` with the elements' bytes in C order: the array's own storage for numbers
    /// (little-endian hosts: x86-64, arm64), UCS-4 words made here for strings.
    public func withElementBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch elements {
        case .float32(let v): return try v.withUnsafeBytes(body)
        case .float64(let v): return try v.withUnsafeBytes(body)
        case .int64(let v): return try v.withUnsafeBytes(body)
        case .uint8(let v): return try v.withUnsafeBytes(body)
        case .unicode(let v):
            let w = Self.width(v)
            var words = [UInt32](repeating: 0, count: v.count * w)
            for (i, s) in v.enumerated() {
                for (j, scalar) in s.unicodeScalars.enumerated() { words[i * w + j] = scalar.value }
            }
            return try words.withUnsafeBytes(body)
        }
    }

    /// The whole `.npy` file.
    public func data() -> Data {
        var out = Data(header)
        withElementBytes { out.append(contentsOf: $0) }
        return out
    }
}

/// A NumPy `.npz` file: a zip archive of `.npy` members (PKWARE APPNOTE 6.3), written uncompressed
/// ("stored", as `numpy.savez` does), with CRC-32 and sizes in the local headers and the central
/// directory. Members are streamed to the sink from the arrays' own storage; the CRC-32 of a large
/// member is computed on all cores in parts and combined. An archive whose members or offsets
/// reach 4 GiB is written as Zip64 (APPNOTE 4.3.14, 4.5.3: Zip64 extra fields, the Zip64 end of
/// central directory record and its locator), as Python's `zipfile` (and so `numpy.load`) reads it.
public enum NPZWriter {
    /// The archive of `arrays` (name without `.npy` → array), in the given order.
    public static func data(_ arrays: [(name: String, array: NPYArray)], zip64: Bool = false) throws -> Data {
        var sink = DataSink()
        try write(arrays, to: &sink, zip64: zip64)
        return sink.data
    }

    /// Writes the archive to `sink`. `zip64` writes every size and offset as Zip64 even when small
    /// (for tests of readers); larger archives are Zip64 anyway.
    public static func write<Sink: ByteSink>(_ arrays: [(name: String, array: NPYArray)], to sink: inout Sink, zip64 forced: Bool = false) throws {
        guard arrays.count < 0xFFFF else { throw RoentgenError.badParameter("\(arrays.count) arrays: an .npz holds at most 65,534 here") }
        let limit: UInt64 = 0xFFFF_FFFF
        var central: [UInt8] = []
        for (name, array) in arrays {
            let fileName = Array((name + ".npy").utf8)
            let header = array.header
            let offset = sink.offset
            try array.withElementBytes { body in
                let size = UInt64(header.count + body.count)
                let crc = PatternCRC32.combine(header.withUnsafeBytes { PatternCRC32.checksum($0) }, PatternCRC32.parallelChecksum(body), lengthB: UInt64(body.count))
                let big = forced || size >= limit
                // Local file header: version 2.0 (4.5 for Zip64), no flags, stored, DOS time 1980-01-01 00:00;
                // Zip64: sizes 0xFFFFFFFF, both in the extra field.
                var local: [UInt8] = []
                le32(0x0403_4B50, &local); le16(big ? 45 : 20, &local); le16(0, &local); le16(0, &local); le16(0, &local); le16(0x21, &local)
                le32(crc, &local); le32(big ? UInt32(limit) : UInt32(size), &local); le32(big ? UInt32(limit) : UInt32(size), &local)
                le16(fileName.count, &local); le16(big ? 20 : 0, &local)
                local += fileName
                if big { le16(1, &local); le16(16, &local); le64(size, &local); le64(size, &local) }
                try sink.append(local)
                try sink.append(header)
                try sink.append(body)
                // Central directory entry: the fields that overflow (or all, when forced) go to the Zip64 extra field.
                let farOffset = forced || offset >= limit
                var extra: [UInt8] = []
                if big { le64(size, &extra); le64(size, &extra) }
                if farOffset { le64(offset, &extra) }
                let zip64 = big || farOffset
                le32(0x0201_4B50, &central); le16(zip64 ? 45 : 20, &central); le16(zip64 ? 45 : 20, &central); le16(0, &central); le16(0, &central)
                le16(0, &central); le16(0x21, &central)
                le32(crc, &central); le32(big ? UInt32(limit) : UInt32(size), &central); le32(big ? UInt32(limit) : UInt32(size), &central)
                le16(fileName.count, &central); le16(extra.isEmpty ? 0 : extra.count + 4, &central); le16(0, &central); le16(0, &central); le16(0, &central)
                le32(0, &central); le32(farOffset ? UInt32(limit) : UInt32(offset), &central)
                central += fileName
                if !extra.isEmpty { le16(1, &central); le16(extra.count, &central); central += extra }
            }
        }
        let centralOffset = sink.offset
        try sink.append(central)
        var end: [UInt8] = []
        let zip64End = forced || centralOffset >= limit || UInt64(central.count) >= limit
        if zip64End {
            // Zip64 end of central directory record (size of the rest: 44 bytes), then its locator.
            let recordOffset = sink.offset
            le32(0x0606_4B50, &end); le64(44, &end); le16(45, &end); le16(45, &end); le32(0, &end); le32(0, &end)
            le64(UInt64(arrays.count), &end); le64(UInt64(arrays.count), &end); le64(UInt64(central.count), &end); le64(centralOffset, &end)
            le32(0x0706_4B50, &end); le32(0, &end); le64(recordOffset, &end); le32(1, &end)
        }
        // End of central directory (0xFFFFFFFF where the Zip64 record holds the value).
        le32(0x0605_4B50, &end); le16(0, &end); le16(0, &end); le16(arrays.count, &end); le16(arrays.count, &end)
        le32(zip64End ? UInt32(limit) : UInt32(central.count), &end); le32(zip64End ? UInt32(limit) : UInt32(centralOffset), &end); le16(0, &end)
        try sink.append(end)
    }

    static func le16(_ v: Int, _ d: inout [UInt8]) { d.append(UInt8(v & 0xFF)); d.append(UInt8((v >> 8) & 0xFF)) }
    static func le32(_ v: UInt32, _ d: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    static func le64(_ v: UInt64, _ d: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
}
