import Foundation
import XrayCore

/// A minimal CIF 1.1 syntax reader for powder-data CIFs: data blocks of `_tag value` items and
/// `loop_` tables. Handles `#` comments, quoted values ('…', "…"), semicolon text fields, and
/// `save_` frames (skipped). Values stay text; numbers may carry s.u. in parentheses (`12.3(4)`).
struct PatternCIF {
    struct Loop {
        var tags: [String]
        /// Values column by column (`columns[k]` belongs to `tags[k]`).
        var columns: [[String]]
        var rowCount: Int { columns.first?.count ?? 0 }
        func column(_ tag: String) -> [String]? {
            tags.firstIndex(of: tag).map { columns[$0] }
        }
    }

    struct Block {
        var name: String
        var items: [(String, String)] = []
        var loops: [Loop] = []
        func item(_ tag: String) -> String? { items.first { $0.0 == tag }?.1 }
        func loop(containing tag: String) -> Loop? { loops.first { $0.tags.contains(tag) } }
    }

    var blocks: [Block] = []

    private enum Token {
        case word(String, line: Int)
        case value(String, line: Int)   // quoted or text field: never a keyword
    }

    /// Parses CIF text; syntax errors throw with the line number.
    static func parse(_ data: Data, file: String) throws -> PatternCIF {
        let lines = PatternText.Lines(data)
        var tokens: [Token] = []
        tokens.reserveCapacity(lines.count * 4)
        var i = 0
        while i < lines.count {
            let bytes = lines.bytes
            let s = lines.starts[i], e = lines.ends[i]
            if s < e, bytes[s] == 59 {   // ';' text field
                var text = PatternText.string(bytes, (s + 1)..<e)
                let startLine = i
                i += 1
                while i < lines.count, !(lines.starts[i] < lines.ends[i] && bytes[lines.starts[i]] == 59) {
                    text += "\n" + lines.string(i)
                    i += 1
                }
                guard i < lines.count else {
                    throw RoentgenError.badFile(file, line: startLine + 1, "text field opened with ';' is never closed (expected a line starting with ';')")
                }
                tokens.append(.value(text.trimmingCharacters(in: .whitespacesAndNewlines), line: startLine + 1))
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
                        throw RoentgenError.badFile(file, line: i + 1, "unterminated quoted value")
                    }
                    tokens.append(.value(PatternText.string(bytes, (k + 1)..<j), line: i + 1))
                    k = j + 1
                    continue
                }
                var j = k
                while j < e, !PatternText.isBlank(bytes[j]) { j += 1 }
                tokens.append(.word(PatternText.string(bytes, k..<j), line: i + 1))
                k = j
            }
            i += 1
        }
        var cif = PatternCIF()
        var t = 0
        var inSave = false
        func isKeyword(_ w: String) -> Bool {
            let l = w.lowercased()
            return w.hasPrefix("_") || l == "loop_" || l.hasPrefix("data_") || l.hasPrefix("save_") || l.hasPrefix("global_")
        }
        while t < tokens.count {
            switch tokens[t] {
            case .value(_, let line):
                throw RoentgenError.badFile(file, line: line, "value without a tag")
            case .word(let w, let line):
                let lower = w.lowercased()
                if lower.hasPrefix("data_") {
                    cif.blocks.append(Block(name: String(w.dropFirst(5))))
                    t += 1
                } else if lower.hasPrefix("save_") {
                    inSave = lower != "save_"
                    t += 1
                } else if lower.hasPrefix("global_") {
                    t += 1
                } else if lower == "loop_" {
                    t += 1
                    var tags: [String] = []
                    while t < tokens.count, case .word(let tag, _) = tokens[t], tag.hasPrefix("_") {
                        tags.append(tag.lowercased()); t += 1
                    }
                    guard !tags.isEmpty else { throw RoentgenError.badFile(file, line: line, "loop_ without tags") }
                    var columns = Array(repeating: [String](), count: tags.count)
                    var n = 0
                    while t < tokens.count {
                        if case .word(let v, _) = tokens[t], isKeyword(v) { break }
                        let value: String
                        switch tokens[t] {
                        case .value(let v, _): value = v
                        case .word(let v, _): value = v
                        }
                        columns[n % tags.count].append(value)
                        n += 1; t += 1
                    }
                    guard n % tags.count == 0 else {
                        throw RoentgenError.badFile(file, line: line, "loop_ with \(tags.count) tags holds \(n) values, not a multiple of \(tags.count)")
                    }
                    if cif.blocks.isEmpty { cif.blocks.append(Block(name: "")) }
                    if !inSave { cif.blocks[cif.blocks.count - 1].loops.append(Loop(tags: tags, columns: columns)) }
                } else if w.hasPrefix("_") {
                    guard t + 1 < tokens.count else { throw RoentgenError.badFile(file, line: line, "tag \(w) has no value") }
                    let value: String
                    switch tokens[t + 1] {
                    case .value(let v, _): value = v
                    case .word(let v, _):
                        guard !isKeyword(v) else { throw RoentgenError.badFile(file, line: line, "tag \(w) has no value") }
                        value = v
                    }
                    if cif.blocks.isEmpty { cif.blocks.append(Block(name: "")) }
                    if !inSave { cif.blocks[cif.blocks.count - 1].items.append((w.lowercased(), value)) }
                    t += 2
                } else {
                    throw RoentgenError.badFile(file, line: line, "unexpected '\(w.prefix(40))': expected a data_ block, a _tag or loop_")
                }
            }
        }
        return cif
    }

    /// Value and s.u. of a CIF number: `12.3(4)` → (12.3, 0.4); `.` and `?` → nil.
    static func numberWithUncertainty(_ text: String) -> (Double, Double?)? {
        guard let open = text.firstIndex(of: "(") else { return PatternText.number(text).map { ($0, nil) } }
        let mantissa = String(text[..<open])
        guard let v = PatternText.number(mantissa) else { return nil }
        let digits = text[text.index(after: open)...].prefix { $0.isNumber }
        guard let su = Double(String(digits)) else { return (v, nil) }
        var decimals = 0
        if let dot = mantissa.firstIndex(of: ".") {
            decimals = mantissa[mantissa.index(after: dot)...].prefix { $0.isNumber }.count
        }
        var scale = 1.0
        for _ in 0..<decimals { scale /= 10 }
        return (v, su * scale)
    }
}
