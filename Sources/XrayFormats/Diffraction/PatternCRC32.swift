import Foundation

/// CRC-32 (ISO-HDLC / zip polynomial 0xEDB88320), slicing-by-8: eight table lookups per eight
/// bytes instead of one per byte (ZIPFoundation's built-in CRC on Linux is byte-at-a-time).
enum PatternCRC32 {
    /// 8 × 256 tables: `tables[k][b]` is the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[b] = c
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32 of `bytes` (as stored in zip and gzip headers).
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The CRC-32 of the bytes of `raw`.
    static func checksum(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        tables.withUnsafeBufferPointer { tp in
            do {
                let t = tp.baseAddress!
                var c: UInt32 = 0xFFFF_FFFF
                var i = 0
                let n = raw.count
                while i + 8 <= n {
                    let lo = raw.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ c
                    let hi = raw.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                    c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                        ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                        ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                        ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                    i += 8
                }
                while i < n {
                    c = t[Int((c ^ UInt32(raw[i])) & 0xFF)] ^ (c >> 8)
                    i += 1
                }
                return ~c
            }
        }
    }

    /// The CRC-32 of A followed by B from the CRC-32 of A, that of B and B's length (zlib's
    /// `crc32_combine`, M. Adler): the CRC register is a polynomial over GF(2), so appending B
    /// multiplies A's CRC by x^(8·|B|) modulo the zip polynomial before B's CRC is added.
    static func combine(_ crcA: UInt32, _ crcB: UInt32, lengthB: UInt64) -> UInt32 {
        multiply(powerOfX(8 &* lengthB), crcA) ^ crcB
    }

    /// a·b modulo the polynomial, both in the reflected bit order of the CRC (x^0 is bit 31).
    static func multiply(_ a: UInt32, _ b: UInt32) -> UInt32 {
        var a = a, b = b, product: UInt32 = 0
        while a != 0 {
            if a & 0x8000_0000 != 0 { product ^= b }
            a <<= 1
            b = b & 1 != 0 ? (b >> 1) ^ 0xEDB8_8320 : b >> 1
        }
        return product
    }

    /// x^(2^k) modulo the polynomial, k = 0 … 63.
    private static let powersOfXSquared: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 64)
        var p: UInt32 = 1 << 30   // x^1
        for k in 0..<64 { table[k] = p; p = multiply(p, p) }
        return table
    }()

    /// x^n modulo the polynomial (square-and-multiply over the bits of n).
    static func powerOfX(_ n: UInt64) -> UInt32 {
        var p: UInt32 = 1 << 31   // x^0
        var n = n, k = 0
        while n != 0 {
            if n & 1 != 0 { p = multiply(powersOfXSquared[k], p) }
            n >>= 1
            k += 1
        }
        return p
    }

    /// The CRC-32 of `raw`, its parts checked on all cores and combined (for arrays of hundreds of MB).
    static func parallelChecksum(_ raw: UnsafeRawBufferPointer) -> UInt32 {
        let parts = raw.count < 1 << 22 ? 1 : min(64, ProcessInfo.processInfo.activeProcessorCount * 4)
        guard parts > 1 else { return checksum(raw) }
        let size = (raw.count + parts - 1) / parts
        let crcs = [UInt32](unsafeUninitializedCapacity: parts) { out, initialized in
            let slots = UnsafeSendable(out), bytes = UnsafeSendable(raw)
            DispatchQueue.concurrentPerform(iterations: parts) { k in
                let raw = bytes.value
                let start = min(raw.count, k * size), end = min(raw.count, start + size)
                slots.value[k] = checksum(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
            }
            initialized = parts
        }
        var crc = crcs[0]
        for k in 1..<parts {
            let start = min(raw.count, k * size), end = min(raw.count, start + size)
            crc = combine(crc, crcs[k], lengthB: UInt64(end - start))
        }
        return crc
    }
}

/// A pointer handed to `concurrentPerform`'s iterations, each touching its own part only.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
