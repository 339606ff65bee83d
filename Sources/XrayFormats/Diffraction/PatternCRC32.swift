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
}
