import Foundation
import XrayCore

/// An attribute's or small dataset's value: numbers, text, or a note of what it is.
enum HDF5Value: Equatable {
    case numbers([Double])
    case strings([String])
    case unsupported(String)

    /// The value as text: one string as is, lists joined with ", ", numbers as written by Swift.
    var text: String {
        switch self {
        case .strings(let s): return s.joined(separator: ", ")
        case .numbers(let v): return v.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) }.joined(separator: ", ")
        case .unsupported(let what): return "(\(what))"
        }
    }

    /// The strings of a text value (an `axes` list); a single string otherwise.
    var strings: [String] {
        if case .strings(let s) = self { return s }
        return [text]
    }
}

extension HDF5File {
    /// The attributes of an object, in storage order (compact in the header, or dense in a
    /// fractal heap).
    func attributes(of o: Object) throws -> [(name: String, value: HDF5Value)] {
        var out: [(String, HDF5Value)] = []
        for m in o.all(0x0C) { out.append(try attribute(m.offset, end: m.offset + m.size)) }
        if let info = o.first(0x15) {
            let flags = try b.u8(info.offset + 1)
            var p = info.offset + 2
            if flags & 1 != 0 { p += 2 }
            if let heap = try b.address(p, "attribute fractal heap address"),
               let tree = try b.address(p + b.offsetSize, "attribute name index address") {
                let fh = try HDF5FractalHeap(self, at: heap)
                for record in try btree2Records(at: tree, expectType: 8) {
                    let object = try fh.object(idAt: record)
                    out.append(try attribute(object.offset, end: object.offset + object.count))
                }
            }
        }
        return out
    }

    /// The attribute message whose data start at `start`.
    func attribute(_ start: Int, end: Int) throws -> (name: String, value: HDF5Value) {
        let version = try b.u8(start)
        let flags = try b.u8(start + 1)
        let nameSize = try b.u16(start + 2)
        let typeSize = try b.u16(start + 4)
        let spaceSize = try b.u16(start + 6)
        var p = start + 8
        func padded(_ n: Int) -> Int { version == 1 ? (n + 7) / 8 * 8 : n }
        switch version {
        case 1, 2: break
        case 3: p += 1
        default: throw b.fail(start, "attribute message version \(version); expected 1 to 3")
        }
        let name = try b.cString(p, limit: nameSize)
        p += padded(nameSize)
        guard flags & 0x02 == 0 else { return (name, .unsupported("shared dataspace")) }
        // A committed datatype: the message holds a shared-message reference to it.
        let typeAt = flags & 0x01 != 0 ? try committedDatatype(sharedAt: p) : p
        p += padded(typeSize)
        let space = try HDF5Dataspace.parse(b, p)
        p += padded(spaceSize)
        guard p <= end else { throw b.fail(start, "attribute '\(name)' is larger than its message") }
        let type = try HDF5Datatype.parse(b, typeAt)
        let count = space.count
        let (bytes, overflow) = count.multipliedReportingOverflow(by: type.size)
        guard !overflow, bytes <= end - p else {
            throw b.fail(p, "attribute '\(name)' needs \(count) × \(type.size) bytes; its message holds \(end - p)")
        }
        return (name, try value(b.slice(p, bytes, "attribute data"), type: type, count: count, at: p))
    }

    /// Raw element bytes decoded as numbers or text.
    func value(_ raw: [UInt8], type: HDF5Datatype, count: Int, at offset: Int) throws -> HDF5Value {
        switch type {
        case .integer, .float:
            return .numbers(raw.withUnsafeBytes { type.doubles($0, count: count) })
        case .string, .vlenString:
            return .strings(try strings(raw, type: type, count: count, at: offset))
        case .other(let name, _):
            return .unsupported(name)
        case .compound:
            return .unsupported(type.description)
        }
    }
}
