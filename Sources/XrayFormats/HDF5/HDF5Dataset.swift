import Foundation
import XrayCore

/// A dataset's description: element type, shape, storage layout and filters.
struct HDF5Dataset {
    /// Storage of the raw data (data layout message, type 0x08).
    enum Layout {
        case compact(offset: Int, size: Int)
        case contiguous(address: Int?, size: Int)
        case chunked(chunk: [Int], index: ChunkIndex)
        /// Mapped from other datasets: the global heap object listing the mappings.
        case virtual(collection: Int?, index: Int)
    }

    /// How the chunks of a chunked dataset are found.
    enum ChunkIndex {
        case btree1(Int?)
        case single(address: Int?, filteredSize: Int?, filterMask: Int)
        case implicit(Int?)
        case fixedArray(Int?)
        case extensibleArray(Int?)
        case btree2(Int?)
    }

    struct Filter {
        let id: Int
        let name: String
        let clientData: [Int]
    }

    let type: HDF5Datatype
    let space: HDF5Dataspace
    let layout: Layout
    let filters: [Filter]
    /// One element of the fill value (what storage never written reads as); nil: zeros.
    var fill: [UInt8]? = nil
    /// Where the object header is (for error messages).
    let address: Int

    /// `count` bytes of the fill value repeated (zeros without one).
    func filled(_ count: Int) -> [UInt8] {
        guard let fill, !fill.isEmpty, fill.contains(where: { $0 != 0 }) else { return [UInt8](repeating: 0, count: count) }
        var out = [UInt8]()
        out.reserveCapacity(count)
        out.append(contentsOf: fill.prefix(count))
        while out.count < count { out.append(contentsOf: out.prefix(min(out.count, count - out.count))) }   // doubling
        return out
    }
}

extension HDF5File {
    /// The dataset description of an object, or nil if the object is not a dataset.
    func dataset(_ o: Object) throws -> HDF5Dataset? {
        guard let spaceMessage = o.first(0x01), let typeMessage = o.first(0x03), let layoutMessage = o.first(0x08) else { return nil }
        try checkNotShared(spaceMessage, "the dataspace")
        let type = try HDF5Datatype.parse(b, try datatypeOffset(typeMessage))
        let space = try HDF5Dataspace.parse(b, spaceMessage.offset)
        let layout = try self.layout(layoutMessage, rank: space.dims.count)
        var filters: [HDF5Dataset.Filter] = []
        if let pipeline = o.first(0x0B) { filters = try filterPipeline(pipeline) }
        var fill = try fillValue(o)
        if fill?.count != type.size { fill = nil }
        return HDF5Dataset(type: type, space: space, layout: layout, filters: filters, fill: fill, address: o.address)
    }

    /// The fill value message (0x05, versions 1–3; else the old message 0x04): one element's
    /// bytes, or nil when the file defines none.
    private func fillValue(_ o: Object) throws -> [UInt8]? {
        if let m = o.first(0x05) {
            let version = try b.u8(m.offset)
            switch version {
            case 1, 2:
                let defined = try b.u8(m.offset + 3)
                guard version == 1 || defined == 1, m.size >= 8 else { return nil }
                let size = try b.u32(m.offset + 4)
                guard size > 0, size <= m.size - 8 else { return nil }
                return try b.slice(m.offset + 8, size, "fill value")
            case 3:
                let flags = try b.u8(m.offset + 1)
                guard flags & 0x20 != 0, m.size >= 6 else { return nil }
                let size = try b.u32(m.offset + 2)
                guard size > 0, size <= m.size - 6 else { return nil }
                return try b.slice(m.offset + 6, size, "fill value")
            default:
                return nil
            }
        }
        if let m = o.first(0x04), m.size >= 4 {
            let size = try b.u32(m.offset)
            guard size > 0, size <= m.size - 4 else { return nil }
            return try b.slice(m.offset + 4, size, "fill value")
        }
        return nil
    }

    private func layout(_ m: Message, rank: Int) throws -> HDF5Dataset.Layout {
        let p = m.offset
        let version = try b.u8(p)
        switch version {
        case 1, 2:
            let dimensionality = try b.u8(p + 1)
            let layoutClass = try b.u8(p + 2)
            var q = p + 8
            var address: Int?
            if layoutClass != 0 { address = try b.address(q, "raw data address"); q += b.offsetSize }
            var dims: [Int] = []
            for _ in 0..<dimensionality { dims.append(try b.u32(q)); q += 4 }
            switch layoutClass {
            case 0: return .compact(offset: q + 4, size: try b.u32(q))
            case 1: return .contiguous(address: address, size: -1)   // size implied by the dataspace
            case 2: return .chunked(chunk: Array(dims.dropLast()), index: .btree1(address))
            default: throw b.fail(p + 2, "data layout class \(layoutClass)")
            }
        case 3, 4, 5:
            // Version 5 (HDF5 2.0) is laid out as version 4.
            let layoutClass = try b.u8(p + 1)
            switch layoutClass {
            case 0:
                let size = try b.u16(p + 2)
                return .compact(offset: p + 4, size: size)
            case 1:
                return .contiguous(address: try b.address(p + 2, "contiguous data address"), size: try b.length(p + 2 + b.offsetSize, "contiguous data size"))
            case 2 where version == 3:
                let dimensionality = try b.u8(p + 2)
                let address = try b.address(p + 3, "chunk B-tree address")
                var dims: [Int] = []
                var q = p + 3 + b.offsetSize
                for _ in 0..<dimensionality { dims.append(try b.u32(q)); q += 4 }
                return .chunked(chunk: Array(dims.dropLast()), index: .btree1(address))
            case 2:
                let flags = try b.u8(p + 2)
                let dimensionality = try b.u8(p + 3)
                let dimBytes = try b.u8(p + 4)
                guard (1...8).contains(dimBytes) else { throw b.fail(p + 4, "chunk dimension size of \(dimBytes) bytes") }
                var q = p + 5
                var dims: [Int] = []
                for _ in 0..<dimensionality { dims.append(try b.int(q, dimBytes, "chunk dimension")); q += dimBytes }
                let indexType = try b.u8(q)
                q += 1
                let index: HDF5Dataset.ChunkIndex
                switch indexType {
                case 1:
                    var filteredSize: Int?
                    var mask = 0
                    if flags & 0x02 != 0 {
                        filteredSize = try b.length(q, "filtered chunk size")
                        mask = try b.u32(q + b.lengthSize)
                        q += b.lengthSize + 4
                    }
                    index = .single(address: try b.address(q, "chunk address"), filteredSize: filteredSize, filterMask: mask)
                case 2: index = .implicit(try b.address(q, "chunk area address"))
                case 3: index = .fixedArray(try b.address(q + 1, "fixed array address"))
                case 4: index = .extensibleArray(try b.address(q + 5, "extensible array address"))
                case 5: index = .btree2(try b.address(q + 6, "chunk B-tree address"))
                default: throw b.fail(q - 1, "chunk index type \(indexType); expected 1 to 5")
                }
                // Version 4 stores the chunk's rank + 1 dimensions, the last being the element size.
                return .chunked(chunk: Array(dims.prefix(rank)), index: index)
            case 3 where version >= 4:
                return .virtual(collection: try b.address(p + 2, "virtual dataset mapping address"), index: try b.u32(p + 2 + b.offsetSize))
            default:
                throw b.fail(p + 1, "data layout class \(layoutClass); expected 0 to 3")
            }
        default:
            throw b.fail(p, "data layout message version \(version); expected 1 to 5")
        }
    }

    private func filterPipeline(_ m: Message) throws -> [HDF5Dataset.Filter] {
        let p = m.offset
        let version = try b.u8(p)
        let count = try b.u8(p + 1)
        guard version == 1 || version == 2 else { throw b.fail(p, "filter pipeline version \(version); expected 1 or 2") }
        var q = p + (version == 1 ? 8 : 2)
        var out: [HDF5Dataset.Filter] = []
        for _ in 0..<count {
            let id = try b.u16(q)
            var nameLength = 0
            q += 2
            if version == 1 || id >= 256 { nameLength = try b.u16(q); q += 2 }
            q += 2   // flags
            let values = try b.u16(q)
            q += 2
            var name = ""
            if nameLength > 0 {
                name = try b.cString(q, limit: nameLength)
                q += version == 1 ? (nameLength + 7) / 8 * 8 : nameLength
            }
            var data: [Int] = []
            for _ in 0..<values { data.append(try b.u32(q)); q += 4 }
            if version == 1, values % 2 == 1 { q += 4 }
            out.append(HDF5Dataset.Filter(id: id, name: name, clientData: data))
        }
        return out
    }

    // MARK: Reading values

    /// The raw bytes of a dataset in row-major order (chunks assembled, filters undone;
    /// storage never written reads as the fill value, zeros by default).
    func rawData(_ d: HDF5Dataset, depth: Int = 0) throws -> [UInt8] {
        let elementSize = d.type.size
        let (total, overflow) = d.space.count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, total <= 1 << 31 else { throw b.unsupported(d.address, "dataset of \(d.space.dims) elements is too large to read whole") }
        switch d.layout {
        case .compact(let offset, let size):
            guard size >= total else { throw b.fail(offset, "compact dataset holds \(size) bytes, its shape needs \(total)") }
            return try b.slice(offset, total, "compact data")
        case .contiguous(let address, let size):
            guard let address else { return d.filled(total) }
            guard size < 0 || size >= total else { throw b.fail(address, "contiguous dataset holds \(size) bytes, its shape \(d.space.dims) needs \(total)") }
            return try b.slice(address, total, "contiguous dataset data")
        case .chunked(let chunk, let index):
            return try chunkedData(d, chunk: chunk, index: index, total: total)
        case .virtual(let collection, let index):
            guard let collection else { return d.filled(total) }
            return try virtualData(d, collection: collection, index: index, total: total, depth: depth)
        }
    }

    /// A dataset's values as numbers (numeric types only).
    func numbers(_ d: HDF5Dataset) throws -> [Double] {
        guard d.type.isNumeric else { throw b.unsupported(d.address, "dataset of type \(d.type.description) is not numeric") }
        let raw = try rawData(d)
        return raw.withUnsafeBytes { d.type.doubles($0, count: d.space.count) }
    }

    /// The numeric members of a compound dataset (a table), each as a column of numbers.
    func fields(_ d: HDF5Dataset) throws -> [(name: String, values: [Double])] {
        guard case .compound(let size, let members) = d.type else { throw b.unsupported(d.address, "dataset of type \(d.type.description) is not a table") }
        let raw = try rawData(d)
        let count = d.space.count
        return members.filter { $0.type.isNumeric }.map { member in
            let width = member.type.size
            var column = [UInt8](repeating: 0, count: count * width)
            for e in 0..<count {
                let from = e * size + member.offset
                for k in 0..<width { column[e * width + k] = raw[from + k] }
            }
            return (member.name, column.withUnsafeBytes { member.type.doubles($0, count: count) })
        }
    }

    /// A dataset's or attribute's values as text (string types), one per element.
    func strings(_ raw: [UInt8], type: HDF5Datatype, count: Int, at offset: Int) throws -> [String] {
        var out: [String] = []
        switch type {
        case .string(let size):
            guard raw.count >= size * count else { throw b.fail(offset, "string data shorter than \(count) × \(size) bytes") }
            for k in 0..<count {
                var piece = raw[(k * size)..<((k + 1) * size)]
                if let nul = piece.firstIndex(of: 0) { piece = piece[..<nul] }
                out.append(String(decoding: piece, as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
        case .vlenString(let size):
            guard size >= 4 + b.offsetSize + 4, raw.count >= size * count else { throw b.fail(offset, "variable-length string data shorter than \(count) elements") }
            for k in 0..<count {
                let e = k * size
                var length = 0
                for j in 0..<4 { length |= Int(raw[e + j]) << (8 * j) }
                var address: UInt64 = 0
                for j in 0..<b.offsetSize { address |= UInt64(raw[e + 4 + j]) << UInt64(8 * j) }
                var index = 0
                for j in 0..<4 { index |= Int(raw[e + 4 + b.offsetSize + j]) << (8 * j) }
                if address == 0 || address == b.undefinedAddress || length == 0 { out.append(""); continue }
                out.append(try globalHeapString(address: Int(clamping: address) + b.base, index: index, length: length, at: offset))
            }
        default:
            throw b.unsupported(offset, "values of type \(type.description) are not text")
        }
        return out
    }

    /// Object `index` of the global heap collection at `address`, as text.
    private func globalHeapString(address: Int, index: Int, length: Int, at offset: Int) throws -> String {
        let object: (offset: Int, size: Int)
        do {
            object = try globalHeapObject(address: address, index: index)
        } catch let error as RoentgenError where error.message.contains("does not exist") {
            throw b.fail(offset, "variable-length string points at global heap object \(index) at byte \(address), which does not exist")
        }
        guard length <= object.size else { throw b.fail(object.offset, "global heap object \(index) holds \(object.size) bytes, the string needs \(length)") }
        return String(decoding: try b.slice(object.offset, length, "global heap object"), as: UTF8.self)
    }
}
