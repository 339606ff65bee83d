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

    /// The whole `.npy` file.
    public func data() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        out.append(contentsOf: Array(header.utf8))
        switch elements {
        case .float32(let v): v.withUnsafeBufferPointer { out.append($0) }   // little-endian hosts (x86-64, arm64)
        case .float64(let v): v.withUnsafeBufferPointer { out.append($0) }
        case .int64(let v): v.withUnsafeBufferPointer { out.append($0) }
        case .uint8(let v): out.append(contentsOf: v)
        case .unicode(let v):
            let w = Self.width(v)
            var words = [UInt32](repeating: 0, count: v.count * w)
            for (i, s) in v.enumerated() {
                for (j, scalar) in s.unicodeScalars.enumerated() { words[i * w + j] = scalar.value }
            }
            words.withUnsafeBufferPointer { out.append($0) }
        }
        return out
    }
}

/// A NumPy `.npz` file: a zip archive of `.npy` members, written uncompressed ("stored", as
/// `numpy.savez` does), with CRC-32 and sizes in the local headers and the central directory.
/// Members and the whole archive stay below 4 GiB (no Zip64).
public enum NPZWriter {
    /// The archive of `arrays` (name without `.npy` → array), in the given order.
    public static func data(_ arrays: [(name: String, array: NPYArray)]) throws -> Data {
        var out = Data()
        var central = Data()
        func le16(_ v: Int, _ d: inout Data) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)]) }
        func le32(_ v: UInt32, _ d: inout Data) { d.append(contentsOf: withUnsafeBytes(of: v.littleEndian, Array.init)) }
        for (name, array) in arrays {
            let member = array.data()
            let fileName = Array((name + ".npy").utf8)
            guard member.count < 0xFFFF_FFFF, out.count < 0xFFFF_FFFF else {
                throw RoentgenError.badParameter("array '\(name)' makes the .npz larger than 4 GiB (no Zip64 here): export fewer patterns or a coarser grid")
            }
            let crc = member.withUnsafeBytes { PatternCRC32.checksum($0) }
            let offset = UInt32(out.count)
            // Local file header: version 2.0, no flags, stored, DOS time 1980-01-01 00:00.
            le32(0x0403_4B50, &out); le16(20, &out); le16(0, &out); le16(0, &out); le16(0, &out); le16(0x21, &out)
            le32(crc, &out); le32(UInt32(member.count), &out); le32(UInt32(member.count), &out)
            le16(fileName.count, &out); le16(0, &out)
            out.append(contentsOf: fileName)
            out.append(member)
            // Central directory entry.
            le32(0x0201_4B50, &central); le16(20, &central); le16(20, &central); le16(0, &central); le16(0, &central)
            le16(0, &central); le16(0x21, &central)
            le32(crc, &central); le32(UInt32(member.count), &central); le32(UInt32(member.count), &central)
            le16(fileName.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0, &central); le32(offset, &central)
            central.append(contentsOf: fileName)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        // End of central directory.
        le32(0x0605_4B50, &out); le16(0, &out); le16(0, &out); le16(arrays.count, &out); le16(arrays.count, &out)
        le32(UInt32(central.count), &out); le32(centralOffset, &out); le16(0, &out)
        return out
    }
}
