/// An ordered set of named parameters (insertion order is report order).
public struct ParameterSet: Sendable, Codable, Equatable {
    private var list: [Parameter] = []
    private var position: [String: Int] = [:]

    /// An empty set.
    public init() {}

    /// A set of `parameters`, in order; a duplicate or invalid name is an error that names it.
    public init(_ parameters: [Parameter]) throws {
        for p in parameters { try add(p) }
    }

    /// Adds a parameter; a duplicate or invalid name is an error that names it.
    public mutating func add(_ p: Parameter) throws {
        guard Parameter.isValidName(p.name) else {
            throw RefinementError(parameter: p.name, "not a valid parameter name (letters, digits and '_', not starting with a digit)")
        }
        guard position[p.name] == nil else {
            throw RefinementError(parameter: p.name, "defined twice")
        }
        if let e = p.expression { _ = try Expression(e, parameter: p.name) }
        if p.expression == nil, !p.value.isFinite {
            throw RefinementError(parameter: p.name, "its value \(p.value) is not a finite number")
        }
        if p.lower > p.upper {
            throw RefinementError(parameter: p.name, "its lower bound \(p.lower) is above its upper bound \(p.upper)")
        }
        position[p.name] = list.count
        list.append(p)
    }

    /// The parameter called `name`; setting nil removes it.
    public subscript(name: String) -> Parameter? {
        get { position[name].map { list[$0] } }
        set {
            if let i = position[name] {
                if let newValue {
                    list[i] = newValue
                } else {
                    list.remove(at: i)
                    position = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
                }
            } else if let newValue {
                position[name] = list.count
                list.append(newValue)
            }
        }
    }

    /// The names, in order.
    public var names: [String] { list.map(\.name) }
    /// The parameters, in order.
    public var all: [Parameter] { list }
    /// The number of parameters.
    public var count: Int { list.count }

    /// Marks `names` as varied; an unknown name is an error that names it.
    public mutating func release(_ names: [String]) throws {
        for n in names {
            guard let i = position[n] else { throw RefinementError(parameter: n, "unknown parameter (not defined in the parameter set)") }
            if list[i].expression != nil {
                throw RefinementError(parameter: n, "is constrained by '\(list[i].expression!)' and cannot be varied on its own")
            }
            list[i].vary = true
        }
    }

    /// Marks `names` as fixed.
    public mutating func fix(_ names: [String]) throws {
        for n in names {
            guard let i = position[n] else { throw RefinementError(parameter: n, "unknown parameter (not defined in the parameter set)") }
            list[i].vary = false
        }
    }

    /// Every parameter's value, constrained ones computed from their expressions in dependency order.
    public func evaluated(functions: FunctionTable = .standard) throws -> ParameterValues {
        let compiled = try CompiledParameters(self, functions: functions)
        return compiled.values(free: compiled.freeStart)
    }

    enum CodingKeys: String, CodingKey { case parameters }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(try c.decode([Parameter].self, forKey: .parameters))
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(list, forKey: .parameters)
    }
}

/// Every parameter of a set with its value: what a model reads while it is evaluated.
public struct ParameterValues: Sendable, Equatable {
    /// The names, in the parameter set's order.
    public let names: [String]
    /// The values, in the same order.
    public var values: [Double]
    let position: [String: Int]

    init(names: [String], values: [Double], position: [String: Int]) {
        self.names = names
        self.values = values
        self.position = position
    }

    /// The index of `name` in `values` (look it up once, then read `values[i]` in hot loops).
    public func index(of name: String) -> Int? { position[name] }

    /// The value of `name`, nil if there is no such parameter.
    public subscript(name: String) -> Double? { position[name].map { values[$0] } }
}

/// A parameter set prepared for a fit: names resolved to slots, constrained parameters in
/// dependency order, the varied ones picked out.
struct CompiledParameters {
    let set: ParameterSet
    let names: [String]
    let position: [String: Int]
    /// Start values of every parameter (constrained ones NaN until evaluated).
    let start: [Double]
    /// Slots of the varied parameters, in set order.
    let varied: [Int]
    /// Constrained slots with their expressions, each after everything it reads.
    let constrained: [(slot: Int, expression: CompiledExpression)]

    init(_ set: ParameterSet, functions: FunctionTable) throws {
        self.set = set
        let all = set.all
        names = all.map(\.name)
        position = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        start = all.map { $0.expression == nil ? $0.value : .nan }
        varied = all.indices.filter { all[$0].isVaried }
        var compiledBySlot: [Int: CompiledExpression] = [:]
        for (i, p) in all.enumerated() {
            guard let text = p.expression else { continue }
            let e = try Expression(text, parameter: p.name)
            let position = self.position
            compiledBySlot[i] = try e.compile(functions: functions, parameter: p.name) { position[$0] }
        }
        // Depth-first topological order; a cycle is named.
        var order: [(Int, CompiledExpression)] = []
        var state = [Int: Int]()   // 1 visiting, 2 done
        func visit(_ i: Int, _ path: [Int]) throws {
            guard let e = compiledBySlot[i] else { return }
            if state[i] == 2 { return }
            if state[i] == 1 {
                let cycle = (path.drop { $0 != i } + [i]).map { all[$0].name }
                throw RefinementError(parameter: all[i].name, "circular constraint: \(cycle.joined(separator: " → "))")
            }
            state[i] = 1
            for s in e.slots.sorted() { try visit(s, path + [i]) }
            state[i] = 2
            order.append((i, e))
        }
        for i in compiledBySlot.keys.sorted() { try visit(i, []) }
        constrained = order
    }

    /// The varied parameters' start values.
    var freeStart: [Double] { varied.map { start[$0] } }

    /// Every value, with the varied ones taken from `free` and constraints evaluated.
    func values(free: [Double]) -> ParameterValues {
        var v = start
        for (k, slot) in varied.enumerated() { v[slot] = free[k] }
        for (slot, e) in constrained { v[slot] = e.evaluate { v[$0] } }
        return ParameterValues(names: names, values: v, position: position)
    }

    /// Constrained slots whose value depends (directly or through other constraints) on a varied parameter.
    var constrainedOnVaried: [Int] {
        var dependent = Set(varied)
        var out: [Int] = []
        for (slot, e) in constrained where !e.slots.isDisjoint(with: dependent) {
            dependent.insert(slot)
            out.append(slot)
        }
        return out
    }
}
