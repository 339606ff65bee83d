import Foundation

/// A text file held as bytes, split into lines, with allocation-free number scanning.
///
/// Used by the absorption readers (XDI, column ASCII, Athena, old beamline formats).
/// Lines end at LF, CR LF or a lone CR; the terminator is not part of a line.
/// Internal to XrayFormats; named `XAS…` so it cannot clash with the diffraction readers' helpers.
struct XASText {
    /// The file's bytes followed by one NUL, so `strtod` always stops inside the buffer.
    let bytes: [UInt8]
    /// Byte ranges of the lines (terminators excluded), in file order.
    let lines: [Range<Int>]

    init(_ data: Data) {
        let count = data.count
        var bytes = [UInt8](repeating: 0, count: count + 1)
        bytes.withUnsafeMutableBytes { dst in _ = data.copyBytes(to: dst.bindMemory(to: UInt8.self), count: count) }
        var lines: [Range<Int>] = []
        lines.reserveCapacity(count / 40 + 1)
        var start = 0
        var i = 0
        bytes.withUnsafeBufferPointer { p in
            while i < count {
                let b = p[i]
                if b == 10 {
                    lines.append(start..<i)
                    i += 1
                    start = i
                } else if b == 13 {
                    lines.append(start..<i)
                    i += 1
                    if i < count && p[i] == 10 { i += 1 }
                    start = i
                } else {
                    i += 1
                }
            }
        }
        if start < count { lines.append(start..<count) }
        self.bytes = bytes
        self.lines = lines
    }

    /// The text of line `index` (0-based), decoded as UTF-8 (invalid bytes replaced), or as Latin-1 if not UTF-8.
    func string(_ index: Int) -> String { string(lines[index]) }

    /// The text of a byte range.
    func string(_ range: Range<Int>) -> String {
        let slice = bytes[range]
        if let s = String(validating: slice, as: UTF8.self) { return s }
        return String(slice.map { Character(Unicode.Scalar($0)) })
    }

    /// The range with leading and trailing blanks (space, tab, NUL, form feed) removed.
    func trimmed(_ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi && XASText.isBlank(bytes[lo]) { lo += 1 }
        while hi > lo && XASText.isBlank(bytes[hi - 1]) { hi -= 1 }
        return lo..<hi
    }

    /// Whether a line holds only blanks.
    func isBlank(_ index: Int) -> Bool { trimmed(lines[index]).isEmpty }

    /// The first non-blank byte of a line, or nil.
    func firstByte(_ index: Int) -> UInt8? {
        let r = trimmed(lines[index])
        return r.isEmpty ? nil : bytes[r.lowerBound]
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 0 || b == 12 || b == 11 }

    /// Separator policy for data rows.
    struct Separators {
        var comma = true
        var semicolon = false
        func contains(_ b: UInt8) -> Bool {
            XASText.isBlank(b) || (comma && b == 44) || (semicolon && b == 59)
        }
        static let whitespace = Separators(comma: false)
        static let whitespaceOrComma = Separators(comma: true)
    }

    /// Outcome of scanning a row of numbers.
    enum RowScan {
        /// All tokens were numbers; the count of values appended.
        case numbers(Int)
        /// A token that is not a number: its byte range.
        case notANumber(Range<Int>)
    }

    /// Appends the numbers of `range` to `values`, split at `separators`.
    ///
    /// A token is a number if it is a plain decimal (`-1.5e3`, `.5`, `+2`, Fortran `1.0D+03`).
    /// `nan`/`inf` are accepted only if `allowNonFinite` is set.
    func scanNumbers(_ range: Range<Int>, separators: Separators = .whitespaceOrComma,
                     allowNonFinite: Bool = false, into values: inout [Double]) -> RowScan {
        var n = 0
        var i = range.lowerBound
        let end = range.upperBound
        return bytes.withUnsafeBufferPointer { p -> RowScan in
            while i < end {
                while i < end && separators.contains(p[i]) { i += 1 }
                if i >= end { break }
                let start = i
                while i < end && !separators.contains(p[i]) { i += 1 }
                guard let value = XASText.parseNumber(p, start..<i, allowNonFinite: allowNonFinite) else {
                    return .notANumber(start..<i)
                }
                values.append(value)
                n += 1
            }
            return .numbers(n)
        }
    }

    /// Counts the tokens of a line (at `separators`) without parsing them.
    func tokens(_ range: Range<Int>, separators: Separators = .whitespaceOrComma) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while i < end && separators.contains(bytes[i]) { i += 1 }
            if i >= end { break }
            let start = i
            while i < end && !separators.contains(bytes[i]) { i += 1 }
            out.append(start..<i)
        }
        return out
    }

    /// Parses one numeric token; nil if it is not a complete number.
    static func parseNumber(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, allowNonFinite: Bool) -> Double? {
        guard !r.isEmpty else { return nil }
        var digits = 0, dots = 0, exps = 0
        var fortranExponent = false
        var prev: UInt8 = 0
        for i in r {
            let c = p[i]
            switch c {
            case 48...57: digits += 1
            case 46: // .
                if exps > 0 { return nil }
                dots += 1
            case 43, 45: // + -
                if !(i == r.lowerBound || prev == 101 || prev == 69 || prev == 100 || prev == 68) { return nil }
            case 101, 69: exps += 1 // e E
            case 100, 68: exps += 1; fortranExponent = true // d D
            default:
                if allowNonFinite { return parseNonFinite(p, r) }
                return nil
            }
            prev = c
        }
        if digits == 0 || dots > 1 || exps > 1 {
            return allowNonFinite ? parseNonFinite(p, r) : nil
        }
        if fortranExponent || r.count > 62 {
            var text = String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self)
            if fortranExponent { text = text.replacingOccurrences(of: "d", with: "e").replacingOccurrences(of: "D", with: "e") }
            return Double(text)
        }
        // Copy to a small NUL-terminated stack buffer so strtod cannot read past the token.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: r.count + 1) { buf -> Double? in
            var k = 0
            for i in r { buf[k] = CChar(bitPattern: p[i]); k += 1 }
            buf[k] = 0
            var endPtr: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &endPtr)
            guard let e = endPtr, e - buf.baseAddress! == r.count else { return nil }
            return v
        }
    }

    private static func parseNonFinite(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[r]), as: UTF8.self).lowercased()
        switch text {
        case "nan", "+nan", "-nan", "nan(ind)", "-nan(ind)", "1.#qnan", "-1.#ind": return .nan
        case "inf", "+inf", "infinity", "+infinity", "1.#inf": return .infinity
        case "-inf", "-infinity", "-1.#inf": return -.infinity
        default: return nil
        }
    }
}

/// Larch's `fix_varname` rule for column labels (after lower-casing, as `read_ascii` does):
/// characters other than letters, digits and `_` become `_`, runs of `_` collapse, a trailing
/// `_` is dropped, and a name that starts with a digit gets a leading `_`.
/// (`"log(i0/it)"` → `"log_i0_it"`; `"Mono Energy"` → `"mono_energy"`.)
func xasSanitizedName(_ label: String) -> String {
    var out = ""
    var lastUnderscore = false
    for ch in label.lowercased().unicodeScalars {
        let keep = (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9")
        if keep {
            out.unicodeScalars.append(ch)
            lastUnderscore = false
        } else if !lastUnderscore {
            out.append("_")
            lastUnderscore = true
        }
    }
    if out.count > 1, out.hasSuffix("_") { out.removeLast() }
    if let first = out.unicodeScalars.first, first >= "0" && first <= "9" { out = "_" + out }
    return out.isEmpty ? "_" : out
}

extension XASText {
    /// Numbers of a Fortran-formatted row whose fields may run together
    /// (`3.39370E+04-1.00000E+00`): a sign that follows a digit or '.' starts a new field.
    /// Returns nil (and the offending token) if a field is not a number.
    func fortranNumbers(_ range: Range<Int>, into values: inout [Double]) -> Range<Int>? {
        var fields: [Range<Int>] = []
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while i < end, XASText.isBlank(bytes[i]) || bytes[i] == 44 { i += 1 }
            guard i < end else { break }
            let start = i
            i += 1
            while i < end, !(XASText.isBlank(bytes[i]) || bytes[i] == 44) {
                let b = bytes[i], prev = bytes[i - 1]
                if (b == 45 || b == 43), (prev >= 48 && prev <= 57) || prev == 46 { break }
                i += 1
            }
            fields.append(start..<i)
        }
        return bytes.withUnsafeBufferPointer { p -> Range<Int>? in
            for f in fields {
                guard let v = XASText.parseNumber(p, f, allowNonFinite: false) else { return f }
                values.append(v)
            }
            return nil
        }
    }
}

/// A short, printable excerpt of file text for error messages (control and replacement
/// characters shown as `?`, at most `limit` characters).
func xasExcerpt(_ s: String, limit: Int = 60) -> String {
    let cleaned = s.unicodeScalars.prefix(limit).map { u -> String in
        (u.value < 32 && u != "\t") || u.value == 0xFFFD || (0x7F...0x9F).contains(u.value) ? "?" : String(u)
    }.joined()
    return s.unicodeScalars.count > limit ? cleaned + "…" : cleaned
}
