import Foundation

/// A column of fixed-size values, held in an array (while a library is built) or read in place
/// from the bytes of a memory-mapped library file (while it is queried).
public struct LibraryColumn<Element: BitwiseCopyable>: RandomAccessCollection, Equatable, @unchecked Sendable {
    // `@unchecked`: the mapped bytes are never mutated; appending copies them into an array first.
    enum Backing {
        case array([Element])
        /// `count` values starting at `offset` bytes (a multiple of the element's alignment) into `data`.
        case mapped(Data, offset: Int, count: Int)
    }
    var backing: Backing

    public init(_ values: [Element] = []) { backing = .array(values) }
    init(mapping data: Data, offset: Int, count: Int) { backing = .mapped(data, offset: offset, count: count) }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch backing {
        case .array(let a): return a.count
        case .mapped(_, _, let n): return n
        }
    }

    public subscript(i: Int) -> Element {
        switch backing {
        case .array(let a): return a[i]
        case .mapped(let d, let offset, _):
            return d.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + i * MemoryLayout<Element>.stride, as: Element.self) }
        }
    }

    /// Calls `body` with the values as one contiguous buffer (no copy for a mapped column).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        switch backing {
        case .array(let a): return try a.withUnsafeBufferPointer(body)
        case .mapped(let d, let offset, let n):
            return try d.withUnsafeBytes { raw in
                try body(UnsafeBufferPointer(start: raw.baseAddress.map { ($0 + offset).assumingMemoryBound(to: Element.self) }, count: n))
            }
        }
    }

    /// The values as an array (copies a mapped column).
    public var array: [Element] {
        switch backing {
        case .array(let a): return a
        case .mapped: return withUnsafeBufferPointer { Array($0) }
        }
    }

    mutating func append(_ value: Element) {
        if case .array(var a) = backing {
            backing = .array([])
            a.append(value)
            backing = .array(a)
        } else {
            backing = .array(array + [value])
        }
    }

    mutating func append(contentsOf values: some Sequence<Element>) {
        var a = array
        backing = .array([])
        a.append(contentsOf: values)
        backing = .array(a)
    }

    /// The raw bytes of the values.
    func appendBytes(to data: inout Data) {
        withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * MemoryLayout<Element>.stride)) }
    }

    public static func == (a: LibraryColumn, b: LibraryColumn) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            memcmp(pa.baseAddress ?? UnsafePointer(bitPattern: 1)!, pb.baseAddress ?? UnsafePointer(bitPattern: 1)!, pa.count * MemoryLayout<Element>.stride) == 0
        } }
    }
}

/// A column of texts: an array while building, or UTF-8 bytes with offsets in a mapped file,
/// decoded only when a text is asked for.
public struct TextColumn: RandomAccessCollection, Equatable, @unchecked Sendable {
    enum Backing {
        case array([String])
        /// Text i is bytes offsets[i*stride + field] ..< offsets[i*stride + field + 1] of the blob at `blob`.
        case mapped(Data, offsets: LibraryColumn<UInt32>, blob: Int, stride: Int, field: Int, count: Int)
    }
    var backing: Backing

    public init(_ values: [String] = []) { backing = .array(values) }
    init(mapping data: Data, offsets: LibraryColumn<UInt32>, blob: Int, stride: Int, field: Int, count: Int) {
        backing = .mapped(data, offsets: offsets, blob: blob, stride: stride, field: field, count: count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch backing {
        case .array(let a): return a.count
        case .mapped(_, _, _, _, _, let n): return n
        }
    }

    public subscript(i: Int) -> String {
        switch backing {
        case .array(let a): return a[i]
        case .mapped(let d, let offsets, let blob, let stride, let field, _):
            let lo = Int(offsets[i * stride + field]), hi = Int(offsets[i * stride + field + 1])
            return String(decoding: d[(d.startIndex + blob + lo)..<(d.startIndex + blob + hi)], as: UTF8.self)
        }
    }

    public var array: [String] {
        if case .array(let a) = backing { return a }
        return (0..<count).map { self[$0] }
    }

    mutating func append(_ value: String) {
        var a = array
        backing = .array([])
        a.append(value)
        backing = .array(a)
    }

    mutating func append(contentsOf values: some Sequence<String>) {
        var a = array
        backing = .array([])
        a.append(contentsOf: values)
        backing = .array(a)
    }

    public static func == (a: TextColumn, b: TextColumn) -> Bool { a.elementsEqual(b) }
}
