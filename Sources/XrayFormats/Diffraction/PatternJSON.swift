import Foundation
import XrayCore

/// A fast path for pattern JSON: walks the top-level object(s) on the bytes, parses the large
/// numeric arrays directly, and leaves every other member to `JSONSerialization` (small).
/// Malformed JSON throws with the byte offset.
struct PatternJSON {
    /// One top-level object: numeric arrays by key, and the remaining members as parsed JSON.
    struct Object {
        var arrays: [String: [Double]] = [:]
        var others: [String: Any] = [:]
    }

    let bytes: [UInt8]
    let file: String
    private var i = 0

    init(_ data: Data, file: String) {
        bytes = [UInt8](data)
        self.file = file
    }

    private func fail(_ what: String, at: Int? = nil) -> RoentgenError {
        RoentgenError.badFile(file, byteOffset: at ?? i, "malformed JSON: \(what)")
    }

    private mutating func skipBlanks() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    /// Objects at the top level (one object, or an array of objects), with the keys in
    /// `numericKeys` parsed as number arrays when they hold only numbers.
    static func objects(_ data: Data, file: String, numericKeys: Set<String>) throws -> [Object] {
        var p = PatternJSON(data, file: file)
        if p.bytes.count >= 3, p.bytes[0] == 0xEF, p.bytes[1] == 0xBB, p.bytes[2] == 0xBF { p.i = 3 }
        p.skipBlanks()
        guard p.i < p.bytes.count else { throw p.fail("empty document, expected an object") }
        var out: [Object] = []
        if p.bytes[p.i] == 123 {
            out.append(try p.object(numericKeys))
        } else if p.bytes[p.i] == 91 {
            p.i += 1
            p.skipBlanks()
            if p.i < p.bytes.count, p.bytes[p.i] == 93 { p.i += 1 } else {
                while true {
                    p.skipBlanks()
                    guard p.i < p.bytes.count, p.bytes[p.i] == 123 else { throw p.fail("expected an object in the top-level array") }
                    out.append(try p.object(numericKeys))
                    p.skipBlanks()
                    guard p.i < p.bytes.count else { throw p.fail("top-level array is not closed (truncated file?)") }
                    if p.bytes[p.i] == 44 { p.i += 1; continue }
                    guard p.bytes[p.i] == 93 else { throw p.fail("expected ',' or ']'") }
                    p.i += 1
                    break
                }
            }
        } else {
            throw p.fail("expected '{' or '[' at the start")
        }
        p.skipBlanks()
        guard p.i == p.bytes.count else { throw p.fail("trailing characters after the document") }
        return out
    }

    private mutating func object(_ numericKeys: Set<String>) throws -> Object {
        i += 1   // '{'
        var result = Object()
        var rest: [UInt8] = [123]
        skipBlanks()
        if i < bytes.count, bytes[i] == 125 { i += 1; return result }
        while true {
            skipBlanks()
            guard i < bytes.count, bytes[i] == 34 else { throw fail("expected a member name in quotes") }
            let keyStart = i
            try skipString()
            let keyBytes = Array(bytes[keyStart..<i])
            guard let key = (try? JSONSerialization.jsonObject(with: Data(keyBytes), options: .fragmentsAllowed)) as? String else {
                throw fail("bad member name", at: keyStart)
            }
            skipBlanks()
            guard i < bytes.count, bytes[i] == 58 else { throw fail("expected ':' after \"\(key)\"") }
            i += 1
            skipBlanks()
            let valueStart = i
            if numericKeys.contains(key), i < bytes.count, bytes[i] == 91, let values = try numberArray() {
                result.arrays[key] = values
            } else {
                i = valueStart
                try skipValue()
                if rest.count > 1 { rest.append(44) }
                rest += keyBytes
                rest.append(58)
                rest += bytes[valueStart..<i]
            }
            skipBlanks()
            guard i < bytes.count else { throw fail("object is not closed (truncated file?)") }
            if bytes[i] == 44 { i += 1; continue }
            guard bytes[i] == 125 else { throw fail("expected ',' or '}'") }
            i += 1
            break
        }
        rest.append(125)
        if rest.count > 2 {
            guard let others = try? JSONSerialization.jsonObject(with: Data(rest)) as? [String: Any] else {
                throw fail("an object member is not valid JSON")
            }
            result.others = others
        }
        return result
    }

    /// A `[n, n, …]` array of plain numbers, or nil (position restored by the caller) if it holds anything else.
    private mutating func numberArray() throws -> [Double]? {
        i += 1
        var out: [Double] = []
        out.reserveCapacity(bytes.count / 12)
        skipBlanks()
        if i < bytes.count, bytes[i] == 93 { i += 1; return out }
        return try bytes.withUnsafeBufferPointer { p -> [Double]? in
            while true {
                while i < p.count, p[i] == 32 || p[i] == 9 || p[i] == 10 || p[i] == 13 { i += 1 }
                let s = i
                while i < p.count, p[i] != 44, p[i] != 93, p[i] != 32, p[i] != 10, p[i] != 13, p[i] != 9 { i += 1 }
                guard let v = PatternText.number(p, s, i) else { return nil }
                out.append(v)
                while i < p.count, p[i] == 32 || p[i] == 9 || p[i] == 10 || p[i] == 13 { i += 1 }
                guard i < p.count else { throw fail("number array is not closed (truncated file?)") }
                if p[i] == 44 { i += 1; continue }
                if p[i] == 93 { i += 1; return out }
                return nil
            }
        }
    }

    private mutating func skipString() throws {
        let start = i
        i += 1
        while i < bytes.count {
            if bytes[i] == 92 { i += 2; continue }
            if bytes[i] == 34 { i += 1; return }
            i += 1
        }
        throw fail("string is not closed (truncated file?)", at: start)
    }

    /// Skips one value of any kind; nesting is tracked with a counter (no recursion).
    private mutating func skipValue() throws {
        var depth = 0
        repeat {
            skipBlanks()
            guard i < bytes.count else { throw fail("value is not complete (truncated file?)") }
            switch bytes[i] {
            case 34: try skipString()
            case 123, 91: depth += 1; i += 1
            case 125, 93:
                guard depth > 0 else { throw fail("unexpected closing bracket") }
                depth -= 1; i += 1
            case 44, 58:
                guard depth > 0 else { throw fail("unexpected separator") }
                i += 1
            default:
                let s = i
                while i < bytes.count, !(bytes[i] == 44 || bytes[i] == 93 || bytes[i] == 125 || bytes[i] == 58
                                         || bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13) { i += 1 }
                guard i > s else { throw fail("unexpected character") }
            }
        } while depth > 0
    }
}
