import Foundation
import XrayCore

/// A small JSON scanner for pattern files (the xrdpattern / opXRD layouts): one pass over the
/// bytes, numbers parsed in place by `PatternText.scanNumber`, the large numeric arrays stored
/// straight into `[Double]`. Every construct is checked (strings, escapes, literals, brackets,
/// separators, nesting ≤ 512 levels); malformed or truncated JSON throws a `RoentgenError` with
/// the byte offset. No `JSONSerialization`.
struct PatternJSON {
    /// A parsed JSON value. Numbers keep their source text (metadata shows them as written).
    indirect enum Value {
        case object([Member])
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
    }

    /// An object member.
    struct Member {
        var key: String
        var value: Value
    }

    /// One top-level object: the numeric arrays by key, and every other member in file order.
    struct Object {
        var arrays: [String: [Double]] = [:]
        var others: [Member] = []
    }

    static let maximumDepth = 512

    /// Objects at the top level (one object, or an array of objects), with the members named in
    /// `numericKeys` parsed as number arrays when they hold only numbers.
    static func objects(_ data: Data, file: String, numericKeys: Set<String>) throws -> [Object] {
        try data.withUnsafeBytes { raw -> [Object] in
            var s = Scanner(raw.bindMemory(to: UInt8.self), file: file)
            if s.n >= 3, s.p[0] == 0xEF, s.p[1] == 0xBB, s.p[2] == 0xBF { s.i = 3 }
            s.skipBlanks()
            guard s.i < s.n else { throw s.fail("empty document, expected an object") }
            var out: [Object] = []
            if s.p[s.i] == 123 {
                out.append(try s.topObject(numericKeys))
            } else if s.p[s.i] == 91 {
                s.i += 1
                s.skipBlanks()
                if s.i < s.n, s.p[s.i] == 93 { s.i += 1 } else {
                    while true {
                        s.skipBlanks()
                        guard s.i < s.n, s.p[s.i] == 123 else { throw s.fail("expected an object in the top-level array") }
                        out.append(try s.topObject(numericKeys))
                        guard try s.separator(close: 93, what: "top-level array") else { break }
                    }
                }
            } else {
                throw s.fail("expected '{' or '[' at the start")
            }
            s.skipBlanks()
            guard s.i == s.n else { throw s.fail("trailing characters after the document") }
            return out
        }
    }

    /// Parses a whole JSON document held in a string (metadata fields that are encoded JSON); nil if malformed.
    static func value(_ text: String) -> Value? {
        var text = text
        return text.withUTF8 { buffer -> Value? in
            guard buffer.baseAddress != nil else { return nil }
            var s = Scanner(buffer, file: "")
            guard let v = try? s.value(depth: 0) else { return nil }
            s.skipBlanks()
            return s.i == s.n ? v : nil
        }
    }

    /// The byte-level scanner; `p[0..<n]` is the document, `i` the current offset.
    struct Scanner {
        let p: UnsafePointer<UInt8>
        let n: Int
        let file: String
        var i = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>, file: String) {
            // An empty buffer may have no base address: point at a static empty byte instead.
            p = buffer.baseAddress ?? UnsafePointer(Scanner.empty)
            n = buffer.baseAddress == nil ? 0 : buffer.count
            self.file = file
        }

        private static let empty: UnsafeMutablePointer<UInt8> = {
            let e = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            e.initialize(to: 0)
            return e
        }()

        func fail(_ what: String, at: Int? = nil) -> RoentgenError {
            RoentgenError.badFile(file, byteOffset: at ?? i, "malformed JSON: \(what)")
        }

        @inline(__always)
        mutating func skipBlanks() {
            while i < n {
                let c = p[i]
                guard c == 32 || c == 10 || c == 13 || c == 9 else { return }
                i += 1
            }
        }

        /// After a member or element: true after ',' (more follow), false after `close`.
        @inline(__always)
        mutating func separator(close: UInt8, what: String) throws -> Bool {
            skipBlanks()
            guard i < n else { throw fail("\(what) is not closed (truncated file?)") }
            if p[i] == 44 { i += 1; return true }
            guard p[i] == close else { throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))' in \(what)") }
            i += 1
            return false
        }

        mutating func topObject(_ numericKeys: Set<String>) throws -> Object {
            i += 1   // '{'
            var result = Object()
            skipBlanks()
            if i < n, p[i] == 125 { i += 1; return result }
            while true {
                skipBlanks()
                let key = try memberName()
                let valueStart = i
                if numericKeys.contains(key), i < n, p[i] == 91, let values = try numberArray() {
                    result.arrays[key] = values
                } else {
                    i = valueStart
                    result.others.append(Member(key: key, value: try value(depth: 1)))
                }
                guard try separator(close: 125, what: "object") else { break }
            }
            return result
        }

        /// `"name"` and the ':' after it.
        mutating func memberName() throws -> String {
            guard i < n, p[i] == 34 else { throw fail("expected a member name in quotes") }
            let key = try string()
            skipBlanks()
            guard i < n, p[i] == 58 else { throw fail("expected ':' after \"\(key)\"") }
            i += 1
            skipBlanks()
            return key
        }

        /// A `[n, n, …]` array of plain numbers, or nil (the caller restores the position) if it holds anything else.
        mutating func numberArray() throws -> [Double]? {
            let open = i
            i += 1
            var out: [Double] = []
            out.reserveCapacity(max(16, (n - i) / 16))
            skipBlanks()
            if i < n, p[i] == 93 { i += 1; return out }
            while true {
                skipBlanks()
                guard i < n else { throw fail("array opened at byte \(open) is not closed (truncated file?)") }
                guard let r = PatternText.scanNumber(p, i, n) else { return nil }
                out.append(r.value)
                i = r.end
                skipBlanks()
                guard i < n else { throw fail("array opened at byte \(open) is not closed (truncated file?)") }
                let c = p[i]
                i += 1
                if c == 44 { continue }
                if c == 93 { return out }
                return nil
            }
        }

        /// Any value; nesting deeper than `maximumDepth` throws.
        mutating func value(depth: Int) throws -> Value {
            skipBlanks()
            guard i < n else { throw fail("value expected, the document ends (truncated file?)") }
            guard depth < PatternJSON.maximumDepth else { throw fail("values nested deeper than \(PatternJSON.maximumDepth) levels") }
            switch p[i] {
            case 123:
                i += 1
                var members: [Member] = []
                skipBlanks()
                if i < n, p[i] == 125 { i += 1; return .object(members) }
                while true {
                    skipBlanks()
                    let key = try memberName()
                    members.append(Member(key: key, value: try value(depth: depth + 1)))
                    guard try separator(close: 125, what: "object") else { break }
                }
                return .object(members)
            case 91:
                i += 1
                var elements: [Value] = []
                skipBlanks()
                if i < n, p[i] == 93 { i += 1; return .array(elements) }
                while true {
                    elements.append(try value(depth: depth + 1))
                    guard try separator(close: 93, what: "array") else { break }
                }
                return .array(elements)
            case 34:
                return .string(try string())
            case 116: try literal("true"); return .bool(true)
            case 102: try literal("false"); return .bool(false)
            case 110: try literal("null"); return .null
            default:
                let s = i
                guard let r = PatternText.scanNumber(p, i, n) else { throw fail("expected a value (object, array, string, number, true, false or null)") }
                i = r.end
                return .number(String(decoding: UnsafeBufferPointer(start: p + s, count: i - s), as: UTF8.self))
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let w = word.utf8Start
            let count = word.utf8CodeUnitCount
            guard n - i >= count else { throw fail("expected '\(word)' (truncated file?)") }
            for k in 0..<count where p[i + k] != w[k] { throw fail("expected '\(word)'") }
            i += count
        }

        /// A string starting at the opening quote, escapes decoded; strings without escapes are copied once.
        mutating func string() throws -> String {
            let open = i
            i += 1
            let start = i
            // Fast path: scan to the closing quote; fall back to decoding at the first backslash.
            while i < n {
                let c = p[i]
                if c == 34 {
                    i += 1
                    return PatternText.string(UnsafeBufferPointer(start: p + start, count: i - 1 - start))
                }
                if c == 92 { break }
                if c < 32 { throw fail("control character in a string") }
                i += 1
            }
            guard i < n else { throw fail("string opened at byte \(open) is not closed (truncated file?)", at: open) }
            var out = [UInt8](UnsafeBufferPointer(start: p + start, count: i - start))
            while i < n {
                let c = p[i]
                if c == 34 {
                    i += 1
                    return PatternText.string(out, 0..<out.count)
                }
                if c < 32 { throw fail("control character in a string") }
                guard c == 92 else { out.append(c); i += 1; continue }
                guard i + 1 < n else { break }
                let e = p[i + 1]
                i += 2
                switch e {
                case 34, 92, 47: out.append(e)
                case 98: out.append(8)
                case 102: out.append(12)
                case 110: out.append(10)
                case 114: out.append(13)
                case 116: out.append(9)
                case 117:
                    var scalar = try hex4()
                    if scalar >= 0xD800, scalar < 0xDC00, n - i >= 6, p[i] == 92, p[i + 1] == 117 {
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw fail("unpaired UTF-16 surrogate in \\u escape", at: i - 6) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("\\u escape is not a Unicode scalar", at: i - 6) }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw fail("unknown escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: i - 2)
                }
            }
            throw fail("string opened at byte \(open) is not closed (truncated file?)", at: open)
        }

        mutating func hex4() throws -> UInt32 {
            guard n - i >= 4 else { throw fail("\\u escape needs four hex digits (truncated file?)") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = p[i]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: throw fail("\\u escape needs four hex digits")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
    }
}
