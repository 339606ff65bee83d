import Foundation
import XrayCore

/// Byte-level text helpers shared by the diffraction readers (and usable by any text reader).
///
/// Readers work on the file's bytes, never on `String`s per line: `PatternText.Lines` splits a file
/// into line ranges once (LF, CR LF, CR CR LF and lone CR all end a line), and
/// `PatternText.number` parses a decimal number (optionally with a decimal comma) straight from
/// the bytes without allocating.
enum PatternText {
    /// The lines of a text file as byte ranges into `bytes` (line terminators excluded).
    struct Lines {
        /// The file's bytes (a UTF-8 byte-order mark is dropped).
        let bytes: [UInt8]
        /// Start offset of each line in `bytes`.
        let starts: [Int]
        /// End offset (exclusive, terminator excluded) of each line in `bytes`.
        let ends: [Int]

        init(_ data: Data) {
            var bytes = [UInt8](data)
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
            self.init(bytes: bytes)
        }

        init(bytes: [UInt8]) {
            self.bytes = bytes
            var starts: [Int] = [], ends: [Int] = []
            starts.reserveCapacity(bytes.count / 16 + 1)
            ends.reserveCapacity(bytes.count / 16 + 1)
            bytes.withUnsafeBufferPointer { p in
                var cursor = LineCursor(p)
                while let (s, e) = cursor.next() { starts.append(s); ends.append(e) }
            }
            self.starts = starts
            self.ends = ends
        }

        var count: Int { starts.count }

        /// Line `i` (0-based) as text: UTF-8 if valid, else Latin-1 (old instrument software).
        func string(_ i: Int) -> String {
            PatternText.string(bytes, starts[i]..<ends[i])
        }

        /// Line `i` with leading and trailing blanks removed (trimmed on the bytes; Foundation's
        /// trimming only where a non-ASCII byte is at an end, which may be a Unicode blank).
        func trimmed(_ i: Int) -> String {
            var s = starts[i], e = ends[i]
            while s < e, PatternText.isBlank(bytes[s]) { s += 1 }
            while e > s, PatternText.isBlank(bytes[e - 1]) { e -= 1 }
            let text = PatternText.string(bytes, s..<e)
            if s < e, bytes[s] >= 0x80 || bytes[e - 1] >= 0x80 { return text.trimmingCharacters(in: .whitespaces) }
            return text
        }

        /// Whether line `i` contains the byte `c`.
        func contains(_ i: Int, _ c: UInt8) -> Bool {
            var k = starts[i]
            while k < ends[i] {
                if bytes[k] == c { return true }
                k += 1
            }
            return false
        }

        /// Whether line `i` holds only blanks.
        func isBlank(_ i: Int) -> Bool {
            var k = starts[i]
            while k < ends[i] {
                let c = bytes[k]
                if c != 32 && c != 9 { return false }
                k += 1
            }
            return true
        }

        /// The first non-blank byte of line `i`, or nil.
        func firstByte(_ i: Int) -> UInt8? {
            var k = starts[i]
            while k < ends[i] {
                let c = bytes[k]
                if c != 32 && c != 9 { return c }
                k += 1
            }
            return nil
        }

        /// Whether the byte after the first non-blank byte of line `i` is the ASCII letter `upper`
        /// (either case); a cheap filter before `hasPrefix`.
        @inline(__always)
        func secondByteIs(_ i: Int, _ upper: UInt8) -> Bool {
            var k = starts[i]
            let e = ends[i]
            while k < e, bytes[k] == 32 || bytes[k] == 9 { k += 1 }
            return k + 1 < e && PatternText.lower(bytes[k + 1]) == PatternText.lower(upper)
        }

        /// Whether line `i` starts (after blanks) with the ASCII `prefix`, case-insensitively.
        func hasPrefix(_ i: Int, _ prefix: String, skipBlanks: Bool = true) -> Bool {
            var k = starts[i]
            if skipBlanks { while k < ends[i], bytes[k] == 32 || bytes[k] == 9 { k += 1 } }
            for u in prefix.utf8 {
                guard k < ends[i], PatternText.lower(bytes[k]) == PatternText.lower(u) else { return false }
                k += 1
            }
            return true
        }

        /// All numbers on line `i` separated by blanks (and commas if `commaSeparates`);
        /// nil if any blank-separated token is not a number.
        func numbers(_ i: Int, commaSeparates: Bool = false) -> [Double]? {
            var out: [Double] = []
            return scanNumbers(i, commaSeparates: commaSeparates, into: &out) ? out : nil
        }

        /// Appends the numbers of line `i` to `out`; false (and `out` unchanged) if a token is not a number.
        @inline(__always)
        func appendNumbers(_ i: Int, commaSeparates: Bool = false, to out: inout [Double]) -> Bool {
            let before = out.count
            let ok = bytes.withUnsafeBufferPointer {
                PatternText.appendNumbers($0, starts[i], ends[i], commaSeparates: commaSeparates, to: &out)
            }
            if !ok { out.removeSubrange(before...) }
            return ok
        }

        /// `key` and `value` of a line `KEY<separator>value` (blanks trimmed, `skip` leading bytes of
        /// the key dropped, e.g. the `*` of Rigaku headers); nil without the separator.
        func keyValue(_ i: Int, separator: UInt8, skip: Int = 0) -> (String, String)? {
            var s = starts[i], e = ends[i]
            while s < e, PatternText.isBlank(bytes[s]) { s += 1 }
            s = min(e, s + skip)
            var eq = s
            while eq < e, bytes[eq] != separator { eq += 1 }
            guard eq < e else { return nil }
            var ke = eq
            while ke > s, PatternText.isBlank(bytes[ke - 1]) { ke -= 1 }
            var vs = eq + 1
            while vs < e, PatternText.isBlank(bytes[vs]) { vs += 1 }
            while e > vs, PatternText.isBlank(bytes[e - 1]) { e -= 1 }
            return (PatternText.string(bytes, s..<ke), PatternText.string(bytes, vs..<e))
        }

        /// How many numbers line `i` holds, or nil if a blank-separated token is not a number.
        func countNumbers(_ i: Int) -> Int? {
            let end = ends[i]
            return bytes.withUnsafeBufferPointer { buffer -> Int? in
                guard let p = buffer.baseAddress, end <= buffer.count else { return nil }
                var k = starts[i], n = 0
                while k < end {
                    if PatternText.isBlank(p[k]) { k += 1; continue }
                    guard let r = PatternText.scanNumber(p, k, end), r.end == end || PatternText.isBlank(p[r.end]) else { return nil }
                    n += 1
                    k = r.end
                }
                return n
            }
        }

        /// Like `numbers`, into a caller-owned buffer (cleared first) so hot loops do not allocate.
        @inline(__always)
        func scanNumbers(_ i: Int, commaSeparates: Bool = false, into out: inout [Double]) -> Bool {
            out.removeAll(keepingCapacity: true)
            return bytes.withUnsafeBufferPointer {
                PatternText.appendNumbers($0, starts[i], ends[i], commaSeparates: commaSeparates, to: &out)
            }
        }
    }

    /// Appends the numbers of `buffer[start..<end]`, separated by blanks (and commas when
    /// `commaSeparates`), to `out` in one pass over the bytes; false at the first token that is not
    /// a number (the values before it stay appended).
    @inline(__always)
    static func appendNumbers(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, commaSeparates: Bool,
                              to out: inout [Double]) -> Bool {
        guard let p = buffer.baseAddress, start >= 0, end <= buffer.count else { return false }
        var k = start
        while k < end {
            let c = p[k]
            if c == 32 || c == 9 || (commaSeparates && c == 44) { k += 1; continue }
            guard let r = scanNumber(p, k, end) else { return false }
            if r.end < end {
                let d = p[r.end]
                guard d == 32 || d == 9 || (commaSeparates && d == 44) else { return false }
            }
            out.append(r.value)
            k = r.end
        }
        return true
    }

    /// Walks the lines of a byte buffer one at a time, without storing them (the splitting rules
    /// of `Lines`): LF, CR LF and CR CR LF end a line; a lone CR inside an LF-terminated line also
    /// ends one (runs of them count once); in a file without any LF every CR ends a line.
    struct LineCursor {
        let p: UnsafePointer<UInt8>
        let n: Int
        private let hasLF: Bool
        /// Start of the next LF-terminated segment (or, without LFs, of the next line).
        private var start = 0
        private var inSegment = false
        private var s = 0, end = 0, lf = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>) {
            p = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
            n = buffer.baseAddress == nil ? 0 : buffer.count
            hasLF = n > 0 && memchr(p, 10, n) != nil
        }

        private func find(_ byte: Int32, _ from: Int, _ to: Int) -> Int? {
            guard to > from, let hit = memchr(p + from, byte, to - from) else { return nil }
            return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
        }

        /// The next line's byte range (terminator excluded), or nil at the end.
        @inline(__always)
        mutating func next() -> (Int, Int)? {
            guard hasLF else {
                guard start < n else { return nil }
                let cr = find(13, start, n) ?? n
                defer { start = cr + 1 }
                return (start, cr)
            }
            while true {
                if !inSegment {
                    guard start < n else { return nil }
                    lf = find(10, start, n) ?? n
                    end = lf
                    while end > start, p[end - 1] == 13 { end -= 1 }
                    s = start
                    inSegment = true
                }
                if let cr = find(13, s, end) {
                    let line = (s, cr)
                    s = cr + 1
                    while s < end, p[s] == 13 { s += 1 }
                    return line
                }
                inSegment = false
                start = lf + 1
                if lf < n || end > s { return (s, end) }
            }
        }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { (c >= 65 && c <= 90) ? c + 32 : c }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    @inline(__always) static func isBlank(_ c: UInt8) -> Bool { c == 32 || c == 9 }

    /// Calls `body(start, end)` for each token of `bytes[start..<end]` separated by blanks
    /// (and commas when `commaSeparates`).
    @inline(__always)
    static func forEachToken(_ bytes: [UInt8], _ start: Int, _ end: Int, commaSeparates: Bool,
                             _ body: (Int, Int) -> Void) {
        var k = start
        while k < end {
            while k < end, isBlank(bytes[k]) || (commaSeparates && bytes[k] == 44) { k += 1 }
            if k >= end { break }
            let s = k
            while k < end, !isBlank(bytes[k]), !(commaSeparates && bytes[k] == 44) { k += 1 }
            body(s, k)
        }
    }

    /// Decodes bytes as UTF-8, falling back to Latin-1 (never fails).
    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, !range.isEmpty else { return "" }
        return bytes.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return "" }
            return string(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
        }
    }

    /// Decodes bytes as UTF-8, falling back to Latin-1 (never fails).
    static func string(_ slice: UnsafeBufferPointer<UInt8>) -> String {
        guard !slice.isEmpty else { return "" }
        // Header values are nearly always ASCII: one OR over the bytes decides, and the
        // non-generic `String(decoding:)` then copies without re-validating (the generic
        // `String(validating:)` cost a runtime metadata lookup per call).
        var high: UInt8 = 0
        for b in slice { high |= b }
        if high < 0x80 || firstInvalidUTF8(slice) == nil { return String(decoding: slice, as: UTF8.self) }
        // Latin-1: each byte is the scalar of the same value; write its UTF-8 form directly.
        return String(unsafeUninitializedCapacity: 2 * slice.count) { out in
            var n = 0
            for b in slice {
                if b < 0x80 {
                    out[n] = b; n += 1
                } else {
                    out[n] = 0xC0 | (b >> 6); out[n + 1] = 0x80 | (b & 0x3F); n += 2
                }
            }
            return n
        }
    }

    /// `text` without leading and trailing blanks (spaces and tabs; any Unicode blank at an end
    /// is left to Foundation's trimming).
    static func trimmingBlanks(_ text: Substring) -> String {
        let u = text.utf8
        var s = u.startIndex, e = u.endIndex
        while s < e, isBlank(u[s]) { s = u.index(after: s) }
        while e > s, isBlank(u[u.index(before: e)]) { e = u.index(before: e) }
        if s < e, u[s] >= 0x80 || u[u.index(before: e)] >= 0x80 { return text.trimmingCharacters(in: .whitespaces) }
        return String(text[s..<e])
    }

    static func trimmingBlanks(_ text: String) -> String { trimmingBlanks(text[...]) }

    /// Decodes a whole file as text (UTF-8 with or without BOM, else Latin-1).
    static func string(_ data: Data) -> String {
        var bytes = [UInt8](data)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
        return string(bytes, 0..<bytes.count)
    }

    /// Parses a whole string as a number (blanks trimmed); see `number(_:_:_:decimalComma:)`.
    static func number(_ text: String, decimalComma: Bool = false) -> Double? {
        let bytes = Array(text.utf8)
        var s = 0, e = bytes.count
        while s < e, isBlank(bytes[s]) { s += 1 }
        while e > s, isBlank(bytes[e - 1]) { e -= 1 }
        return number(bytes, s, e, decimalComma: decimalComma)
    }

    /// Parses a number that may carry a standard uncertainty in parentheses (`1.234(5)`), as in CIF.
    static func numberDroppingUncertainty(_ text: String) -> Double? {
        if let paren = text.firstIndex(of: "(") { return number(String(text[..<paren])) }
        return number(text)
    }

    /// Offset of the first byte that is not part of a valid UTF-8 sequence, or nil if all are valid.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidUTF8($0) }
    }

    /// Offset of the first byte that is not part of a valid UTF-8 sequence, or nil if all are valid.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = bytes.count
        let raw = UnsafeRawBufferPointer(bytes)
        while i < n {
            // ASCII runs (nearly all of an XML document) eight bytes at a time.
            while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < n else { break }
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int, minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; scalar = UInt32(b & 0x1F); minimum = 0x80
            case 0xE0...0xEF: length = 3; scalar = UInt32(b & 0x0F); minimum = 0x800
            case 0xF0...0xF4: length = 4; scalar = UInt32(b & 0x07); minimum = 0x10000
            default: return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return i }
            i += length
        }
        return nil
    }

    /// Whether `haystack` contains the ASCII `needle` (fast byte search; used by sniffers).
    static func contains(_ haystack: Data, _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        return haystack.withUnsafeBytes { h in
            n.withUnsafeBytes { q in
                guard let hb = h.baseAddress?.assumingMemoryBound(to: UInt8.self),
                      let qb = q.baseAddress?.assumingMemoryBound(to: UInt8.self), h.count >= q.count, q.count > 0 else { return false }
                let first = Int32(qb[0]), last = h.count - q.count
                var i = 0
                while i <= last {
                    // Jump to the next occurrence of the first byte.
                    guard let hit = memchr(hb + i, first, last - i + 1) else { return false }
                    i = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - hb
                    var k = 1
                    while k < q.count && hb[i + k] == qb[k] { k += 1 }
                    if k == q.count { return true }
                    i += 1
                }
                return false
            }
        }
    }

    /// The first byte of `head` that is not a blank, line break or UTF-8 byte-order mark.
    static func firstNonBlank(_ head: Data) -> UInt8? {
        head.prefix(1024).withUnsafeBytes { raw -> UInt8? in
            for b in raw where b != 32 && b != 9 && b != 10 && b != 13 && b != 0xEF && b != 0xBB && b != 0xBF { return b }
            return nil
        }
    }

    /// Whether `head` looks like text: no NUL bytes and mostly printable.
    static func looksLikeText(_ head: Data) -> Bool {
        head.prefix(4096).withUnsafeBytes { raw -> Bool in
            var control = 0
            for b in raw {
                if b == 0 { return false }
                if b < 32 && b != 9 && b != 10 && b != 13 && b != 12 { control += 1 }
            }
            return control * 100 <= max(raw.count, 1)
        }
    }
}
