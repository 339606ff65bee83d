import Foundation

/// The functions an expression may call: the standard mathematical ones, plus any a model
/// registers (the XAS module registers `sigma2_eins(t, theta)`, for example).
public struct FunctionTable: Sendable {
    /// A function body and its number of arguments (−1: one or more).
    public struct Function: Sendable {
        public var arity: Int
        public var body: @Sendable ([Double]) -> Double
    }

    private var table: [String: Function] = [:]

    /// An empty table (no functions at all).
    public init() {}

    /// `sqrt exp log ln log10 sin cos tan asin acos atan atan2 sinh cosh tanh abs min max pow
    /// hypot sign`; `min`/`max` take one or more arguments, `log` is the natural logarithm.
    public static let standard: FunctionTable = {
        var t = FunctionTable()
        let unary: [(String, @Sendable (Double) -> Double)] = [
            ("sqrt", { $0.squareRoot() }), ("exp", { Foundation.exp($0) }), ("log", { Foundation.log($0) }),
            ("ln", { Foundation.log($0) }), ("log10", { Foundation.log10($0) }),
            ("sin", { Foundation.sin($0) }), ("cos", { Foundation.cos($0) }), ("tan", { Foundation.tan($0) }),
            ("asin", { Foundation.asin($0) }), ("acos", { Foundation.acos($0) }), ("atan", { Foundation.atan($0) }),
            ("sinh", { Foundation.sinh($0) }), ("cosh", { Foundation.cosh($0) }), ("tanh", { Foundation.tanh($0) }),
            ("abs", { Swift.abs($0) }), ("sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }),
        ]
        for (name, f) in unary { t.register(name, arity: 1) { f($0[0]) } }
        t.register("atan2", arity: 2) { Foundation.atan2($0[0], $0[1]) }
        t.register("pow", arity: 2) { Foundation.pow($0[0], $0[1]) }
        t.register("hypot", arity: 2) { Foundation.hypot($0[0], $0[1]) }
        t.register("min", arity: -1) { $0.min() ?? .nan }
        t.register("max", arity: -1) { $0.max() ?? .nan }
        return t
    }()

    /// Adds (or replaces) `name`, taking `arity` arguments (−1: one or more).
    public mutating func register(_ name: String, arity: Int, _ body: @escaping @Sendable ([Double]) -> Double) {
        table[name] = Function(arity: arity, body: body)
    }

    /// The function called `name`, if any.
    public func function(named name: String) -> Function? { table[name] }

    /// Every function name, sorted.
    public var names: [String] { table.keys.sorted() }
}
