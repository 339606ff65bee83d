import Foundation
import CRoentgenSHA

/// SHA-256 (FIPS 180-4), streaming. Used for provenance and for the download cache's
/// content addresses; Foundation on Linux has no CryptoKit.
///
/// The block compression runs on the x86 SHA extensions when the CPU has them (about 1.5 GB/s,
/// see CRoentgenSHA) and in Swift otherwise (about 250 MB/s); both give the same digests.
public struct SHA256: Sendable {
    /// Which block compression a hasher uses (SPI for the tests and Benchmarks/sha256).
    @_spi(Benchmarks) public enum Implementation: Sendable {
        /// The x86 SHA extensions (SHA256RNDS2 …), through CRoentgenSHA.
        case hardware
        /// The portable Swift compression below.
        case software
    }

    /// Whether this CPU has the SHA extensions (checked once, with cpuid).
    @_spi(Benchmarks) public static let hardwareAvailable: Bool = roentgen_sha256_hw_available() != 0

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var blocks = BlockBuffer(blockSize: 64)
    /// The compression in use; tests force `.software` to compare the two paths.
    @_spi(Benchmarks) public let implementation: Implementation

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {
        implementation = Self.hardwareAvailable ? .hardware : .software
    }

    /// A hasher with a given compression; `.hardware` falls back to `.software` on a CPU without it.
    @_spi(Benchmarks) public init(implementation: Implementation) {
        self.implementation = implementation == .hardware && Self.hardwareAvailable ? .hardware : .software
    }

    /// Feeds more bytes.
    public mutating func update<D: DataProtocol>(_ data: D) {
        var s = state
        switch implementation {
        case .hardware:
            blocks.appendRuns(data) { start, count in
                withUnsafeMutableBytes(of: &s) { words in
                    roentgen_sha256_hw_blocks(words.baseAddress!.assumingMemoryBound(to: UInt32.self), start, count)
                }
            }
        case .software:
            blocks.append(data) { Self.compress(&s, $0) }
        }
        state = s
    }

    /// Finishes and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        update(blocks.padding(lengthBytes: 8, bigEndian: true))
        var digest: [UInt8] = []
        for word in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7] {
            digest += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
        }
        return digest
    }

    /// Lower-case hex digest of `data`.
    public static func hex<D: DataProtocol>(_ data: D) -> String {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Lower-case hex digest of a file's bytes, read in 1 MiB chunks.
    public static func hex(ofFileAt url: URL) throws -> String {
        try hexDigest(ofFileAt: url)
    }

    @inline(__always) private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    /// One 64-byte block, without heap allocation (the message schedule lives on the stack).
    private static func compress(_ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                                 _ p: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                w[i] = UInt32(p[4 * i]) << 24 | UInt32(p[4 * i + 1]) << 16 | UInt32(p[4 * i + 2]) << 8 | UInt32(p[4 * i + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            k.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h)
        }
    }
}
