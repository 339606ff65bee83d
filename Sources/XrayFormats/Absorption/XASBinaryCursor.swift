import Foundation
import XrayCore

/// Bounds-checked reading of little-endian binary records; every overrun is a `RoentgenError`
/// with the byte offset, never a trap.
struct XASBinaryCursor {
    let bytes: [UInt8]
    let file: String
    var offset = 0

    init(_ data: Data, file: String) {
        self.bytes = [UInt8](data)
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    func require(_ count: Int, _ what: String) throws {
        guard count >= 0, offset + count <= bytes.count else {
            throw RoentgenError.badFile(file, byteOffset: offset, "file ends inside \(what): \(count) bytes needed, \(max(0, remaining)) left")
        }
    }

    /// `count` bytes as text (NULs and trailing blanks removed).
    mutating func text(_ count: Int, _ what: String) throws -> String {
        try require(count, what)
        let slice = bytes[offset..<(offset + count)].filter { $0 != 0 }
        offset += count
        let s = String(decoding: slice, as: UTF8.self)
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    mutating func skip(_ count: Int, _ what: String) throws {
        try require(count, what)
        offset += count
    }

    /// A 4-byte float; `vax` reorders the 16-bit halves and divides by 4 (VAX F-floating).
    mutating func float32(vax: Bool = false, _ what: String) throws -> Double {
        try require(4, what)
        let b = bytes
        let o = offset
        offset += 4
        let bits: UInt32 = vax
            ? UInt32(b[o + 2]) | UInt32(b[o + 3]) << 8 | UInt32(b[o]) << 16 | UInt32(b[o + 1]) << 24
            : UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
        let v = Double(Float(bitPattern: bits))
        return vax ? v / 4 : v
    }

    mutating func int32(_ what: String) throws -> Int {
        try require(4, what)
        let b = bytes, o = offset
        offset += 4
        return Int(Int32(bitPattern: UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24))
    }
}
