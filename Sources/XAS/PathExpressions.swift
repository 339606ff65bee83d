import Foundation
import Refinement
import XrayCore

/// Turns the path parameters of every data set into constrained parameters of one `ParameterSet`,
/// so that the refinement engine evaluates them and propagates their esds.
///
/// Each path gets fixed parameters for the values of its own that its expressions use (`reff`,
/// `degen`, …) under private names (`_p<d>_<j>_reff`), and each path parameter becomes `_p<d>_<j>_<name>` with the user's
/// expression in which the path's names are rewritten to those private names, and `sigma2_eins` /
/// `sigma2_debye` to functions registered for that path (they need its atoms), as Larch evaluates
/// path expressions in the symbol table of the path being computed.
struct PathExpressions {
    /// Parameter names read for each path: `names[d][j]` lists those of degen, s02, e0, deltar,
    /// sigma2, third, fourth, ei of path j of data set d (a private per-path name, a shared name for
    /// an expression without path values, or the fit parameter itself when the expression is its name).
    var names: [[[String]]] = []
    /// Every parameter name that is private (not reported as a fit variable).
    var privateNames = Set<String>()
    var parameters: ParameterSet
    var functions: FunctionTable

    /// The path functions of an expression.
    static let pathFunctions = ["sigma2_eins", "sigma2_debye"]

    static func prefix(_ d: Int, _ j: Int) -> String { "_p\(d)_\(j)_" }

    /// Every name used in an expression (fit parameters and path values).
    var namesInExpressions = Set<String>()

    /// Names of the fixed parameters that hold the default path-parameter values (S0² = 1, else 0).
    static let defaultOne = "_p_one", defaultZero = "_p_zero"

    /// Checks every expression (syntax and names) and builds the combined parameter set.
    /// Each expression is parsed here once (and once more by `ParameterSet.add`); a path's own values
    /// become parameters only when its expressions use them.
    init(datasets: [FeffitDataSet], parameters user: ParameterSet, functions base: FunctionTable) throws {
        parameters = user
        functions = base
        let userNames = Set(user.names)
        // Global expressions: path functions and unknown names are errors that name the parameter.
        for p in user.all {
            guard let text = p.expression else { continue }
            let e = try Expression(text, parameter: p.name)
            for call in Self.calls(in: text) where Self.pathFunctions.contains(call.name) {
                throw RefinementError(parameter: p.name, column: call.column,
                                      "'\(call.name)' needs a path: use it in a path parameter (e.g. sigma2), not in a fit parameter")
            }
            for (name, column) in e.names {
                if !userNames.contains(name) && name != "pi" && name != "e" {
                    throw RefinementError(parameter: p.name, column: column, "unknown name '\(name)' in expression '\(text)'")
                }
                namesInExpressions.insert(name)
            }
        }
        try parameters.add(Parameter(Self.defaultOne, 1, vary: false))
        try parameters.add(Parameter(Self.defaultZero, 0, vary: false))
        privateNames.formUnion([Self.defaultOne, Self.defaultZero])
        var sharedByText: [String: String] = [:]
        for (d, ds) in datasets.enumerated() {
            var labels = Set<String>()
            var datasetNames: [[String]] = []
            for (j, fp) in ds.paths.enumerated() {
                guard labels.insert(fp.label).inserted else {
                    throw RoentgenError.badParameter("data set '\(ds.id)': path label '\(fp.label)' is used twice")
                }
                let prefix = Self.prefix(d, j)
                // The path's own values, looked up only when an expression names something that is
                // not a fit parameter.
                var localValues: [(String, Double)] { fp.localValues }
                var localNames: Set<String>?
                var local: [String: String] = [:]
                let path = fp.path
                var renamedFunctions: [String: String] = [:]
                var slots: [String] = []
                let degenName = prefix + "degen_used"
                try parameters.add(Parameter(degenName, fp.degen ?? path.degeneracy, vary: false))
                privateNames.insert(degenName)
                slots.append(degenName)
                for pname in FeffitPath.parameterNames {
                    let privateName = prefix + pname
                    let owner = "\(fp.label).\(pname)"
                    guard let text = Self.trimmed(fp.expressions[pname]), !text.isEmpty else {
                        slots.append(pname == "s02" ? Self.defaultOne : Self.defaultZero)
                        continue
                    }
                    if userNames.contains(text) {
                        // A bare fit parameter: read directly (one Jacobian column for every path using it).
                        namesInExpressions.insert(text)
                        slots.append(text)
                        continue
                    }
                    let e = try Expression(text, parameter: owner)
                    var usesLocal = false
                    for (name, column) in e.names {
                        namesInExpressions.insert(name)
                        if userNames.contains(name) || name == "pi" || name == "e" { continue }
                        let known = localNames ?? Set(localValues.map(\.0))
                        localNames = known
                        guard known.contains(name) else {
                            throw RefinementError(parameter: owner, column: column, "unknown name '\(name)' in expression '\(text)' (not a fit parameter nor a path value such as reff)")
                        }
                        usesLocal = true
                    }
                    let tokens = Self.tokens(text)
                    let calls = tokens.filter(\.isCall)
                    for call in calls where base.function(named: call.text) == nil && !Self.pathFunctions.contains(call.text) {
                        throw RefinementError(parameter: owner, column: call.column, "unknown function '\(call.text)' in expression '\(text)'")
                    }
                    let usesPath = usesLocal || calls.contains { Self.pathFunctions.contains($0.text) }
                    if !usesPath {
                        // The same value for every path that writes it: evaluated once under a shared
                        // name, so that the Jacobian has one column (one transform) for all the paths that use it.
                        if let shared = sharedByText[text] {
                            slots.append(shared)
                        } else {
                            let shared = "_x\(sharedByText.count)"
                            sharedByText[text] = shared
                            try parameters.add(Parameter(shared, expression: text))
                            privateNames.insert(shared)
                            slots.append(shared)
                        }
                        continue
                    }
                    // The path's values this expression uses, as fixed parameters (once per path).
                    for (name, value) in localValues where local[name] == nil && e.names.contains(where: { $0.name == name }) {
                        let privateValue = prefix + name
                        try parameters.add(Parameter(privateValue, value, vary: false))
                        privateNames.insert(privateValue)
                        local[name] = privateValue
                    }
                    if renamedFunctions.isEmpty, calls.contains(where: { Self.pathFunctions.contains($0.text) }) {
                        for f in Self.pathFunctions {
                            let privateFunction = prefix + f
                            renamedFunctions[f] = privateFunction
                            if f == "sigma2_eins" {
                                functions.register(privateFunction, arity: 2) { Sigma2Models.einstein(temperature: $0[0], theta: $0[1], path: path) }
                            } else {
                                functions.register(privateFunction, arity: 2) { Sigma2Models.correlatedDebye(temperature: $0[0], theta: $0[1], path: path) }
                            }
                        }
                    }
                    let rewritten = Self.rewrite(text, tokens: tokens, names: local, functions: renamedFunctions)
                    try parameters.add(Parameter(privateName, expression: rewritten))
                    privateNames.insert(privateName)
                    slots.append(privateName)
                }
                datasetNames.append(slots)
            }
            names.append(datasetNames)
        }
    }

    /// `text` without leading and trailing spaces and tabs (nil stays nil).
    static func trimmed(_ text: String?) -> String? {
        guard let text else { return nil }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return text }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Function calls in `text`: each identifier followed by '(' with its 1-based column.
    static func calls(in text: String) -> [(name: String, column: Int)] {
        tokens(text).filter(\.isCall).map { ($0.text, $0.column) }
    }

    /// Identifiers of `text` with their columns, numbers skipped as the expression parser reads them.
    static func tokens(_ text: String) -> [(text: String, column: Int, range: Range<Int>, isCall: Bool)] {
        let chars = Array(text)
        var out: [(String, Int, Range<Int>, Bool)] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
                if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                    var look = i + 1
                    if look < chars.count, chars[look] == "+" || chars[look] == "-" { look += 1 }
                    if look < chars.count, chars[look].isNumber {
                        i = look
                        while i < chars.count, chars[i].isNumber { i += 1 }
                    }
                }
            } else if c == "_" || c.isLetter {
                let start = i
                while i < chars.count, chars[i] == "_" || chars[i].isLetter || chars[i].isNumber { i += 1 }
                var look = i
                while look < chars.count, chars[look] == " " || chars[look] == "\t" { look += 1 }
                out.append((String(chars[start..<i]), start + 1, start..<i, look < chars.count && chars[look] == "("))
            } else {
                i += 1
            }
        }
        return out
    }

    /// `text` (whose `tokens` are given) with names (not calls) renamed by `names` and calls by `functions`.
    static func rewrite(_ text: String, tokens: [(text: String, column: Int, range: Range<Int>, isCall: Bool)],
                        names: [String: String], functions: [String: String]) -> String {
        var chars = Array(text)
        for token in tokens.reversed() {
            let replacement = token.isCall ? functions[token.text] : names[token.text]
            if let replacement { chars.replaceSubrange(token.range, with: Array(replacement)) }
        }
        return String(chars)
    }
}
