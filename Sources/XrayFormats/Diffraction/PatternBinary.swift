import Foundation
import XrayCore

/// A bounds-checked little-endian reader over a binary file.
///
/// Every read checks the remaining length first and throws a `RoentgenError` naming the file,
/// the byte offset and what was being read, so a truncated or corrupt file can never cause an
/// out-of-range access.
struct PatternBinary {
    let bytes: [UInt8]
    let file: String
    /// Current byte offset.
    var offset: Int = 0

    init(_ data: Data, file: String) {
        self.bytes = [UInt8](data)
        self.file = file
    }

    var count: Int { bytes.count }
    var remaining: Int { bytes.count - offset }
    var atEnd: Bool { offset >= bytes.count }

    /// Throws unless `n` bytes are available at `at` (default: the current offset).
    func require(_ n: Int, at: Int? = nil, _ what: @autoclosure () -> String) throws {
        let position = at ?? offset
        guard n >= 0, position >= 0, position <= bytes.count, bytes.count - position >= n else {
            throw RoentgenError.badFile(file, byteOffset: position,
                                        "file ends after \(bytes.count) bytes, expected \(n) bytes of \(what()) (truncated file?)")
        }
    }

    mutating func seek(_ position: Int, _ what: @autoclosure () -> String) throws {
        try require(0, at: position, what())
        offset = position
    }

    mutating func skip(_ n: Int, _ what: @autoclosure () -> String = "data") throws {
        try require(n, what())
        offset += n
    }

    func peekUInt32(at position: Int) -> UInt32? {
        guard position >= 0, bytes.count - position >= 4 else { return nil }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8
            | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }

    mutating func uint16(_ what: @autoclosure () -> String) throws -> Int {
        try require(2, what())
        let v = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
        offset += 2
        return v
    }

    mutating func uint32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try require(4, what())
        let v = peekUInt32(at: offset)!
        offset += 4
        return v
    }

    mutating func int32(_ what: @autoclosure () -> String) throws -> Int {
        Int(Int32(bitPattern: try uint32(what())))
    }

    mutating func float32(_ what: @autoclosure () -> String) throws -> Double {
        Double(Float(bitPattern: try uint32(what())))
    }

    mutating func float64(_ what: @autoclosure () -> String) throws -> Double {
        try require(8, what())
        var raw: UInt64 = 0
        for k in 0..<8 { raw |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return Double(bitPattern: raw)
    }

    /// A fixed-width text field: bytes up to the first NUL, Latin-1/UTF-8, blanks trimmed.
    mutating func string(_ length: Int, _ what: @autoclosure () -> String) throws -> String {
        try require(length, what())
        var end = offset
        while end < offset + length, bytes[end] != 0 { end += 1 }
        let s = PatternText.string(bytes, offset..<end).trimmingCharacters(in: .whitespacesAndNewlines)
        offset += length
        return s
    }

    /// `n` little-endian float32 values as doubles, read in one bounds-checked step.
    mutating func float32Array(_ n: Int, _ what: @autoclosure () -> String) throws -> [Double] {
        try float32Array(n, stride: 4, what())
    }

    /// The leading little-endian float32 of each of `n` records of `stride` bytes (≥ 4), as
    /// doubles; the offset moves past all `n` records.
    mutating func float32Array(_ n: Int, stride: Int, _ what: @autoclosure () -> String) throws -> [Double] {
        guard stride >= 4, n >= 0, n <= remaining / stride else {
            throw RoentgenError.badFile(file, byteOffset: offset,
                                        "file ends after \(bytes.count) bytes, expected \(n) × \(stride) bytes of \(what()) (truncated file?)")
        }
        var out = [Double](repeating: 0, count: n)
        let start = offset
        bytes.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for k in 0..<n {
                    let q = start + stride * k
                    let raw = UInt32(p[q]) | UInt32(p[q + 1]) << 8 | UInt32(p[q + 2]) << 16 | UInt32(p[q + 3]) << 24
                    o[k] = Double(Float(bitPattern: raw))
                }
            }
        }
        offset += stride * n
        return out
    }
}
