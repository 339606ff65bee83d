import Foundation
import XrayCore

/// A value written to an HDF5 file: a dataset's elements or an attribute's.
public enum HDF5WriteValue: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    /// Fixed-length UTF-8 strings (null-padded to the longest), one per element.
    case strings([String])
    /// One string, stored with a scalar dataspace (NeXus attributes such as `NX_class`).
    case string(String)

    var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .int64(let v): return v.count
        case .strings(let v): return v.count
        case .string: return 1
        }
    }
}

/// Writes HDF5 files with Roentgen's own code (no HDF5 library), in the layout of the HDF5 file
/// format specification 3.0 that HDF5 1.10+ writes with `libver='latest'`:
/// a version-2 superblock, version-2 object headers ("OHDR", lookup3 checksums), groups in compact
/// "new-style" storage (Link Info, Group Info and one Link message per member, hard links),
/// contiguous datasets (Dataspace v2, Datatype v1, Fill Value v3, Data Layout v3) and attributes
/// (Attribute message v3) in the object headers. Element types: IEEE float32/float64, int64,
/// fixed-length UTF-8 strings; all little-endian. Enough for NeXus/NXdata files that h5py and
/// Roentgen's `HDF5Reader` read back.
public struct HDF5Writer: Sendable {
    struct Node: Sendable {
        var name: String
        var attributes: [(String, HDF5WriteValue)]
        var dataset: (value: HDF5WriteValue, shape: [Int])?
        var children: [Int] = []
    }

    var nodes: [Node] = [Node(name: "", attributes: [], dataset: nil)]

    public init() {}

    /// Attributes of the root group `/`.
    public mutating func setRootAttributes(_ attributes: [(String, HDF5WriteValue)]) {
        nodes[0].attributes = attributes
    }

    /// The node at `path` (`/a/b`), or nil.
    func find(_ path: String) -> Int? {
        var at = 0
        for part in path.split(separator: "/") {
            guard let next = nodes[at].children.first(where: { nodes[$0].name == part }) else { return nil }
            at = next
        }
        return at
    }

    private mutating func add(_ path: String, _ node: Node) throws {
        let parts = path.split(separator: "/").map(String.init)
        guard let name = parts.last, !name.isEmpty else { throw RoentgenError.badParameter("HDF5 path '\(path)' names no object") }
        let parentPath = parts.dropLast().joined(separator: "/")
        guard let parent = find(parentPath), nodes[parent].dataset == nil else {
            throw RoentgenError.badParameter("HDF5 path '\(path)': the group '/\(parentPath)' does not exist")
        }
        guard !nodes[parent].children.contains(where: { nodes[$0].name == name }) else {
            throw RoentgenError.badParameter("HDF5 path '\(path)' exists already")
        }
        nodes.append(node)
        nodes[parent].children.append(nodes.count - 1)
    }

    /// A group at `path` (its parent must exist).
    public mutating func createGroup(_ path: String, attributes: [(String, HDF5WriteValue)] = []) throws {
        try add(path, Node(name: String(path.split(separator: "/").last ?? ""), attributes: attributes, dataset: nil))
    }

    /// A contiguous dataset at `path`, of `shape` (default 1-D; scalar for `.string`).
    public mutating func createDataset(_ path: String, _ value: HDF5WriteValue, shape: [Int]? = nil,
                                       attributes: [(String, HDF5WriteValue)] = []) throws {
        let shape = shape ?? (value.isScalar ? [] : [value.count])
        guard shape.reduce(1, *) == value.count else {
            throw RoentgenError.badParameter("HDF5 dataset '\(path)': \(value.count) elements do not fill the shape \(shape)")
        }
        try add(path, Node(name: String(path.split(separator: "/").last ?? ""), attributes: attributes, dataset: (value, shape)))
    }

    static let undefined = UInt64.max

    /// The file's bytes.
    public func data() throws -> Data {
        var sink = DataSink()
        try write(to: &sink)
        return sink.data
    }

    /// Writes the file to `sink`: the superblock, every dataset's raw data (8-byte aligned, from the
    /// values' own storage: no copy of a large array), then the object headers. Addresses are laid
    /// out from the sizes first, so the bytes go out in one pass.
    public func write<Sink: ByteSink>(to sink: inout Sink) throws {
        var position: UInt64 = 48   // the superblock
        var address = [UInt64](repeating: Self.undefined, count: nodes.count)
        var rawData: [Int: (UInt64, UInt64)] = [:]
        var padding: [Int: Int] = [:]
        for (i, node) in nodes.enumerated() {
            guard let d = node.dataset else { continue }
            padding[i] = Int((8 - position % 8) % 8)
            position += UInt64(padding[i]!)
            let size = UInt64(d.value.rawByteCount)
            rawData[i] = (size == 0 ? Self.undefined : position, size)
            position += size
        }
        var tail: [UInt8] = []
        // Object headers children first, so that each group knows its members' addresses.
        func emit(_ i: Int) throws {
            for c in nodes[i].children { try emit(c) }
            var messages: [(type: UInt8, body: [UInt8])] = []
            let node = nodes[i]
            if let d = node.dataset {
                messages.append((0x01, Self.dataspace(d.shape)))
                messages.append((0x03, d.value.datatype))
                messages.append((0x05, [3, 0x0A]))   // fill value v3: allocation late, write if set, none defined
                let (at, size) = rawData[i] ?? (Self.undefined, 0)
                messages.append((0x08, [3, 1] + Self.le(at) + Self.le(size)))   // layout v3, contiguous
            } else {
                messages.append((0x02, [0, 0] + Self.le(Self.undefined) + Self.le(Self.undefined)))   // link info v0
                messages.append((0x0A, [0, 0]))   // group info v0
                for c in node.children {
                    let name = Array(nodes[c].name.utf8)
                    guard name.count < 65_536 else { throw RoentgenError.badParameter("HDF5 link name too long") }
                    let lengthField: [UInt8] = name.count < 256 ? [UInt8(name.count)] : [UInt8(name.count & 0xFF), UInt8(name.count >> 8)]
                    // Link v1; flags: size of the name-length field, charset present (UTF-8).
                    messages.append((0x06, [1, (name.count < 256 ? 0 : 1) | 0x10, 1] + lengthField + name + Self.le(address[c])))
                }
            }
            for (name, value) in node.attributes { messages.append((0x0C, try Self.attribute(name, value))) }
            var body: [UInt8] = []
            for m in messages {
                guard m.body.count < 65_536 else { throw RoentgenError.badParameter("HDF5 object '\(node.name)': a header message over 64 KiB") }
                body += [m.type, UInt8(m.body.count & 0xFF), UInt8(m.body.count >> 8), 0] + m.body
            }
            var header: [UInt8] = Array("OHDR".utf8) + [2, 0x02] + Self.le32(UInt32(body.count)) + body
            header += Self.le32(HDF5Checksum.lookup3(header))
            address[i] = position + UInt64(tail.count)
            tail += header
        }
        try emit(0)
        var superblock: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 2, 8, 8, 0]
        superblock += Self.le(0) + Self.le(Self.undefined) + Self.le(position + UInt64(tail.count)) + Self.le(address[0])
        superblock += Self.le32(HDF5Checksum.lookup3(superblock))
        try sink.append(superblock)
        for (i, node) in nodes.enumerated() {
            guard let d = node.dataset else { continue }
            try sink.append([UInt8](repeating: 0, count: padding[i] ?? 0))
            try d.value.withRawBytes { try sink.append($0) }
        }
        try sink.append(tail)
    }

    static func le(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    /// Dataspace message v2: scalar for an empty shape, else simple with these dimensions.
    static func dataspace(_ shape: [Int]) -> [UInt8] {
        shape.isEmpty ? [2, 0, 0, 0] : [2, UInt8(shape.count), 0, 1] + shape.flatMap { le(UInt64($0)) }
    }

    /// Attribute message v3: name (UTF-8, null-terminated), datatype, dataspace, data.
    static func attribute(_ name: String, _ value: HDF5WriteValue) throws -> [UInt8] {
        let nameBytes = Array(name.utf8) + [0]
        let type = value.datatype
        let space = dataspace(value.isScalar ? [] : [value.count])
        return [3, 0] + [UInt8(nameBytes.count & 0xFF), UInt8(nameBytes.count >> 8)]
            + [UInt8(type.count & 0xFF), UInt8(type.count >> 8)] + [UInt8(space.count & 0xFF), UInt8(space.count >> 8)]
            + [1] + nameBytes + type + space + value.rawBytes
    }
}

extension HDF5WriteValue {
    var isScalar: Bool { if case .string = self { return true }; return false }

    /// Byte length of the fixed-length strings (the longest, at least 1).
    var stringSize: Int {
        switch self {
        case .string(let s): return max(1, s.utf8.count)
        case .strings(let v): return max(1, v.map(\.utf8.count).max() ?? 1)
        default: return 0
        }
    }

    /// Datatype message v1 (class and version byte, three bytes of class bits, size, properties).
    var datatype: [UInt8] {
        switch self {
        case .float32:
            // IEEE little-endian, implied mantissa msb, sign bit 31; offset 0, precision 32,
            // exponent at 23 (8 bits), mantissa at 0 (23 bits), bias 127.
            return [0x11, 0x20, 31, 0] + HDF5Writer.le32(4) + [0, 0, 32, 0, 23, 8, 0, 23] + HDF5Writer.le32(127)
        case .float64:
            return [0x11, 0x20, 63, 0] + HDF5Writer.le32(8) + [0, 0, 64, 0, 52, 11, 0, 52] + HDF5Writer.le32(1023)
        case .int64:
            // Fixed point, little-endian, signed; offset 0, precision 64.
            return [0x10, 0x08, 0, 0] + HDF5Writer.le32(8) + [0, 0, 64, 0]
        case .strings, .string:
            // String, null-padded, UTF-8.
            return [0x13, 0x11, 0, 0] + HDF5Writer.le32(UInt32(stringSize))
        }
    }

    /// Bytes of the raw data.
    var rawByteCount: Int {
        switch self {
        case .float32(let v): return v.count * 4
        case .float64(let v): return v.count * 8
        case .int64(let v): return v.count * 8
        case .string, .strings: return stringSize * count
        }
    }

    /// Calls `body` with the elements' bytes (the array's own storage for numbers).
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .float32(let v): return try v.withUnsafeBytes(body)
        case .float64(let v): return try v.withUnsafeBytes(body)
        case .int64(let v): return try v.withUnsafeBytes(body)
        case .string, .strings: return try rawBytes.withUnsafeBytes(body)
        }
    }

    var rawBytes: [UInt8] {
        switch self {
        case .float32(let v): return v.withUnsafeBytes(Array.init)
        case .float64(let v): return v.withUnsafeBytes(Array.init)
        case .int64(let v): return v.withUnsafeBytes(Array.init)
        case .string(let s): return Array(s.utf8) + [UInt8](repeating: 0, count: stringSize - s.utf8.count)
        case .strings(let v):
            let size = stringSize
            var out: [UInt8] = []
            out.reserveCapacity(size * v.count)
            for s in v { out += Array(s.utf8) + [UInt8](repeating: 0, count: size - s.utf8.count) }
            return out
        }
    }
}
