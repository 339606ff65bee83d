import Foundation

/// MD5 (RFC 1321), streaming. Only for verifying downloads against the checksums
/// repositories publish (Zenodo gives md5); never for security.
public struct MD5: Sendable, StreamingDigest {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    private var blocks = BlockBuffer(blockSize: 64)

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

    // The four step functions of RFC 1321 §3.4: a ← b + ((a + F(b, c, d) + X[k] + T[i]) <<< s).
    // F and G in their equivalent forms with one operation fewer.
    @inline(__always) private static func ff(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        a = b &+ rotl(a &+ (d ^ (b & (c ^ d))) &+ x &+ t, s)
    }
    @inline(__always) private static func gg(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        a = b &+ rotl(a &+ (c ^ (d & (b ^ c))) &+ x &+ t, s)
    }
    @inline(__always) private static func hh(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        a = b &+ rotl(a &+ (b ^ c ^ d) &+ x &+ t, s)
    }
    @inline(__always) private static func ii(_ a: inout UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ s: UInt32, _ t: UInt32) {
        a = b &+ rotl(a &+ (c ^ (b | ~d)) &+ x &+ t, s)
    }

    /// One 64-byte block, unrolled as in RFC 1321's reference code: T[i] = floor(|sin(i + 1)| · 2^32),
    /// the message words X[k] little-endian, kept in locals (no memory traffic inside the rounds).
    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32), _ p: UnsafePointer<UInt8>) {
        let raw = UnsafeRawPointer(p)
        @inline(__always) func word(_ i: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        let (x0, x1, x2, x3, x4, x5, x6, x7) = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7))
        let (x8, x9, x10, x11, x12, x13, x14, x15) = (word(8), word(9), word(10), word(11), word(12), word(13), word(14), word(15))
        var (a, b, c, d) = state
        // Round 1
        ff(&a, b, c, d, x0, 7, 0xd76aa478); ff(&d, a, b, c, x1, 12, 0xe8c7b756); ff(&c, d, a, b, x2, 17, 0x242070db); ff(&b, c, d, a, x3, 22, 0xc1bdceee)
        ff(&a, b, c, d, x4, 7, 0xf57c0faf); ff(&d, a, b, c, x5, 12, 0x4787c62a); ff(&c, d, a, b, x6, 17, 0xa8304613); ff(&b, c, d, a, x7, 22, 0xfd469501)
        ff(&a, b, c, d, x8, 7, 0x698098d8); ff(&d, a, b, c, x9, 12, 0x8b44f7af); ff(&c, d, a, b, x10, 17, 0xffff5bb1); ff(&b, c, d, a, x11, 22, 0x895cd7be)
        ff(&a, b, c, d, x12, 7, 0x6b901122); ff(&d, a, b, c, x13, 12, 0xfd987193); ff(&c, d, a, b, x14, 17, 0xa679438e); ff(&b, c, d, a, x15, 22, 0x49b40821)
        // Round 2
        gg(&a, b, c, d, x1, 5, 0xf61e2562); gg(&d, a, b, c, x6, 9, 0xc040b340); gg(&c, d, a, b, x11, 14, 0x265e5a51); gg(&b, c, d, a, x0, 20, 0xe9b6c7aa)
        gg(&a, b, c, d, x5, 5, 0xd62f105d); gg(&d, a, b, c, x10, 9, 0x02441453); gg(&c, d, a, b, x15, 14, 0xd8a1e681); gg(&b, c, d, a, x4, 20, 0xe7d3fbc8)
        gg(&a, b, c, d, x9, 5, 0x21e1cde6); gg(&d, a, b, c, x14, 9, 0xc33707d6); gg(&c, d, a, b, x3, 14, 0xf4d50d87); gg(&b, c, d, a, x8, 20, 0x455a14ed)
        gg(&a, b, c, d, x13, 5, 0xa9e3e905); gg(&d, a, b, c, x2, 9, 0xfcefa3f8); gg(&c, d, a, b, x7, 14, 0x676f02d9); gg(&b, c, d, a, x12, 20, 0x8d2a4c8a)
        // Round 3
        hh(&a, b, c, d, x5, 4, 0xfffa3942); hh(&d, a, b, c, x8, 11, 0x8771f681); hh(&c, d, a, b, x11, 16, 0x6d9d6122); hh(&b, c, d, a, x14, 23, 0xfde5380c)
        hh(&a, b, c, d, x1, 4, 0xa4beea44); hh(&d, a, b, c, x4, 11, 0x4bdecfa9); hh(&c, d, a, b, x7, 16, 0xf6bb4b60); hh(&b, c, d, a, x10, 23, 0xbebfbc70)
        hh(&a, b, c, d, x13, 4, 0x289b7ec6); hh(&d, a, b, c, x0, 11, 0xeaa127fa); hh(&c, d, a, b, x3, 16, 0xd4ef3085); hh(&b, c, d, a, x6, 23, 0x04881d05)
        hh(&a, b, c, d, x9, 4, 0xd9d4d039); hh(&d, a, b, c, x12, 11, 0xe6db99e5); hh(&c, d, a, b, x15, 16, 0x1fa27cf8); hh(&b, c, d, a, x2, 23, 0xc4ac5665)
        // Round 4
        ii(&a, b, c, d, x0, 6, 0xf4292244); ii(&d, a, b, c, x7, 10, 0x432aff97); ii(&c, d, a, b, x14, 15, 0xab9423a7); ii(&b, c, d, a, x5, 21, 0xfc93a039)
        ii(&a, b, c, d, x12, 6, 0x655b59c3); ii(&d, a, b, c, x3, 10, 0x8f0ccc92); ii(&c, d, a, b, x10, 15, 0xffeff47d); ii(&b, c, d, a, x1, 21, 0x85845dd1)
        ii(&a, b, c, d, x8, 6, 0x6fa87e4f); ii(&d, a, b, c, x15, 10, 0xfe2ce6e0); ii(&c, d, a, b, x6, 15, 0xa3014314); ii(&b, c, d, a, x13, 21, 0x4e0811a1)
        ii(&a, b, c, d, x4, 6, 0xf7537e82); ii(&d, a, b, c, x11, 10, 0xbd3af235); ii(&c, d, a, b, x2, 15, 0x2ad7d2bb); ii(&b, c, d, a, x9, 21, 0xeb86d391)
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
