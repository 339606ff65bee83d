import Foundation
import XrayCore

/// A read-only view of an HDF5 file, written from the HDF5 File Format Specification
/// (version 3.0): superblock versions 0–3, object headers v1 and v2 (with continuation blocks),
/// old-style groups (symbol tables: v1 B-tree + local heap) and new-style groups (link
/// messages, compact or dense in a fractal heap), attributes, and datasets (see
/// `HDF5Dataset`). No HDF5 library is used.
struct HDF5File {
    var b: HDF5Bytes
    /// Superblock version (0 … 3).
    let superblockVersion: Int
    /// Object header address of the root group.
    let rootAddress: Int

    /// One header message: its type, where its data start, their size, and its flags.
    struct Message {
        let type: Int
        let offset: Int
        let size: Int
        let flags: Int
    }

    /// An object header: its messages in order (continuation blocks followed).
    struct Object {
        let address: Int
        let messages: [Message]
        func first(_ type: Int) -> Message? { messages.first { $0.type == type } }
        func all(_ type: Int) -> [Message] { messages.filter { $0.type == type } }
    }

    /// Where a link in a group points.
    enum LinkTarget: Equatable {
        case hard(Int)
        case soft(String)
        case external(file: String, path: String)
    }

    struct Link {
        let name: String
        let target: LinkTarget
    }

    /// `\x89HDF\r\n\x1a\n`.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Where the signature is: 0, or 512, 1024, 2048 … after a user block; nil if absent.
    static func signatureOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset + 8 <= bytes.count {
            if bytes[offset..<(offset + 8)].elementsEqual(signature) { return offset }
            offset = offset == 0 ? 512 : offset * 2
        }
        return nil
    }

    /// The file in `bytes`, which must stay valid while this value is used.
    init(_ bytes: UnsafeRawBufferPointer, file: String) throws {
        b = HDF5Bytes(bytes, file: file)
        guard let s = HDF5File.signatureOffset(bytes) else {
            throw b.fail(0, "no HDF5 signature at byte 0 or at 512, 1024, 2048 … (not an HDF5 file)")
        }
        let version = try b.u8(s + 8)
        superblockVersion = version
        switch version {
        case 0, 1:
            b.offsetSize = try b.u8(s + 13)
            b.lengthSize = try b.u8(s + 14)
            try HDF5File.checkSizes(b, s + 13)
            // 16: leaf K, internal K (2+2), consistency flags (4); v1 adds indexed-storage K (2) + 2 reserved.
            var p = s + 24
            if version == 1 { p += 4 }
            let baseRaw = try b.uint(p, b.offsetSize, "superblock base address")
            guard baseRaw < UInt64(bytes.count) else { throw b.fail(p, "superblock base address \(baseRaw) lies past the end of the file") }
            // Addresses count from the superblock: after a user block the stored base address is
            // often 0, and the HDF5 library then takes the superblock's own offset (H5Fsuper.c).
            b.base = s > 0 ? s : Int(baseRaw)
            p += 4 * b.offsetSize   // base, free-space info, end of file, driver information block
            // Root group symbol table entry: link name offset, object header address, cache type …
            guard let root = try b.address(p + b.offsetSize, "root group object header address") else {
                throw b.fail(p + b.offsetSize, "the root group's object header address is undefined")
            }
            rootAddress = root
        case 2, 3:
            b.offsetSize = try b.u8(s + 9)
            b.lengthSize = try b.u8(s + 10)
            try HDF5File.checkSizes(b, s + 9)
            let p = s + 12
            let baseRaw = try b.uint(p, b.offsetSize, "superblock base address")
            guard baseRaw < UInt64(bytes.count) else { throw b.fail(p, "superblock base address \(baseRaw) lies past the end of the file") }
            // Addresses count from the superblock: after a user block the stored base address is
            // often 0, and the HDF5 library then takes the superblock's own offset (H5Fsuper.c).
            b.base = s > 0 ? s : Int(baseRaw)
            guard let root = try b.address(p + 3 * b.offsetSize, "root group object header address") else {
                throw b.fail(p + 3 * b.offsetSize, "the root group's object header address is undefined")
            }
            rootAddress = root
        default:
            throw b.unsupported(s + 8, "superblock version \(version); this reader knows versions 0 to 3 (HDF5 1.8 – 1.14)")
        }
    }

    private static func checkSizes(_ b: HDF5Bytes, _ at: Int) throws {
        guard [2, 4, 8].contains(b.offsetSize), [2, 4, 8].contains(b.lengthSize) else {
            throw b.fail(at, "superblock gives \(b.offsetSize)-byte addresses and \(b.lengthSize)-byte lengths; expected 2, 4 or 8")
        }
    }

    // MARK: Object headers

    /// The object header at `address` with all its messages (continuations followed, at most
    /// 10,000 messages and 1,000 continuation blocks, so a looping file cannot hang the reader).
    func object(at address: Int) throws -> Object {
        var messages: [Message] = []
        var blocks: [(start: Int, end: Int, v2: Bool)] = []
        var seen = Set<Int>()
        let v2: Bool
        var trackOrder = false
        try b.need(address, 4, "object header")
        if b.bytes[address..<(address + 4)].elementsEqual("OHDR".utf8) {
            v2 = true
            let version = try b.u8(address + 4)
            guard version == 2 else { throw b.fail(address + 4, "object header version \(version); expected 2 after 'OHDR'") }
            let flags = try b.u8(address + 5)
            trackOrder = flags & 0x04 != 0
            var p = address + 6
            if flags & 0x20 != 0 { p += 16 }          // access, modification, change, birth times
            if flags & 0x10 != 0 { p += 4 }           // attribute phase change values
            let sizeBytes = 1 << (flags & 3)
            let chunk = try b.int(p, sizeBytes, "object header chunk size")
            p += sizeBytes
            try b.need(p, chunk + 4, "object header chunk")
            blocks.append((p, p + chunk, true))
        } else {
            v2 = false
            let version = try b.u8(address)
            guard version == 1 else {
                throw b.fail(address, "no object header at byte \(address): version byte \(version), expected 1 or the 'OHDR' signature")
            }
            let size = try b.u32(address + 8)
            try b.need(address + 16, size, "object header")
            blocks.append((address + 16, address + 16 + size, false))
        }
        var index = 0
        while index < blocks.count {
            let block = blocks[index]
            index += 1
            var p = block.start
            while p < block.end {
                let type: Int, size: Int, flags: Int, header: Int
                if v2 {
                    if block.end - p < 4 { break }     // gap at the end of a chunk
                    type = try b.u8(p)
                    size = try b.u16(p + 1)
                    flags = try b.u8(p + 3)
                    header = trackOrder ? 6 : 4   // + creation order when the header tracks it
                } else {
                    if block.end - p < 8 { break }
                    type = try b.u16(p)
                    size = try b.u16(p + 2)
                    flags = try b.u8(p + 4)
                    header = 8
                }
                let data = p + header
                guard data + size <= block.end else {
                    throw b.fail(p, "object header message (type \(type), \(size) bytes) runs past its header block (ends at byte \(block.end))")
                }
                if type == 0x10 {   // continuation
                    guard let at = try b.address(data, "continuation block address") else { throw b.fail(data, "continuation address undefined") }
                    let length = try b.length(data + b.offsetSize, "continuation block length")
                    guard seen.insert(at).inserted, blocks.count < 1000 else { throw b.fail(data, "object header continuation loops back to byte \(at)") }
                    try b.need(at, length, "object header continuation block")
                    if v2 {
                        try b.expectSignature(at, "OCHK", "object header continuation block")
                        guard length >= 8 else { throw b.fail(at, "continuation block of \(length) bytes is too short") }
                        blocks.append((at + 4, at + length - 4, true))
                    } else {
                        blocks.append((at, at + length, false))
                    }
                } else if type != 0 {
                    messages.append(Message(type: type, offset: data, size: size, flags: flags))
                    guard messages.count <= 10_000 else { throw b.fail(p, "object header at byte \(address) has more than 10,000 messages") }
                }
                p = data + size
            }
        }
        return Object(address: address, messages: messages)
    }

    /// Throws if a message is stored shared (in the shared-message table or another object):
    /// this reader reads messages stored in place.
    func checkNotShared(_ m: Message, _ what: String) throws {
        if m.flags & 0x02 != 0 {
            throw b.unsupported(m.offset, "\(what) is a shared message (committed datatype or shared-message table); not supported")
        }
    }

    /// Where the datatype a message describes starts: in place, or, for a shared message
    /// pointing at another object header (a committed datatype, `f["t"] = numpy.dtype(...)`),
    /// that object's own datatype message. Types in the file's shared-message table are not read.
    func datatypeOffset(_ m: Message) throws -> Int {
        guard m.flags & 0x02 != 0 else { return m.offset }
        return try committedDatatype(sharedAt: m.offset)
    }

    /// The datatype message of the committed datatype a shared message (versions 1–3) at `at`
    /// names.
    func committedDatatype(sharedAt at: Int) throws -> Int {
        let version = try b.u8(at), type = try b.u8(at + 1)
        let address: Int?
        switch version {
        case 1: address = try b.address(at + 8, "committed datatype address")
        case 2: address = try b.address(at + 2, "committed datatype address")
        case 3:
            guard type == 2 else { throw b.unsupported(at, "datatype kept in the file's shared-message table; not supported") }
            address = try b.address(at + 2, "committed datatype address")
        default: throw b.fail(at, "shared message version \(version); expected 1 to 3")
        }
        guard let address else { throw b.fail(at, "shared datatype with an undefined address") }
        let committed = try object(at: address)
        guard let message = committed.first(0x03), message.flags & 0x02 == 0 else {
            throw b.fail(address, "committed datatype object without a datatype message of its own")
        }
        return message.offset
    }
}
