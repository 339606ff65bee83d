import Foundation
import OrderedCollections
import XrayCore

/// A small, safe arithmetic expression over a scan's columns that yields μ(E).
///
/// Grammar: numbers, column names (letters, digits, `_`, `.`; matched exactly, then
/// case-insensitively, then after Larch-style sanitising), `+ - * /`, unary minus, parentheses,
/// and the functions `ln`, `log` (both natural), `log10`, `exp`, `sqrt`, `abs`. For
/// many-element detectors, `sum(PATTERN)` and `mean(PATTERN)` add or average every column whose
/// name matches a pattern with `*` (any run) and `?` (one character), case-insensitively.
/// Examples: `ln(i0/itrans)`, `(if1+if2)/i0`, `mutrans`, `-log(it/i0)`, `sum(ifch*)/i0`,
/// `sum(Mn_Ka_mca?)/I0`, `ln(sum(i0*)/sum(it*))`.
/// Evaluation is element-wise over whole columns; nothing else can be called or referenced.
public struct MuExpression: Sendable, CustomStringConvertible {
    indirect enum Node: Sendable {
        case number(Double)
        case column(String)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(String, Node)
        /// `sum` or `mean` over the columns matching a name pattern.
        case aggregate(String, String)
    }

    /// The expression as given.
    public let text: String
    let root: Node

    /// The functions an expression may call.
    public static let functions: Set<String> = ["ln", "log", "log10", "exp", "sqrt", "abs"]
    /// The functions that take a column-name pattern.
    public static let aggregates: Set<String> = ["sum", "mean"]

    /// Parses `text`; throws `RoentgenError.badParameter` naming the position of a syntax error.
    public init(_ text: String) throws {
        self.text = text
        var parser = MuExpressionParser(text)
        self.root = try parser.parseAll()
    }

    public var description: String { text }

    /// Column names the expression refers to, in order of appearance.
    public var columnNames: [String] {
        var out: [String] = []
        func walk(_ n: Node) {
            switch n {
            case .number: break
            case .column(let c): if !out.contains(c) { out.append(c) }
            case .negate(let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .call(_, let a): walk(a)
            case .aggregate(_, let pattern): if !out.contains(pattern) { out.append(pattern) }
            }
        }
        walk(root)
        return out
    }

    /// Evaluates over `columns` (all of one length). Non-finite results (ln of 0, division by
    /// zero) are kept as NaN/±inf, so the caller can decide to drop them.
    public func evaluate(_ columns: OrderedDictionary<String, [Double]>) throws -> [Double] {
        let n = columns.values.first?.count ?? 0
        func resolve(_ name: String) throws -> [Double] {
            if let c = columns[name] { return c }
            let lower = name.lowercased()
            if let key = columns.keys.first(where: { $0.lowercased() == lower }) { return columns[key]! }
            let sanitized = xasSanitizedName(name)
            if let key = columns.keys.first(where: { xasSanitizedName($0) == sanitized }) { return columns[key]! }
            throw RoentgenError.badParameter("μ expression '\(text)': no column '\(name)'; the columns are \(columns.keys.joined(separator: ", "))")
        }
        func eval(_ node: Node) throws -> [Double] {
            switch node {
            case .number(let v):
                return [Double](repeating: v, count: n)
            case .column(let name):
                return try resolve(name)
            case .negate(let a):
                return try eval(a).map { -$0 }
            case .binary(let op, let a, let b):
                let x = try eval(a), y = try eval(b)
                var out = [Double](repeating: 0, count: n)
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in
                        out.withUnsafeMutableBufferPointer { o in
                            switch op {
                            case "+": for i in 0..<n { o[i] = xp[i] + yp[i] }
                            case "-": for i in 0..<n { o[i] = xp[i] - yp[i] }
                            case "*": for i in 0..<n { o[i] = xp[i] * yp[i] }
                            default: for i in 0..<n { o[i] = xp[i] / yp[i] }
                            }
                        }
                    }
                }
                return out
            case .aggregate(let f, let pattern):
                let matching = columns.keys.filter { MuExpression.matches($0, pattern: pattern) }
                guard !matching.isEmpty else {
                    throw RoentgenError.badParameter("μ expression '\(text)': no column matches '\(pattern)' in \(f)(); the columns are \(columns.keys.joined(separator: ", "))")
                }
                var out = [Double](repeating: 0, count: n)
                for name in matching {
                    let c = columns[name]!
                    for i in 0..<n { out[i] += c[i] }
                }
                if f == "mean" { let k = Double(matching.count); for i in 0..<n { out[i] /= k } }
                return out
            case .call(let f, let a):
                let x = try eval(a)
                switch f {
                case "ln", "log": return x.map { Foundation.log($0) }
                case "log10": return x.map { Foundation.log10($0) }
                case "exp": return x.map { Foundation.exp($0) }
                case "sqrt": return x.map { $0.squareRoot() }
                default: return x.map { Swift.abs($0) }
                }
            }
        }
        return try eval(root)
    }

    /// The columns `sum(PATTERN)` / `mean(PATTERN)` take in `columns`, in column order.
    public func aggregatedColumns(_ columns: [String]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        func walk(_ n: Node) {
            switch n {
            case .number, .column: break
            case .negate(let a), .call(_, let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .aggregate(_, let p): out[p] = columns.filter { MuExpression.matches($0, pattern: p) }
            }
        }
        walk(root)
        return out
    }

    /// Whether `name` matches `pattern` (`*` any run, `?` one character), ignoring case.
    static func matches(_ name: String, pattern: String) -> Bool {
        let n = Array(name.lowercased()), p = Array(pattern.lowercased())
        // Iterative wildcard matching with one backtrack point for the last `*`.
        var i = 0, j = 0, star = -1, mark = 0
        while i < n.count {
            if j < p.count, p[j] == "?" || p[j] == n[i] { i += 1; j += 1 }
            else if j < p.count, p[j] == "*" { star = j; mark = i; j += 1 }
            else if star >= 0 { j = star + 1; mark += 1; i = mark }
            else { return false }
        }
        while j < p.count, p[j] == "*" { j += 1 }
        return j == p.count
    }
}

/// Recursive-descent parser: expr = term (('+'|'-') term)*; term = unary (('*'|'/') unary)*;
/// unary = '-' unary | '+' unary | primary; primary = number | name | name '(' expr ')' |
/// ('sum'|'mean') '(' pattern ')' | '(' expr ')'.
private struct MuExpressionParser {
    let chars: [Character]
    let text: String
    var i = 0
    var depth = 0

    init(_ text: String) {
        self.text = text
        self.chars = Array(text)
    }

    func error(_ what: String) -> RoentgenError {
        RoentgenError.badParameter("μ expression '\(text)': \(what) at character \(i + 1)")
    }

    mutating func skip() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }

    mutating func parseAll() throws -> MuExpression.Node {
        skip()
        guard i < chars.count else { throw error("empty expression; expected a column name or formula") }
        let node = try expr()
        skip()
        guard i == chars.count else { throw error("unexpected '\(chars[i])'") }
        return node
    }

    mutating func expr() throws -> MuExpression.Node {
        var left = try term()
        while true {
            skip()
            guard i < chars.count, chars[i] == "+" || chars[i] == "-" else { return left }
            let op = chars[i]; i += 1
            left = .binary(op, left, try term())
        }
    }

    mutating func term() throws -> MuExpression.Node {
        var left = try unary()
        while true {
            skip()
            guard i < chars.count, chars[i] == "*" || chars[i] == "/" else { return left }
            let op = chars[i]; i += 1
            left = .binary(op, left, try unary())
        }
    }

    mutating func unary() throws -> MuExpression.Node {
        skip()
        guard i < chars.count else { throw error("expression ends early; expected a value") }
        if chars[i] == "-" { i += 1; return .negate(try unary()) }
        if chars[i] == "+" { i += 1; return try unary() }
        return try primary()
    }

    mutating func primary() throws -> MuExpression.Node {
        skip()
        guard i < chars.count else { throw error("expression ends early; expected a value") }
        let c = chars[i]
        depth += 1
        defer { depth -= 1 }
        guard depth < 200 else { throw error("expression nested too deeply") }
        if c == "(" {
            i += 1
            let inner = try expr()
            skip()
            guard i < chars.count, chars[i] == ")" else { throw error("expected ')'") }
            i += 1
            return inner
        }
        if c.isNumber || c == "." {
            let start = i
            while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
            if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                var j = i + 1
                if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                if j < chars.count, chars[j].isNumber {
                    i = j
                    while i < chars.count, chars[i].isNumber { i += 1 }
                }
            }
            guard let v = Double(String(chars[start..<i])) else { throw error("'\(String(chars[start..<i]))' is not a number") }
            return .number(v)
        }
        if c.isLetter || c == "_" {
            let start = i
            while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "." { i += 1 }
            let name = String(chars[start..<i])
            skip()
            if i < chars.count, chars[i] == "(", MuExpression.aggregates.contains(name.lowercased()) {
                i += 1
                skip()
                let start = i
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || "_.*?".contains(chars[i]) { i += 1 }
                let pattern = String(chars[start..<i])
                guard !pattern.isEmpty else { throw error("\(name)() needs a column-name pattern such as 'ifch*'") }
                skip()
                guard i < chars.count, chars[i] == ")" else { throw error("expected ')' after the pattern of \(name) (a column-name pattern with * and ?, not a formula)") }
                i += 1
                return .aggregate(name.lowercased(), pattern)
            }
            if i < chars.count, chars[i] == "(" {
                guard MuExpression.functions.contains(name.lowercased()) else {
                    throw error("unknown function '\(name)' (allowed: \(MuExpression.functions.union(MuExpression.aggregates).sorted().joined(separator: ", ")))")
                }
                i += 1
                let arg = try expr()
                skip()
                guard i < chars.count, chars[i] == ")" else { throw error("expected ')' after the argument of \(name)") }
                i += 1
                return .call(name.lowercased(), arg)
            }
            return .column(name)
        }
        throw error("unexpected '\(c)'; expected a number, a column name, a function or '('")
    }
}
