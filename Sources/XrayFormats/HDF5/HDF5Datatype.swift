import Foundation
import XrayCore

/// The element types this reader turns into numbers or text (datatype message, type 0x03).
enum HDF5Datatype: Equatable {
    case integer(size: Int, signed: Bool, bigEndian: Bool)
    case float(size: Int, bigEndian: Bool)
    /// Fixed-length string of `size` bytes (NUL- or space-padded).
    case string(size: Int)
    /// Variable-length string: each element is a length and a global heap ID.
    case vlenString(size: Int)
    /// A compound (a table row: h5py structured arrays), its members at byte offsets.
    case compound(size: Int, members: [CompoundMember])
    /// Anything else (array, reference, opaque, vlen sequence …), by class name.
    case other(String, size: Int)

    struct CompoundMember: Equatable {
        let name: String
        let offset: Int
        let type: HDF5Datatype
    }

    /// Bytes per element.
    var size: Int {
        switch self {
        case .integer(let s, _, _), .float(let s, _), .string(let s), .vlenString(let s), .other(_, let s), .compound(let s, _): return s
        }
    }

    var isNumeric: Bool {
        switch self {
        case .integer, .float: return true
        default: return false
        }
    }

    /// How the type is described to users (`float64`, `int32 big-endian`, `string[10]`).
    var description: String {
        switch self {
        case .integer(let s, let signed, let be): return "\(signed ? "int" : "uint")\(8 * s)\(be ? " big-endian" : "")"
        case .float(let s, let be): return "float\(8 * s)\(be ? " big-endian" : "")"
        case .string(let s): return "string[\(s)]"
        case .vlenString: return "string"
        case .compound(_, let members): return "compound {" + members.map(\.name).joined(separator: ", ") + "}"
        case .other(let name, _): return name
        }
    }

    /// Parses the datatype whose message data start at `p`.
    static func parse(_ b: HDF5Bytes, _ p: Int, depth: Int = 0) throws -> HDF5Datatype {
        try parseSized(b, p, depth: depth).type
    }

    /// The datatype at `p` and the length of its description (nil where this reader does not
    /// know it: then a compound holding it cannot be read past it).
    static func parseSized(_ b: HDF5Bytes, _ p: Int, depth: Int = 0) throws -> (type: HDF5Datatype, length: Int?) {
        let type = try parseClass(b, p, depth: depth)
        let typeClass = try b.u8(p) & 0x0F
        switch typeClass {
        case 0: return (type, 12)
        case 1: return (type, 20)
        case 3: return (type, 8)
        case 9:
            guard depth < 8 else { return (type, nil) }
            let base = try parseSized(b, p + 8, depth: depth + 1)
            return (type, base.length.map { 8 + $0 })
        case 6:
            if case .compound(_, let members) = type, let end = try compoundEnd(b, p, count: members.count, depth: depth) { return (type, end - p) }
            return (.other("compound", size: type.size), nil)
        default: return (type, nil)
        }
    }

    /// Where a compound's member list ends (nil if a member's length is unknown).
    private static func compoundEnd(_ b: HDF5Bytes, _ p: Int, count: Int, depth: Int) throws -> Int? {
        try compoundMembers(b, p, count: count, depth: depth)?.end
    }

    /// The members of the compound datatype at `p` (versions 1–3), and where their list ends.
    private static func compoundMembers(_ b: HDF5Bytes, _ p: Int, count: Int, depth: Int) throws -> (members: [CompoundMember], end: Int)? {
        let version = try b.u8(p) >> 4
        let size = try b.u32(p + 4)
        guard (1...3).contains(version), count <= 4096, depth < 8 else { return nil }
        var q = p + 8
        var members: [CompoundMember] = []
        for _ in 0..<count {
            let name = try b.cString(q, limit: 4096)
            let nameBytes = name.utf8.count + 1
            q += version < 3 ? (nameBytes + 7) / 8 * 8 : nameBytes
            let offsetBytes = version < 3 ? 4 : (size < 1 << 8 ? 1 : size < 1 << 16 ? 2 : size < 1 << 24 ? 3 : 4)
            let offset = try b.int(q, offsetBytes, "compound member offset")
            q += offsetBytes
            if version == 1 { q += 28 }   // dimensionality, permutation, reserved, four dimension sizes
            let (type, length) = try parseSized(b, q, depth: depth + 1)
            guard let length, offset >= 0, offset + type.size <= size else { return nil }
            members.append(CompoundMember(name: name, offset: offset, type: type))
            q += length
        }
        return (members, q)
    }

    /// The class-level parse (see `parseSized`).
    private static func parseClass(_ b: HDF5Bytes, _ p: Int, depth: Int) throws -> HDF5Datatype {
        let classVersion = try b.u8(p)
        let typeClass = classVersion & 0x0F
        let bits0 = try b.u8(p + 1)
        let bits1 = try b.u8(p + 2)
        let size = try b.u32(p + 4)
        guard size > 0 || typeClass == 9 else { throw b.fail(p + 4, "datatype of size 0") }
        switch typeClass {
        case 0:
            guard [1, 2, 4, 8].contains(size) else { return .other("integer of \(size) bytes", size: size) }
            return .integer(size: size, signed: bits0 & 0x08 != 0, bigEndian: bits0 & 0x01 != 0)
        case 1:
            guard bits0 & 0x40 == 0 else { return .other("VAX float", size: size) }
            guard size == 4 || size == 8 else { return .other("float of \(size) bytes", size: size) }
            return .float(size: size, bigEndian: bits0 & 0x01 != 0)
        case 3:
            return .string(size: size)
        case 8:
            // Enumeration (h5py's bool): read as its base integer type.
            guard depth < 4 else { return .other("enum", size: size) }
            let base = try parse(b, p + 8, depth: depth + 1)
            if case .integer = base { return base }
            return .other("enum", size: size)
        case 9:
            let isString = bits0 & 0x0F == 1
            return isString ? .vlenString(size: size) : .other("variable-length sequence", size: size)
        case 6:
            let count = bits0 | bits1 << 8
            guard let members = try compoundMembers(b, p, count: count, depth: depth)?.members else { return .other("compound", size: size) }
            return .compound(size: size, members: members)
        default:
            let names = [2: "time", 4: "bitfield", 5: "opaque", 7: "reference", 10: "array", 11: "complex"]
            return .other(names[typeClass] ?? "datatype class \(typeClass)", size: size)
        }
    }

    /// `count` elements of this numeric type from `bytes[offset...]` as doubles.
    func doubles(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .float(8, let be):
                for k in 0..<count {
                    var bits = bytes.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)
                    bits = be ? bits.bigEndian : bits.littleEndian
                    out[k] = Double(bitPattern: bits)
                }
            case .float(_, let be):
                for k in 0..<count {
                    var bits = bytes.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)
                    bits = be ? bits.bigEndian : bits.littleEndian
                    out[k] = Double(Float(bitPattern: bits))
                }
            case .integer(let size, let signed, let be):
                for k in 0..<count {
                    var v: UInt64 = 0
                    for j in 0..<size {
                        let byte = UInt64(bytes[k * size + (be ? j : size - 1 - j)])
                        v = v << 8 | byte
                    }
                    if signed, size < 8, v & (1 << UInt64(8 * size - 1)) != 0 { v |= ~0 << UInt64(8 * size) }
                    out[k] = signed ? Double(Int64(bitPattern: v)) : Double(v)
                }
            default:
                for k in 0..<count { out[k] = .nan }
            }
            initialized = count
        }
    }
}

/// A dataspace (message 0x01): the dimensions, empty for a scalar; nil dims for a null space.
struct HDF5Dataspace {
    var dims: [Int]
    var maxDims: [Int?]
    var isNull: Bool
    var count: Int { isNull ? 0 : dims.reduce(1, *) }

    static func parse(_ b: HDF5Bytes, _ p: Int) throws -> HDF5Dataspace {
        let version = try b.u8(p)
        let rank = try b.u8(p + 1)
        let flags = try b.u8(p + 2)
        guard rank <= 32 else { throw b.fail(p + 1, "dataspace of rank \(rank); at most 32") }
        var q: Int
        var isNull = false
        switch version {
        case 1: q = p + 8
        case 2:
            q = p + 4
            isNull = try b.u8(p + 3) == 2
        default: throw b.fail(p, "dataspace message version \(version); expected 1 or 2")
        }
        var dims: [Int] = []
        for _ in 0..<rank { dims.append(try b.length(q, "dataspace dimension")); q += b.lengthSize }
        var maxDims: [Int?] = []
        if flags & 1 != 0 {
            for _ in 0..<rank {
                let raw = try b.uint(q, b.lengthSize)
                // Unlimited (all bits set) is nil; a finite maximum is capped at 2^48 so that chunk
                // grids computed from it cannot overflow.
                maxDims.append(raw == (b.lengthSize == 8 ? .max : (1 << UInt64(8 * b.lengthSize)) - 1) ? nil : Int(min(raw, 1 << 48)))
                q += b.lengthSize
            }
        } else {
            maxDims = dims.map { $0 }
        }
        var total = 1
        for d in dims {
            let (m, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, m <= 1 << 40 else { throw b.fail(p, "dataspace \(dims) holds too many elements") }
            total = m
        }
        return HDF5Dataspace(dims: dims, maxDims: maxDims, isNull: isNull)
    }
}
