import Foundation

/// A parsed arithmetic expression over named parameters, as used for constraints (`1.5*sigma2_1`),
/// restraints and recipe formulas.
///
/// The language is the arithmetic subset of Python that lmfit/Larch constraint expressions use:
/// numbers (`2`, `1.5e-3`), names, `+ - * /`, powers `**` (also written `^`), unary `+`/`-`,
/// parentheses and function calls (`sqrt(x)`, `sigma2_eins(t, theta)`; see `FunctionTable`). The
/// constants `pi` and `e` are names unless a parameter of that name exists.
public struct Expression: Sendable, Equatable, CustomStringConvertible {
    indirect enum Node: Sendable, Equatable {
        case number(Double)
        /// A name and the 1-based column where it appears.
        case name(String, column: Int)
        case unary(Character, Node)
        case binary(Character, Node, Node)
        case call(String, column: Int, [Node])
    }

    /// The text as written.
    public let text: String
    let root: Node

    /// Parses `text`; a syntax error names `parameter` (when given) and the 1-based column.
    public init(_ text: String, parameter: String? = nil) throws {
        var parser = ExpressionParser(text: text, parameter: parameter)
        self.text = text
        self.root = try parser.parseWhole()
    }

    public var description: String { text }

    /// Every name the expression refers to (functions excluded), with the column of its first use.
    public var names: [(name: String, column: Int)] {
        var out: [(String, Int)] = []
        var seen = Set<String>()
        func walk(_ n: Node) {
            switch n {
            case .number: break
            case let .name(s, column): if seen.insert(s).inserted { out.append((s, column)) }
            case let .unary(_, a): walk(a)
            case let .binary(_, a, b): walk(a); walk(b)
            case let .call(_, _, args): args.forEach(walk)
            }
        }
        walk(root)
        return out
    }

    /// Evaluates with `lookup` giving each name's value (nil: unknown name, an error naming it).
    public func evaluate(functions: FunctionTable = .standard, parameter: String? = nil,
                         _ lookup: (String) -> Double?) throws -> Double {
        var values: [Double] = []
        var slots: [String: Int] = [:]
        for (name, _) in names {
            guard let v = lookup(name) else { continue }
            slots[name] = values.count
            values.append(v)
        }
        return try compile(functions: functions, parameter: parameter) { slots[$0] }.evaluate { values[$0] }
    }

    /// Resolves names to slots (`slot(name)` gives an index into the values array, nil when
    /// unknown; `pi` and `e` fall back to constants) and functions to the table, once, so that
    /// evaluation in a fit loop costs no dictionary lookups.
    public func compile(functions: FunctionTable = .standard, parameter: String? = nil,
                        _ slot: (String) -> Int?) throws -> CompiledExpression {
        func build(_ n: Node) throws -> CompiledExpression.Op {
            switch n {
            case let .number(v): return .constant(v)
            case let .name(s, column):
                if let i = slot(s) { return .slot(i) }
                if s == "pi" { return .constant(Double.pi) }
                if s == "e" { return .constant(M_E) }
                throw RefinementError(parameter: parameter, column: column,
                                      "unknown name '\(s)' in expression '\(text)'")
            case let .unary(op, a): return .unary(op, try build(a))
            case let .binary(op, a, b): return .binary(op, try build(a), try build(b))
            case let .call(f, column, args):
                guard let fn = functions.function(named: f) else {
                    throw RefinementError(parameter: parameter, column: column,
                                          "unknown function '\(f)' in expression '\(text)' (known: \(functions.names.joined(separator: ", ")))")
                }
                if fn.arity >= 0 && fn.arity != args.count {
                    throw RefinementError(parameter: parameter, column: column,
                                          "function '\(f)' takes \(fn.arity) argument\(fn.arity == 1 ? "" : "s"), given \(args.count)")
                }
                if fn.arity < 0 && args.isEmpty {
                    throw RefinementError(parameter: parameter, column: column, "function '\(f)' needs at least one argument")
                }
                return .call(fn.body, try args.map(build))
            }
        }
        return CompiledExpression(op: try build(root))
    }
}

/// An expression whose names are resolved to slots of a values array; cheap to evaluate.
public struct CompiledExpression: Sendable {
    indirect enum Op: Sendable {
        case constant(Double)
        case slot(Int)
        case unary(Character, Op)
        case binary(Character, Op, Op)
        case call(@Sendable ([Double]) -> Double, [Op])
    }
    let op: Op

    /// The value, reading slot `i` as `value(i)`.
    public func evaluate(_ value: (Int) -> Double) -> Double {
        func run(_ o: Op) -> Double {
            switch o {
            case let .constant(v): return v
            case let .slot(i): return value(i)
            case let .unary(c, a): return c == "-" ? -run(a) : run(a)
            case let .binary(c, a, b):
                let x = run(a), y = run(b)
                switch c {
                case "+": return x + y
                case "-": return x - y
                case "*": return x * y
                case "/": return x / y
                default: return pow(x, y)
                }
            case let .call(f, args): return f(args.map(run))
            }
        }
        return run(op)
    }

    /// The slots the expression reads.
    public var slots: Set<Int> {
        var out = Set<Int>()
        func walk(_ o: Op) {
            switch o {
            case .constant: break
            case let .slot(i): out.insert(i)
            case let .unary(_, a): walk(a)
            case let .binary(_, a, b): walk(a); walk(b)
            case let .call(_, args): args.forEach(walk)
            }
        }
        walk(op)
        return out
    }
}

/// Recursive-descent parser with the usual precedence: `+ -` < `* /` < unary `+ -` < `**` (right
/// associative, binding tighter than a unary minus on its left, as in Python: `-2**2` is −4).
struct ExpressionParser {
    let chars: [Character]
    let text: String
    let parameter: String?
    var pos = 0

    init(text: String, parameter: String?) {
        self.text = text
        self.chars = Array(text)
        self.parameter = parameter
    }

    func error(_ message: String, at column: Int? = nil) -> RefinementError {
        RefinementError(parameter: parameter, column: column ?? (pos + 1),
                        "syntax error in expression '\(text)': \(message)")
    }

    mutating func skipSpace() {
        while pos < chars.count, chars[pos] == " " || chars[pos] == "\t" { pos += 1 }
    }

    mutating func parseWhole() throws -> Expression.Node {
        skipSpace()
        guard pos < chars.count else { throw error("the expression is empty") }
        let node = try parseSum()
        skipSpace()
        if pos < chars.count { throw error("unexpected '\(chars[pos])'") }
        return node
    }

    mutating func parseSum() throws -> Expression.Node {
        var left = try parseProduct()
        while true {
            skipSpace()
            guard pos < chars.count, chars[pos] == "+" || chars[pos] == "-" else { return left }
            let op = chars[pos]; pos += 1
            left = .binary(op, left, try parseProduct())
        }
    }

    mutating func parseProduct() throws -> Expression.Node {
        var left = try parseUnary()
        while true {
            skipSpace()
            guard pos < chars.count, chars[pos] == "*" || chars[pos] == "/" else { return left }
            if chars[pos] == "*", pos + 1 < chars.count, chars[pos + 1] == "*" { return left }
            let op = chars[pos]; pos += 1
            left = .binary(op, left, try parseUnary())
        }
    }

    mutating func parseUnary() throws -> Expression.Node {
        skipSpace()
        if pos < chars.count, chars[pos] == "-" || chars[pos] == "+" {
            let op = chars[pos]; pos += 1
            return .unary(op, try parseUnary())
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> Expression.Node {
        let base = try parseAtom()
        skipSpace()
        if pos + 1 < chars.count, chars[pos] == "*", chars[pos + 1] == "*" {
            pos += 2
            return .binary("^", base, try parseUnary())
        }
        if pos < chars.count, chars[pos] == "^" {
            pos += 1
            return .binary("^", base, try parseUnary())
        }
        return base
    }

    mutating func parseAtom() throws -> Expression.Node {
        skipSpace()
        guard pos < chars.count else { throw error("the expression ends where a number, name or '(' was expected") }
        let c = chars[pos]
        if c == "(" {
            let open = pos
            pos += 1
            let inner = try parseSum()
            skipSpace()
            guard pos < chars.count, chars[pos] == ")" else { throw error("'(' at column \(open + 1) is not closed") }
            pos += 1
            return inner
        }
        if c.isNumber || c == "." { return try parseNumber() }
        if c == "_" || c.isLetter {
            let start = pos
            while pos < chars.count, chars[pos] == "_" || chars[pos].isLetter || chars[pos].isNumber { pos += 1 }
            let name = String(chars[start..<pos])
            skipSpace()
            if pos < chars.count, chars[pos] == "(" {
                pos += 1
                var args: [Expression.Node] = []
                skipSpace()
                if pos < chars.count, chars[pos] == ")" { pos += 1; return .call(name, column: start + 1, args) }
                while true {
                    args.append(try parseSum())
                    skipSpace()
                    guard pos < chars.count else { throw error("call of '\(name)' is not closed with ')'") }
                    if chars[pos] == "," { pos += 1; continue }
                    if chars[pos] == ")" { pos += 1; break }
                    throw error("expected ',' or ')' in the call of '\(name)', found '\(chars[pos])'")
                }
                return .call(name, column: start + 1, args)
            }
            return .name(name, column: start + 1)
        }
        throw error("unexpected '\(c)'")
    }

    mutating func parseNumber() throws -> Expression.Node {
        let start = pos
        while pos < chars.count, chars[pos].isNumber || chars[pos] == "." { pos += 1 }
        if pos < chars.count, chars[pos] == "e" || chars[pos] == "E" {
            var look = pos + 1
            if look < chars.count, chars[look] == "+" || chars[look] == "-" { look += 1 }
            if look < chars.count, chars[look].isNumber {
                pos = look
                while pos < chars.count, chars[pos].isNumber { pos += 1 }
            }
        }
        let s = String(chars[start..<pos])
        guard let v = Double(s) else { throw error("'\(s)' is not a number", at: start + 1) }
        return .number(v)
    }
}
