import Foundation
import XrayCore

/// A small read-only XML tree for the XML-based diffraction formats (XRDML, BRML, RASX conditions).
///
/// Parsed by a byte-level scanner (elements, attributes, text, CDATA, comments, processing
/// instructions, DOCTYPE, the five named entities and character references), with every
/// construct checked for completeness: malformed or truncated XML throws a `RoentgenError` with
/// the line. No recursion while parsing; nesting is limited to 512 levels. Text stays byte
/// ranges into the document until asked for, so number lists parse without copies.
final class PatternXML {
    /// The document bytes shared by all nodes.
    final class Document {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    /// Element name without namespace prefix.
    let name: String
    /// Attributes by qualified name (`xsi:type`), values with entities decoded.
    let attributes: [String: String]
    var children: [PatternXML] = []
    private let document: Document
    /// Character data directly inside this element: byte ranges, or decoded text where entities
    /// occur. The first piece is stored inline (most elements have one, and thousands of `<Datum>`
    /// nodes then cost no array allocation); the rest follow in `morePieces`.
    private var firstPiece: Piece?
    private var morePieces: [Piece] = []
    /// Text byte ranges (start, end pairs) of the bulk children (see `parse(bytes:file:bulk:)`),
    /// which are not built as nodes.
    private var bulk: [Int] = []

    /// How many bulk children (e.g. `<Datum>`) this element holds.
    var bulkCount: Int { bulk.count / 2 }

    /// The text of bulk child `k`, blanks trimmed (for error messages).
    func bulkText(_ k: Int) -> String {
        let b = document.bytes
        var s = bulk[2 * k], e = bulk[2 * k + 1]
        while s < e, b[s] == 32 || b[s] == 9 || b[s] == 10 || b[s] == 13 { s += 1 }
        while e > s, b[e - 1] == 32 || b[e - 1] == 9 || b[e - 1] == 10 || b[e - 1] == 13 { e -= 1 }
        return PatternText.string(b, s..<e)
    }

    /// Calls `body` with the document bytes and the (start, end) pairs of the bulk children's text.
    func withBulk<R>(_ body: (UnsafeBufferPointer<UInt8>, [Int]) throws -> R) rethrows -> R {
        try document.bytes.withUnsafeBufferPointer { try body($0, bulk) }
    }

    /// All pieces in document order.
    private var pieces: [Piece] {
        guard let firstPiece else { return [] }
        return morePieces.isEmpty ? [firstPiece] : [firstPiece] + morePieces
    }

    /// The single raw byte range of the text, if the text is exactly one such piece.
    private var singleRaw: Range<Int>? {
        guard morePieces.isEmpty, case .raw(let r)? = firstPiece else { return nil }
        return r
    }

    private func append(_ piece: Piece) {
        if firstPiece == nil { firstPiece = piece } else { morePieces.append(piece) }
    }

    private enum Piece {
        case raw(Range<Int>)
        case decoded(String)
    }

    private init(name: String, attributes: [String: String], document: Document) {
        self.name = name
        self.attributes = attributes
        self.document = document
    }

    /// Concatenated character data directly inside this element.
    var text: String {
        var s = ""
        for piece in pieces {
            switch piece {
            case .raw(let r): s += PatternText.string(document.bytes, r)
            case .decoded(let d): s += d
            }
        }
        return s
    }

    /// Text with blanks trimmed.
    var value: String {
        if firstPiece == nil { return "" }
        if let r = singleRaw {
            let b = document.bytes
            var s = r.lowerBound, e = r.upperBound
            while s < e, b[s] == 32 || b[s] == 9 || b[s] == 10 || b[s] == 13 { s += 1 }
            while e > s, b[e - 1] == 32 || b[e - 1] == 9 || b[e - 1] == 10 || b[e - 1] == 13 { e -= 1 }
            return PatternText.string(b, s..<e)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The blank-separated numbers of the text (NaN for a token that is not a number).
    func numbers() -> [Double] {
        var out: [Double] = []
        for piece in pieces {
            switch piece {
            case .raw(let r):
                let bytes = document.bytes
                out.reserveCapacity(out.count + r.count / 4)
                bytes.withUnsafeBufferPointer { p in
                    var k = r.lowerBound
                    while k < r.upperBound {
                        while k < r.upperBound, p[k] == 32 || p[k] == 9 || p[k] == 10 || p[k] == 13 { k += 1 }
                        if k >= r.upperBound { break }
                        let s = k
                        while k < r.upperBound, !(p[k] == 32 || p[k] == 9 || p[k] == 10 || p[k] == 13) { k += 1 }
                        out.append(PatternText.number(p, s, k) ?? .nan)
                    }
                }
            case .decoded(let d):
                for token in d.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                    out.append(PatternText.number(String(token)) ?? .nan)
                }
            }
        }
        return out
    }

    /// The text as a `separator`-separated list of numbers (blanks around fields ignored), into
    /// `out` (cleared first); false if a field is not a number.
    func numbers(separatedBy separator: UInt8, into out: inout [Double]) -> Bool {
        out.removeAll(keepingCapacity: true)
        guard let r = singleRaw else {
            let bytes = Array(text.utf8)
            return PatternXML.fields(bytes, 0..<bytes.count, separator, &out)
        }
        return PatternXML.fields(document.bytes, r, separator, &out)
    }

    private static func fields(_ bytes: [UInt8], _ r: Range<Int>, _ separator: UInt8, _ out: inout [Double]) -> Bool {
        bytes.withUnsafeBufferPointer { fields($0, r.lowerBound, r.upperBound, separator, &out) }
    }

    /// Appends the `separator`-separated numbers of `buffer[start..<end]` (blanks around fields
    /// ignored) to `out`, one pass over the bytes; false if a field is not a number.
    @inline(__always)
    static func fields(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ separator: UInt8, _ out: inout [Double]) -> Bool {
        guard let p = buffer.baseAddress, start >= 0, end <= buffer.count else { return false }
        var k = start
        while true {
            while k < end, p[k] == 32 || p[k] == 9 || p[k] == 10 || p[k] == 13 { k += 1 }
            guard let r = PatternText.scanNumber(p, k, end) else { return false }
            out.append(r.value)
            k = r.end
            while k < end, p[k] == 32 || p[k] == 9 || p[k] == 10 || p[k] == 13 { k += 1 }
            if k >= end { return true }
            guard p[k] == separator else { return false }
            k += 1
        }
    }

    /// The first child named `name`.
    func child(_ name: String) -> PatternXML? { children.first { $0.name == name } }

    /// All children named `name`.
    func children(_ name: String) -> [PatternXML] { children.filter { $0.name == name } }

    /// The first descendant (depth-first) named `name`.
    func first(_ name: String) -> PatternXML? {
        var stack: [PatternXML] = children.reversed()
        while let node = stack.popLast() {
            if node.name == name { return node }
            if !node.children.isEmpty { stack.append(contentsOf: node.children.reversed()) }
        }
        return nil
    }

    /// Every descendant named `name`, depth-first.
    func all(_ name: String) -> [PatternXML] {
        var out: [PatternXML] = []
        var stack: [PatternXML] = children.reversed()
        while let node = stack.popLast() {
            if node.name == name { out.append(node) }
            if !node.children.isEmpty { stack.append(contentsOf: node.children.reversed()) }
        }
        return out
    }

    /// Leaf values and attributes flattened to `path.to.leaf` → text (`@attr` for attributes),
    /// repeated paths numbered `[2]`, `[3]` …; elements in `skip` (bulk data) are left out.
    func flatten(into metadata: inout Metadata, prefix: String, skip: Set<String> = []) {
        if !attributes.isEmpty {
            for (k, v) in attributes.sorted(by: { $0.key < $1.key }) where !k.hasPrefix("xmlns") && !k.hasPrefix("xsi:") {
                metadata[prefix + "@" + k] = v
            }
        }
        if children.isEmpty {
            let v = value
            if !v.isEmpty || attributes.isEmpty { metadata[prefix] = v }
            return
        }
        // Repeats are numbered; children are few, so a linear count beats a dictionary.
        var seen: [(String, Int)] = []
        // `skip` holds one or two names: comparing them beats hashing every child's name
        // (a route has thousands of skipped `<Datum>` children).
        for c in children where !skip.contains(where: { $0 == c.name }) {
            var n = 1
            if let k = seen.firstIndex(where: { $0.0 == c.name }) {
                seen[k].1 += 1
                n = seen[k].1
            } else {
                seen.append((c.name, 1))
            }
            let key = prefix.isEmpty ? c.name : prefix + "." + c.name
            c.flatten(into: &metadata, prefix: n == 1 ? key : key + "[\(n)]", skip: skip)
        }
    }

    // MARK: Parsing

    static let maximumDepth = 512

    /// Parses `data` into a tree; malformed or truncated XML throws with the line number.
    static func parse(_ data: Data, file: String, bulk: String? = nil) throws -> PatternXML {
        try parse(bytes: [UInt8](data), file: file, bulk: bulk)
    }

    /// Parses `bytes` into a tree. Elements named `bulk` (e.g. BRML's thousands of `<Datum>`)
    /// are not built as nodes: each must hold text only, and its byte range is kept on its
    /// parent (`bulkCount`, `withBulk`); one with attributes is built as a normal node.
    static func parse(bytes: [UInt8], file: String, bulk: String? = nil) throws -> PatternXML {
        let document = Document(try utf8(bytes, file: file))
        let bulkName = bulk.map { Array($0.utf8) } ?? []
        let b = document.bytes
        let n = b.count
        func lineOf(_ offset: Int) -> Int {
            var line = 1
            for k in 0..<min(offset, n) where b[k] == 10 { line += 1 }
            return line
        }
        func fail(_ offset: Int, _ what: String) -> RoentgenError {
            RoentgenError.badFile(file, line: lineOf(offset), "malformed or truncated XML: \(what); expected a complete XML document")
        }
        /// Index just past `terminator` at or after `from`, or nil.
        func find(_ terminator: [UInt8], from: Int) -> Int? {
            var k = from
            let first = terminator[0]
            while k + terminator.count <= n {
                if b[k] == first {
                    var m = 1
                    while m < terminator.count, b[k + m] == terminator[m] { m += 1 }
                    if m == terminator.count { return k + terminator.count }
                }
                k += 1
            }
            return nil
        }
        func isNameByte(_ c: UInt8) -> Bool {
            !(c == 32 || c == 9 || c == 10 || c == 13 || c == 47 || c == 62 || c == 61 || c == 60)
        }
        /// `<bulk>text</bulk>` at `at` (exactly that form): the text range and the offset after it.
        func bulkAt(_ at: Int) -> (start: Int, end: Int, after: Int)? {
            let length = bulkName.count
            guard at + length + 2 <= n, b[at + length + 1] == 62 else { return nil }
            for k in 0..<length where b[at + 1 + k] != bulkName[k] { return nil }
            let start = at + length + 2
            guard let lt = memchrIndex(b, 60, from: start), lt + length + 3 <= n, b[lt + 1] == 47, b[lt + length + 2] == 62 else { return nil }
            for k in 0..<length where b[lt + 2 + k] != bulkName[k] { return nil }
            return (start, lt, lt + length + 3)
        }
        var root: PatternXML?
        var stack: [(node: PatternXML, qualified: Range<Int>)] = []
        /// Whether the byte ranges `x` and `y` of the document hold the same bytes.
        func same(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
            guard x.count == y.count, x.lowerBound >= 0, x.upperBound <= n, y.lowerBound >= 0, y.upperBound <= n else { return false }
            for j in 0..<x.count where b[x.lowerBound + j] != b[y.lowerBound + j] { return false }
            return true
        }
        func name(_ r: Range<Int>) -> String { PatternText.string(b, r) }
        var i = 0
        var textStart = 0
        func flushText(_ end: Int) throws {
            guard end > textStart, let top = stack.last?.node else { return }
            var hasEntity = false
            for k in textStart..<end where b[k] == 38 { hasEntity = true; break }
            if hasEntity {
                top.append(.decoded(try decode(b, textStart..<end, file: file, line: lineOf(textStart))))
            } else {
                top.append(.raw(textStart..<end))
            }
        }
        while i < n {
            guard let lt = memchrIndex(b, 60, from: i) else {
                i = n
                break
            }
            try flushText(lt)
            i = lt
            guard i + 1 < n else { throw fail(i, "document ends inside a tag") }
            let c = b[i + 1]
            // Fast path for a run of plain `<Datum>text</Datum>` bulk elements (blanks between
            // them dropped); any other form takes the general path below.
            if !bulkName.isEmpty, c == bulkName[0], let parent = stack.last?.node, var r = bulkAt(i) {
                var run: [Int] = []
                run.reserveCapacity(2 * ((n - i) / 32 + 1))
                while true {
                    run.append(r.start); run.append(r.end)
                    var q = r.after
                    while q < n, b[q] == 32 || b[q] == 9 || b[q] == 10 || b[q] == 13 { q += 1 }
                    i = r.after
                    guard q + 1 < n, b[q] == 60, b[q + 1] == bulkName[0], let next = bulkAt(q) else { break }
                    r = next
                }
                parent.bulk.append(contentsOf: run)
                textStart = i
                continue
            }
            if c == 33 {   // "<!"
                if i + 3 < n, b[i + 2] == 45, b[i + 3] == 45 {
                    guard let e = find([45, 45, 62], from: i + 4) else { throw fail(i, "comment is not closed") }
                    i = e
                } else if i + 8 < n, Array(b[(i + 2)..<(i + 9)]) == Array("[CDATA[".utf8) {
                    guard let e = find(Array("]]>".utf8), from: i + 9) else { throw fail(i, "CDATA section is not closed") }
                    stack.last?.node.append(.raw((i + 9)..<(e - 3)))
                    i = e
                } else {   // DOCTYPE or other declaration, possibly with an internal subset [...]
                    var k = i + 2, depth = 0
                    while k < n, !(b[k] == 62 && depth == 0) {
                        if b[k] == 91 { depth += 1 } else if b[k] == 93 { depth -= 1 }
                        k += 1
                    }
                    guard k < n else { throw fail(i, "declaration is not closed") }
                    i = k + 1
                }
            } else if c == 63 {   // "<?"
                guard let e = find([63, 62], from: i + 2) else { throw fail(i, "processing instruction is not closed") }
                i = e
            } else if c == 47 {   // "</name>"
                var k = i + 2
                let s = k
                while k < n, isNameByte(b[k]) { k += 1 }
                let qualified = s..<k
                while k < n, PatternText.isBlank(b[k]) || b[k] == 10 || b[k] == 13 { k += 1 }
                guard k < n, b[k] == 62 else { throw fail(i, "end tag is not closed") }
                guard let open = stack.popLast() else { throw fail(i, "end tag </\(name(qualified))> without a start tag") }
                guard same(open.qualified, qualified) else {
                    throw fail(i, "end tag </\(name(qualified))> does not match <\(name(open.qualified))>")
                }
                i = k + 1
            } else {   // start tag
                var k = i + 1
                let s = k
                while k < n, isNameByte(b[k]) { k += 1 }
                guard k > s else { throw fail(i, "'<' not followed by a name") }
                let qualified = s..<k
                var attributes: [String: String] = [:]
                var selfClosing = false
                while true {
                    while k < n, PatternText.isBlank(b[k]) || b[k] == 10 || b[k] == 13 { k += 1 }
                    guard k < n else { throw fail(i, "start tag is not closed") }
                    if b[k] == 62 { k += 1; break }
                    if b[k] == 47 {
                        guard k + 1 < n, b[k + 1] == 62 else { throw fail(k, "'/' in a tag not followed by '>'") }
                        selfClosing = true
                        k += 2
                        break
                    }
                    let a = k
                    while k < n, isNameByte(b[k]) { k += 1 }
                    guard k > a else { throw fail(k, "unexpected character in a tag") }
                    let key = PatternText.string(b, a..<k)
                    while k < n, PatternText.isBlank(b[k]) || b[k] == 10 || b[k] == 13 { k += 1 }
                    guard k < n, b[k] == 61 else { throw fail(k, "attribute \(key) has no '='") }
                    k += 1
                    while k < n, PatternText.isBlank(b[k]) || b[k] == 10 || b[k] == 13 { k += 1 }
                    guard k < n, b[k] == 34 || b[k] == 39 else { throw fail(k, "attribute \(key) value is not quoted") }
                    let quote = b[k]
                    let vs = k + 1
                    guard let ve = memchrIndex(b, quote, from: vs) else { throw fail(k, "attribute \(key) value is not closed") }
                    attributes[key] = memchrIndex(b, 38, from: vs, to: ve) != nil
                        ? try decode(b, vs..<ve, file: file, line: lineOf(vs)) : PatternText.string(b, vs..<ve)
                    k = ve + 1
                }
                var localStart = s
                for j in qualified where b[j] == 58 { localStart = j + 1 }   // after the namespace prefix
                let local = localStart..<qualified.upperBound
                if !bulkName.isEmpty, attributes.isEmpty, let parent = stack.last?.node, local.count == bulkName.count,
                   bulkName.indices.allSatisfy({ b[localStart + $0] == bulkName[$0] }) {
                    if selfClosing {
                        parent.bulk.append(k); parent.bulk.append(k)
                        i = k
                        textStart = i
                        continue
                    }
                    // Text up to the next '<', which must be this element's end tag.
                    let end = memchrIndex(b, 60, from: k) ?? n
                    var m = end + 2
                    guard end + 1 < n, b[end + 1] == 47, m + qualified.count <= n,
                          same(m..<(m + qualified.count), qualified) else {
                        throw fail(end, "<\(name(qualified))> holds markup or is not closed; expected text only")
                    }
                    m += qualified.count
                    while m < n, PatternText.isBlank(b[m]) || b[m] == 10 || b[m] == 13 { m += 1 }
                    guard m < n, b[m] == 62 else { throw fail(end, "end tag is not closed") }
                    parent.bulk.append(k); parent.bulk.append(end)
                    i = m + 1
                    textStart = i
                    continue
                }
                let node = PatternXML(name: name(local), attributes: attributes, document: document)
                if let parent = stack.last?.node {
                    parent.children.append(node)
                } else if root == nil {
                    root = node
                } else {
                    throw fail(i, "a second root element")
                }
                if !selfClosing {
                    guard stack.count < maximumDepth else { throw fail(i, "elements nested deeper than \(maximumDepth) levels") }
                    stack.append((node, qualified))
                }
                i = k
            }
            textStart = i
        }
        if let open = stack.last {
            throw fail(n, "the document ends before <\(name(open.qualified))> is closed (truncated file?)")
        }
        guard let root else { throw fail(0, "no root element") }
        return root
    }

    /// Index of the first `byte` in `b[from..<to]`, or nil.
    private static func memchrIndex(_ b: [UInt8], _ byte: UInt8, from: Int, to: Int? = nil) -> Int? {
        let end = to ?? b.count
        guard from < end else { return nil }
        return b.withUnsafeBufferPointer { p -> Int? in
            guard let base = p.baseAddress, let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
            return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
        }
    }

    /// Text with the five named entities and character references decoded (`line` is computed
    /// only for an error: counting lines from the start for every decoded piece was quadratic).
    private static func decode(_ b: [UInt8], _ r: Range<Int>, file: String, line: @autoclosure () -> Int) throws -> String {
        var out = [UInt8]()
        out.reserveCapacity(r.count)
        var k = r.lowerBound
        while k < r.upperBound {
            guard b[k] == 38 else { out.append(b[k]); k += 1; continue }
            guard let semi = memchrIndex(b, 59, from: k, to: min(r.upperBound, k + 12)) else {
                throw RoentgenError.badFile(file, line: line(), "malformed XML: '&' not starting an entity; expected &amp;, &lt;, &gt;, &quot;, &apos; or &#…;")
            }
            let entity = String(decoding: b[(k + 1)..<semi], as: UTF8.self)
            switch entity {
            case "amp": out.append(38)
            case "lt": out.append(60)
            case "gt": out.append(62)
            case "quot": out.append(34)
            case "apos": out.append(39)
            default:
                var scalar: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { scalar = UInt32(entity.dropFirst(2), radix: 16) } else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()) }
                guard let value = scalar, let u = Unicode.Scalar(value) else {
                    throw RoentgenError.badFile(file, line: line(), "malformed XML: unknown entity &\(entity);")
                }
                out += Array(String(Character(u)).utf8)
            }
            k = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The document as UTF-8: Latin-1 documents (declared so) are transcoded; anything else that
    /// is not valid UTF-8 is rejected with the byte offset.
    static func utf8(_ data: Data, file: String) throws -> Data {
        Data(try utf8([UInt8](data), file: file))
    }

    static func utf8(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard let bad = PatternText.firstInvalidUTF8(bytes) else { return bytes }
        let declaration = String(decoding: bytes.prefix(100), as: UTF8.self).lowercased()
        if declaration.hasPrefix("<?xml"), declaration.contains("iso-8859-1") || declaration.contains("latin") || declaration.contains("windows-1252") {
            return Array(String(bytes.map { Character(Unicode.Scalar($0)) }).utf8)
        }
        throw RoentgenError.badFile(file, byteOffset: bad, "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16)) in an XML document declared (or defaulting to) UTF-8")
    }
}
