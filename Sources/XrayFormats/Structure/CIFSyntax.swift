import Foundation
import XrayCore

/// The syntax layer of CIF 1.1: data blocks made of tag–value pairs and loops.
///
/// Values keep the line they were read on so the structure layer can point at it in errors.
/// `?` and `.` (unknown / inapplicable) become `text == nil` when unquoted.
struct CIFDocument {
    struct Value {
        /// The text, or nil for unquoted `?` / `.`.
        var text: String?
        var line: Int
    }

    struct Loop {
        var tags: [String]
        var rows: [[Value]]
        var line: Int
        func column(_ tag: String) -> Int? { tags.firstIndex(of: tag) }
    }

    struct Block {
        var name: String
        var line: Int
        var items: [String: Value] = [:]
        var itemLines: [String: Int] = [:]
        var loops: [Loop] = []

        /// The loop holding `tag`, if any.
        func loop(with tag: String) -> Loop? { loops.first { $0.tags.contains(tag) } }
        /// The first of `tags` present as a single item.
        func item(_ tags: String...) -> (tag: String, value: Value)? {
            for tag in tags { if let v = items[tag] { return (tag, v) } }
            return nil
        }
    }

    var blocks: [Block]
    /// Tags found before any `data_` header (the block is then implicit).
    var missingDataHeader: Bool
}

/// Tokenises and parses CIF text into blocks. Errors name the file and line.
struct CIFParser {
    enum Token {
        case data(String), loop, tag(String), value(String?, quoted: Bool), save, global, stop
    }

    let file: String
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var atLineStart = true

    init(data: Data, file: String) {
        self.file = file
        self.bytes = [UInt8](data)
    }

    private func error(_ line: Int, _ message: String) -> RoentgenError {
        .badFile(file, line: line, message)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// The next token and its line, or nil at end of input.
    private mutating func next() throws -> (Token, Int)? {
        // Skip white space and comments.
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x0A {
                line += 1; position += 1; atLineStart = true
            } else if b == 0x0D {
                // CR LF or lone CR: one line break.
                position += 1
                if position < bytes.count, bytes[position] == 0x0A { position += 1 }
                line += 1; atLineStart = true
            } else if b == 0x20 || b == 0x09 {
                position += 1; atLineStart = false
            } else if b == 0x23 { // '#'
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                break
            }
        }
        guard position < bytes.count else { return nil }
        let startLine = line
        let b = bytes[position]
        if b == 0x3B && atLineStart { // ';' text field
            position += 1
            let start = position
            while position < bytes.count {
                let c = bytes[position]
                if c == 0x0A || c == 0x0D {
                    position += 1
                    if c == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
                    line += 1
                    if position < bytes.count, bytes[position] == 0x3B {
                        let text = String(decoding: bytes[start..<position], as: UTF8.self)
                        position += 1
                        atLineStart = false
                        return (.value(text.trimmingCharacters(in: .whitespacesAndNewlines), quoted: true), startLine)
                    }
                } else {
                    position += 1
                }
            }
            throw error(startLine, "text field opened with ';' at the start of this line is never closed (expected a line starting with ';')")
        }
        atLineStart = false
        if b == 0x27 || b == 0x22 { // quoted string: closes at the same quote followed by white space
            let quote = b
            position += 1
            let start = position
            while position < bytes.count {
                let c = bytes[position]
                if c == 0x0A || c == 0x0D {
                    throw error(startLine, "quoted string opened with \(quote == 0x27 ? "'" : "\"") is not closed on the same line (CIF 1.1 quoted values cannot span lines; use a ';' text field)")
                }
                if c == quote, position + 1 >= bytes.count || Self.isSpace(bytes[position + 1]) {
                    let text = String(decoding: bytes[start..<position], as: UTF8.self)
                    position += 1
                    return (.value(text, quoted: true), startLine)
                }
                position += 1
            }
            throw error(startLine, "quoted string is not closed before the end of the file")
        }
        let start = position
        while position < bytes.count, !Self.isSpace(bytes[position]) { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        let lower = word.lowercased()
        if lower.hasPrefix("data_") { return (.data(String(word.dropFirst(5))), startLine) }
        if lower == "loop_" { return (.loop, startLine) }
        if lower.hasPrefix("save_") { return (.save, startLine) }
        if lower == "global_" { return (.global, startLine) }
        if lower == "stop_" { return (.stop, startLine) }
        if word.hasPrefix("_") { return (.tag(lower), startLine) }
        if word == "?" || word == "." { return (.value(nil, quoted: false), startLine) }
        return (.value(word, quoted: false), startLine)
    }

    /// Parses the whole file into blocks.
    mutating func parse() throws -> CIFDocument {
        var blocks: [CIFDocument.Block] = []
        var missingHeader = false
        var pending: (Token, Int)? = try next()
        func ensureBlock(_ line: Int) {
            if blocks.isEmpty {
                missingHeader = true
                blocks.append(CIFDocument.Block(name: "", line: line))
            }
        }
        while let (token, tokenLine) = pending {
            pending = try next()
            switch token {
            case .data(let name):
                blocks.append(CIFDocument.Block(name: name, line: tokenLine))
            case .save, .global, .stop:
                continue
            case .value(let text, _):
                throw error(tokenLine, "value '\(text ?? "?")' without a tag (expected a _tag before it, or more loop_ tags)")
            case .tag(let tag):
                ensureBlock(tokenLine)
                guard let (valueToken, valueLine) = pending, case .value(let text, _) = valueToken else {
                    throw error(tokenLine, "tag \(tag) has no value (expected a value after it)")
                }
                pending = try next()
                blocks[blocks.count - 1].items[tag] = CIFDocument.Value(text: text, line: valueLine)
            case .loop:
                ensureBlock(tokenLine)
                var tags: [String] = []
                while let (t, _) = pending, case .tag(let name) = t {
                    tags.append(name)
                    pending = try next()
                }
                guard !tags.isEmpty else { throw error(tokenLine, "loop_ without tags (expected _tag names after loop_)") }
                var values: [CIFDocument.Value] = []
                while let (t, l) = pending, case .value(let text, _) = t {
                    values.append(CIFDocument.Value(text: text, line: l))
                    pending = try next()
                }
                guard values.count % tags.count == 0 else {
                    let lastLine = values.last?.line ?? tokenLine
                    throw error(lastLine, "loop_ starting at line \(tokenLine) has \(values.count) values for \(tags.count) tags (expected a multiple of \(tags.count))")
                }
                var rows: [[CIFDocument.Value]] = []
                rows.reserveCapacity(values.count / tags.count)
                var i = 0
                while i < values.count {
                    rows.append(Array(values[i..<(i + tags.count)]))
                    i += tags.count
                }
                blocks[blocks.count - 1].loops.append(CIFDocument.Loop(tags: tags, rows: rows, line: tokenLine))
            }
        }
        return CIFDocument(blocks: blocks, missingDataHeader: missingHeader)
    }
}
