import Foundation
import XrayCore

/// Bounds-checked little-endian reads over the bytes of an HDF5 file. Every failure is a
/// `RoentgenError` naming the file and the byte offset, so a damaged or truncated file can
/// never be read outside its bytes. The bytes are borrowed (a large file is memory-mapped and
/// only the pages read are touched): valid only while the reader runs.
struct HDF5Bytes {
    let bytes: UnsafeRawBufferPointer
    let file: String
    /// Size of addresses ("offsets") and of lengths in bytes, from the superblock.
    var offsetSize = 8
    var lengthSize = 8
    /// Where address 0 is (the superblock's base address: non-zero after a user block).
    var base = 0

    init(_ bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    func fail(_ offset: Int, _ message: String) -> RoentgenError {
        RoentgenError.badFile(file, byteOffset: offset, "HDF5: " + message)
    }

    func unsupported(_ offset: Int, _ message: String) -> RoentgenError {
        RoentgenError(.unsupportedFormat, "HDF5: " + message, file: file, byteOffset: offset)
    }

    /// Checks that `count` bytes at `offset` lie in the file.
    @inline(__always)
    func need(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw fail(max(0, min(offset, bytes.count)), "\(what()) at byte \(offset) (\(count) bytes) runs past the end of the file (\(bytes.count) bytes); file truncated or corrupt")
        }
    }

    /// An unsigned little-endian integer of `size` bytes (1 … 8).
    func uint(_ offset: Int, _ size: Int, _ what: @autoclosure () -> String = "field") throws -> UInt64 {
        try need(offset, size, what())
        var v: UInt64 = 0
        for k in stride(from: size - 1, through: 0, by: -1) { v = v << 8 | UInt64(bytes[offset + k]) }
        return v
    }

    func u8(_ offset: Int) throws -> Int { Int(try uint(offset, 1)) }
    func u16(_ offset: Int) throws -> Int { Int(try uint(offset, 2)) }
    func u32(_ offset: Int) throws -> Int { Int(try uint(offset, 4)) }

    /// An integer stored in `size` bytes that must fit an `Int` (sizes, counts).
    func int(_ offset: Int, _ size: Int, _ what: @autoclosure () -> String = "field") throws -> Int {
        let v = try uint(offset, size, what())
        guard v <= UInt64(Int.max) else { throw fail(offset, "\(what()) \(v) is out of range") }
        return Int(v)
    }

    /// The "undefined address" (all bits set) for the file's address size.
    var undefinedAddress: UInt64 { offsetSize == 8 ? .max : (1 << UInt64(8 * offsetSize)) - 1 }

    /// An address field at `offset`: nil when undefined, else the byte position in the file
    /// (base address added), checked to lie in the file.
    func address(_ offset: Int, _ what: @autoclosure () -> String = "address") throws -> Int? {
        let raw = try uint(offset, offsetSize, what())
        if raw == undefinedAddress { return nil }
        guard raw < UInt64(bytes.count), Int(raw) + base < bytes.count else {
            throw fail(offset, "\(what()) \(raw) points past the end of the file (\(bytes.count) bytes); file truncated or corrupt")
        }
        return Int(raw) + base
    }

    /// A length field (`lengthSize` bytes).
    func length(_ offset: Int, _ what: @autoclosure () -> String = "length") throws -> Int {
        try int(offset, lengthSize, what())
    }

    /// Checks a 4-byte signature (`OHDR`, `TREE`, `SNOD` …) at `offset`.
    func expectSignature(_ offset: Int, _ signature: String, _ what: String) throws {
        try need(offset, 4, what)
        let sig = Array(signature.utf8)
        guard bytes[offset..<(offset + 4)].elementsEqual(sig) else {
            let found = String(decoding: bytes[offset..<(offset + 4)].map { (32...126).contains($0) ? $0 : 46 }, as: UTF8.self)
            throw fail(offset, "expected \(what) (signature '\(signature)'), found '\(found)'")
        }
    }

    /// A NUL-terminated (or `limit`-bounded) string at `offset`.
    func cString(_ offset: Int, limit: Int) throws -> String {
        try need(offset, 0, "string")
        let end = min(bytes.count, offset + max(0, limit))
        var i = offset
        while i < end, bytes[i] != 0 { i += 1 }
        return String(decoding: bytes[offset..<i], as: UTF8.self)
    }

    /// A copy of bytes `offset ..< offset + count` (checked).
    func slice(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        try need(offset, count, what())
        return [UInt8](bytes[offset..<(offset + count)])
    }
}
