import Foundation

/// MD5 (RFC 1321), streaming. Only for verifying downloads against the checksums
/// repositories publish (Zenodo gives md5); never for security.
public struct MD5: Sendable, StreamingDigest {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    private var blocks = BlockBuffer(blockSize: 64)

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    /// floor(abs(sin(i + 1)) · 2^32).
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4294967296.0)) }

    public init() {}

    /// Feeds more bytes.
    public mutating func update<D: DataProtocol>(_ data: D) {
        var s = state
        blocks.append(data) { Self.compress(&s, $0) }
        state = s
    }

    /// Finishes and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        let tail = blocks.padding(lengthBytes: 8, bigEndian: false)
        update(tail)
        var digest: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3] {
            for shift in stride(from: 0, through: 24, by: 8) { digest.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        return digest
    }

    @inline(__always) private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }

    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ p: UnsafePointer<UInt8>) {
        var m = (UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0),
                 UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0), UInt32(0))
        withUnsafeMutableBytes(of: &m) { words in
            let w = words.bindMemory(to: UInt32.self)
            for i in 0..<16 {
                w[i] = UInt32(p[4 * i]) | UInt32(p[4 * i + 1]) << 8 | UInt32(p[4 * i + 2]) << 16 | UInt32(p[4 * i + 3]) << 24
            }
        }
        var (a, b, c, d) = state
        withUnsafeBytes(of: &m) { words in
            let w = words.bindMemory(to: UInt32.self)
            k.withUnsafeBufferPointer { k in
                shifts.withUnsafeBufferPointer { s in
                    // One step: a ← b + rotl(a + f + K[i] + M[g], s[i]), then rotate (a, b, c, d).
                    @inline(__always) func step(_ f: UInt32, _ i: Int, _ g: Int) {
                        let t = d
                        d = c; c = b
                        b = b &+ rotl(a &+ f &+ k[i] &+ w[g], s[i])
                        a = t
                    }
                    for i in 0..<16 { step((b & c) | (~b & d), i, i) }
                    for i in 16..<32 { step((d & b) | (~d & c), i, (5 * i + 1) & 15) }
                    for i in 32..<48 { step(b ^ c ^ d, i, (3 * i + 5) & 15) }
                    for i in 48..<64 { step(c ^ (b | ~d), i, (7 * i) & 15) }
                }
            }
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
