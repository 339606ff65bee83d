/// Bob Jenkins' lookup3 `hashlittle` (2006, public domain), the checksum HDF5 stores in its
/// version-2 superblock, version-2 object headers and other "v2" metadata
/// (H5checksum.c `H5_checksum_lookup3` with initial value 0).
enum HDF5Checksum {
    @inline(__always) private static func rot(_ x: UInt32, _ k: UInt32) -> UInt32 { (x << k) | (x >> (32 - k)) }

    static func lookup3(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        var a: UInt32 = 0xDEAD_BEEF &+ UInt32(truncatingIfNeeded: bytes.count) &+ initial
        var b = a, c = a
        func word(_ i: Int) -> UInt32 {
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
        var i = 0, length = bytes.count
        while length > 12 {
            a &+= word(i); b &+= word(i + 4); c &+= word(i + 8)
            // mix(a, b, c)
            a &-= c; a ^= rot(c, 4); c &+= b
            b &-= a; b ^= rot(a, 6); a &+= c
            c &-= b; c ^= rot(b, 8); b &+= a
            a &-= c; a ^= rot(c, 16); c &+= b
            b &-= a; b ^= rot(a, 19); a &+= c
            c &-= b; c ^= rot(b, 4); b &+= a
            i += 12
            length -= 12
        }
        if length == 0 { return c }
        // The last 1–12 bytes, byte by byte (the tail switch of hashlittle).
        for k in stride(from: length - 1, through: 0, by: -1) {
            let v = UInt32(bytes[i + k]) << (8 * UInt32(k % 4))
            switch k / 4 {
            case 0: a &+= v
            case 1: b &+= v
            default: c &+= v
            }
        }
        // final(a, b, c)
        c ^= b; c &-= rot(b, 14)
        a ^= c; a &-= rot(c, 11)
        b ^= a; b &-= rot(a, 25)
        c ^= b; c &-= rot(b, 16)
        a ^= c; a &-= rot(c, 4)
        b ^= a; b &-= rot(a, 14)
        c ^= b; c &-= rot(b, 24)
        return c
    }
}
