import Foundation
import XrayCore

/// The CIF 1.1 syntax reader of both CIF readers (powder data and crystal structures): data
/// blocks of `_tag value` items and `loop_` tables. Handles `#` comments, quoted values ('…',
/// "…", closed by the same quote followed by a blank, never across lines), semicolon text
/// fields, `global_`/`stop_`, and `save_` frames (skipped). Tags before any `data_` form one
/// implicit block (`missingDataHeader`). Loop values stay byte ranges into the file until asked
/// for, so a loop of thousands of points is parsed without a `String` per value; numbers may
/// carry s.u. in parentheses (`12.3(4)`). Errors name the file and line.
struct PatternCIF {
    /// A value's place in the file: `bytes[start..<end]`.
    struct Token {
        var start: Int
        var end: Int
        var line: Int
        /// Quoted or a text field: never a keyword.
        var quoted: Bool
    }

    struct Loop {
        var tags: [String]
        /// Values row by row.
        var values: [Token]
        /// Line of the `loop_` keyword.
        var line: Int = 0
        var rowCount: Int { tags.isEmpty ? 0 : values.count / tags.count }
    }

    /// A `_tag value` pair (tag lower-cased) and where its value stands.
    struct Item {
        var tag: String
        var value: String
        var line: Int
        var quoted: Bool
    }

    struct Block {
        var name: String
        /// Line of the `data_` header (or of the first tag of an implicit block).
        var line: Int
        var items: [Item] = []
        var loops: [Loop] = []
        func item(_ tag: String) -> String? { items.first { $0.tag == tag }?.value }
        func loop(containing tag: String) -> Loop? { loops.first { $0.tags.contains(tag) } }
    }

    var blocks: [Block] = []
    let bytes: [UInt8]
    /// Tags came before any `data_` header (read as one implicit block).
    var missingDataHeader = false

    func text(_ t: Token) -> String {
        var s = PatternText.string(bytes, t.start..<t.end)
        if t.quoted && s.contains("\n") { s = s.trimmingCharacters(in: .whitespacesAndNewlines) }
        return s
    }

    /// Column `tag` of `loop` as text.
    func column(_ loop: Loop, _ tag: String) -> [String]? {
        guard let k = loop.tags.firstIndex(of: tag) else { return nil }
        return stride(from: k, to: loop.values.count, by: loop.tags.count).map { text(loop.values[$0]) }
    }

    /// Column `tag` of `loop` as numbers with s.u. (nil entries for `.`, `?` and non-numbers).
    func numbers(_ loop: Loop, _ tag: String) -> [(Double, Double?)?]? {
        guard let k = loop.tags.firstIndex(of: tag) else { return nil }
        return bytes.withUnsafeBufferPointer { p in
            stride(from: k, to: loop.values.count, by: loop.tags.count).map { j -> (Double, Double?)? in
                let t = loop.values[j]
                return PatternCIF.numberWithUncertainty(p, t.start, t.end)
            }
        }
    }

    /// Parses CIF text; syntax errors throw with the line number.
    static func parse(_ data: Data, file: String) throws -> PatternCIF {
        let lines = PatternText.Lines(data)
        var cif = PatternCIF(blocks: [], bytes: lines.bytes)
        let bytes = lines.bytes
        var tokens: [Token] = []
        tokens.reserveCapacity(lines.count * 4)
        var i = 0
        while i < lines.count {
            let s = lines.starts[i], e = lines.ends[i]
            if s < e, bytes[s] == 59 {   // ';' text field up to a line starting with ';'
                let startLine = i
                i += 1
                while i < lines.count, !(lines.starts[i] < lines.ends[i] && bytes[lines.starts[i]] == 59) { i += 1 }
                guard i < lines.count else {
                    throw RoentgenError.badFile(file, line: startLine + 1, "text field opened with ';' is never closed (expected a line starting with ';')")
                }
                let end = i > startLine + 1 ? lines.ends[i - 1] : s + 1
                tokens.append(Token(start: s + 1, end: max(s + 1, end), line: startLine + 1, quoted: true))
                i += 1
                continue
            }
            var k = s
            while k < e {
                let c = bytes[k]
                if PatternText.isBlank(c) { k += 1; continue }
                if c == 35 { break }   // comment
                if c == 39 || c == 34 {   // quoted: ends at the same quote followed by a blank or end of line
                    var j = k + 1
                    while j < e, !(bytes[j] == c && (j + 1 == e || PatternText.isBlank(bytes[j + 1]))) { j += 1 }
                    guard j < e else {
                        throw RoentgenError.badFile(file, line: i + 1, "quoted string opened with \(c == 39 ? "'" : "\"") is not closed on the same line (CIF 1.1 quoted values cannot span lines; use a ';' text field)")
                    }
                    tokens.append(Token(start: k + 1, end: j, line: i + 1, quoted: true))
                    k = j + 1
                    continue
                }
                var j = k
                while j < e, !PatternText.isBlank(bytes[j]) { j += 1 }
                tokens.append(Token(start: k, end: j, line: i + 1, quoted: false))
                k = j
            }
            i += 1
        }
        func lowerStarts(_ t: Token, _ prefix: String) -> Bool {
            var k = t.start
            for u in prefix.utf8 {
                guard k < t.end, PatternText.lower(bytes[k]) == u else { return false }
                k += 1
            }
            return true
        }
        func isKeyword(_ t: Token) -> Bool {
            !t.quoted && (bytes[t.start] == 95 || lowerStarts(t, "loop_") || lowerStarts(t, "data_")
                          || lowerStarts(t, "save_") || lowerStarts(t, "global_"))
        }
        var t = 0
        var inSave = false
        while t < tokens.count {
            let token = tokens[t]
            guard !token.quoted else {
                throw RoentgenError.badFile(file, line: token.line, "value '\(cif.text(token).prefix(40))' without a tag (expected a _tag before it, or more loop_ tags)")
            }
            func ensureBlock() {
                if cif.blocks.isEmpty {
                    cif.missingDataHeader = true
                    cif.blocks.append(Block(name: "", line: token.line))
                }
            }
            if lowerStarts(token, "data_") {
                cif.blocks.append(Block(name: PatternText.string(bytes, (token.start + 5)..<token.end), line: token.line))
                t += 1
            } else if lowerStarts(token, "stop_") && token.end - token.start == 5 {
                t += 1
            } else if lowerStarts(token, "save_") {
                inSave = token.end - token.start > 5
                t += 1
            } else if lowerStarts(token, "global_") {
                t += 1
            } else if lowerStarts(token, "loop_") && token.end - token.start == 5 {
                t += 1
                var tags: [String] = []
                while t < tokens.count, !tokens[t].quoted, bytes[tokens[t].start] == 95 {
                    tags.append(cif.text(tokens[t]).lowercased()); t += 1
                }
                guard !tags.isEmpty else { throw RoentgenError.badFile(file, line: token.line, "loop_ without tags") }
                let first = t
                while t < tokens.count, !isKeyword(tokens[t]) { t += 1 }
                let n = t - first
                guard n % tags.count == 0 else {
                    throw RoentgenError.badFile(file, line: token.line, "loop_ with \(tags.count) tags holds \(n) values, not a multiple of \(tags.count)")
                }
                ensureBlock()
                if !inSave { cif.blocks[cif.blocks.count - 1].loops.append(Loop(tags: tags, values: Array(tokens[first..<t]), line: token.line)) }
            } else if bytes[token.start] == 95 {
                guard t + 1 < tokens.count, !isKeyword(tokens[t + 1]) else {
                    throw RoentgenError.badFile(file, line: token.line, "tag \(cif.text(token)) has no value")
                }
                ensureBlock()
                let value = tokens[t + 1]
                if !inSave {
                    cif.blocks[cif.blocks.count - 1].items.append(Item(tag: cif.text(token).lowercased(), value: cif.text(value),
                                                                       line: value.line, quoted: value.quoted))
                }
                t += 2
            } else {
                throw RoentgenError.badFile(file, line: token.line, "unexpected '\(cif.text(token).prefix(40))': expected a data_ block, a _tag or loop_")
            }
        }
        return cif
    }

    /// Value and s.u. of a CIF number: `12.3(4)` → (12.3, 0.4); `.` and `?` → nil.
    static func numberWithUncertainty(_ text: String) -> (Double, Double?)? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { numberWithUncertainty($0, 0, bytes.count) }
    }

    static func numberWithUncertainty(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (Double, Double?)? {
        var open = start
        while open < end, p[open] != 40 { open += 1 }
        guard let v = PatternText.number(p, start, open) else { return nil }
        guard open < end else { return (v, nil) }
        var su = 0.0, k = open + 1, digits = 0
        while k < end, PatternText.isDigit(p[k]) { su = su * 10 + Double(p[k] - 48); k += 1; digits += 1 }
        guard digits > 0 else { return (v, nil) }
        // Scale by the mantissa's decimals (and exponent, if any).
        var decimals = 0, j = start, exponent = 0
        while j < open, p[j] != 46, p[j] != 101, p[j] != 69 { j += 1 }
        if j < open, p[j] == 46 {
            j += 1
            while j < open, PatternText.isDigit(p[j]) { decimals += 1; j += 1 }
        }
        if j < open, p[j] == 101 || p[j] == 69, let e = PatternText.number(p, j + 1, open) { exponent = Int(max(-300, min(300, e))) }
        var scale = 1.0
        for _ in 0..<decimals { scale /= 10 }
        if exponent > 0 { for _ in 0..<exponent { scale *= 10 } } else if exponent < 0 { for _ in 0..<(-exponent) { scale /= 10 } }
        return (v, su * scale)
    }
}
