import Foundation
import Refinement
import XAS
import XrayCore
import XrayNumerics
import Yams

/// Roentgen's feffit fit file (YAML): parameters, data sets with their transform and paths.
///
/// ```yaml
/// title: Cu foil, first shell
/// parameters:                 # in order; a number is a fixed value, a string an expression
///   amp:    {value: 1.0, vary: true}
///   del_e0: {value: 0.0, vary: true, min: -20, max: 20}
///   s02: 0.7
///   sig2_p5: {expr: 'sig2_p4'}
/// datasets:
///   - id: cu_rt
///     data: cu_1shell/chi_cu_rt.dat   # k and chi columns (relative to this file)
///     epsilon_k: 0.001                 # optional: otherwise estimated from χ(R) at 15–30 Å
///     transform: {fitspace: r, kmin: 3, kmax: 17, kweight: 2, dk: 4, window: kaiser, rmin: 1.4, rmax: 3.0}
///     paths:
///       cu1: {file: cu_1shell/feffcu01.dat, s02: amp, e0: del_e0, deltar: del_r, sigma2: sig2}
/// ```
///
/// Transform keys (Larch's names and defaults): `fitspace` (r, q, k), `kmin` 0, `kmax` 20, `kweight` 2
/// (or a list), `dk` 4, `dk2`, `window` kaiser, `rmin` 0, `rmax` 10, `dr` 0, `dr2`, `rwindow` hanning,
/// `rbkg` 0, `nfft` 2048, `kstep` 0.05. Path keys: `file`, `degen`, `s02`, `e0`, `deltar`, `sigma2`,
/// `third`, `fourth`, `ei`. Options: `fix_unused` (true), `rmax_out` (10).
///
/// Parsing is pure: files named in it are returned as paths resolved against the YAML's folder, for
/// the caller to read (`datasets(readPath:readData:)`).
public struct FeffitFile: Sendable {
    public struct PathEntry: Sendable {
        public var label: String
        /// The path file, resolved against the YAML file's folder, and as written in the YAML file.
        public var file: String
        public var written: String
        public var degen: Double?
        public var expressions: [String: String]
        /// Line of the path's entry and of each expression in the YAML file.
        public var line: Int
        public var expressionLines: [String: Int]
        /// Line of the `file:` entry.
        public var fileLine: Int
    }
    public struct DataSetEntry: Sendable {
        public var id: String
        /// The χ(k) file (columns k, χ), resolved against the YAML file's folder.
        public var data: String
        public var dataLine: Int
        public var transform: FeffitTransform
        public var epsilonK: Double?
        public var paths: [PathEntry]
        public var line: Int
        public var transformLine: Int
    }

    /// The YAML file (as given), for error messages.
    public var file: String
    public var title: String?
    public var parameters: ParameterSet
    /// Line of each parameter's entry.
    public var parameterLines: [String: Int]
    public var datasets: [DataSetEntry]
    public var options: FeffitOptions

    /// Parses the fit file's `text`; `file` is its path (errors name it; relative files resolve against its folder).
    public static func parse(_ source: String, file: String) throws -> FeffitFile {
        let root: Node?
        do { root = try Yams.compose(yaml: source) } catch {
            throw RoentgenError(.badFile, "not valid YAML: \(error)", file: file)
        }
        guard let root, case .mapping = root else {
            throw RoentgenError(.badFile, "expected a mapping with 'parameters' and 'datasets'", file: file, line: 1)
        }
        let folder = (file as NSString).deletingLastPathComponent
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
        }
        func line(_ n: Node) -> Int { n.mark?.line ?? 0 }
        func fail(_ n: Node, _ message: String) -> RoentgenError { RoentgenError(.badFile, message, file: file, line: line(n)) }
        func entries(_ n: Node, _ what: String) throws -> [(String, Node, Node)] {
            guard case let .mapping(m) = n else { throw fail(n, "\(what) must be a mapping (key: value)") }
            return try m.map { pair in
                guard let key = pair.key.string else { throw fail(pair.key, "\(what): keys must be text") }
                return (key, pair.key, pair.value)
            }
        }
        func number(_ n: Node, _ what: String) throws -> Double {
            guard case .scalar = n, let v = n.float, v.isFinite else { throw fail(n, "\(what) must be a number, not '\(n.string ?? "…")'") }
            return v
        }
        func text(_ n: Node, _ what: String) throws -> String {
            guard case .scalar = n, let s = n.string else { throw fail(n, "\(what) must be text") }
            return s
        }
        func checkKeys(_ list: [(String, Node, Node)], _ allowed: [String], _ what: String) throws {
            for (key, node, _) in list where !allowed.contains(key) {
                throw fail(node, "unknown key '\(key)' in \(what); expected one of \(allowed.joined(separator: ", "))")
            }
        }
        let topEntries = try entries(root, "the fit file")
        try checkKeys(topEntries, ["title", "parameters", "datasets", "options"], "the fit file")
        var out = FeffitFile(file: file, title: nil, parameters: ParameterSet(), parameterLines: [:], datasets: [], options: FeffitOptions())
        func wrap(_ n: Node, _ body: () throws -> Void) throws {
            do { try body() } catch let e as RefinementError {
                throw RoentgenError(.badParameter, e.description, file: file, line: line(n))
            }
        }
        for (key, keyNode, value) in topEntries {
            switch key {
            case "title": out.title = try text(value, "title")
            case "options":
                let list = try entries(value, "options")
                try checkKeys(list, ["fix_unused", "rmax_out", "ftol", "xtol", "max_evaluations"], "options")
                for (k, _, v) in list {
                    switch k {
                    case "fix_unused":
                        guard let b = v.bool else { throw fail(v, "fix_unused must be true or false") }
                        out.options.fixUnusedVariables = b
                    case "rmax_out":
                        let r = try number(v, "rmax_out")
                        guard r.isFinite, r > 0 else { throw fail(v, "rmax_out must be a positive distance in Å") }
                        out.options.rmaxOut = r
                    case "ftol", "xtol":
                        let t = try number(v, k)
                        guard t.isFinite, t >= 0 else { throw fail(v, "\(k) must be a number ≥ 0") }
                        if k == "ftol" { out.options.ftol = t } else { out.options.xtol = t }
                    default:
                        let m = try number(v, "max_evaluations")
                        guard m.isFinite, m >= 0, m <= 1e9, m == m.rounded() else {
                            throw fail(v, "max_evaluations must be a whole number from 0 to 1e9")
                        }
                        out.options.maxEvaluations = Int(m)
                    }
                }
            case "parameters":
                for (name, nameNode, spec) in try entries(value, "parameters") {
                    out.parameterLines[name] = line(nameNode)
                    var p: Parameter
                    switch spec {
                    case .scalar:
                        if let v = spec.float, spec.string.map({ Double($0) != nil }) ?? false {
                            p = Parameter(name, v, vary: false)
                        } else {
                            p = Parameter(name, expression: try text(spec, "parameter '\(name)'"))
                        }
                    case .mapping:
                        let list = try entries(spec, "parameter '\(name)'")
                        try checkKeys(list, ["value", "vary", "min", "max", "expr"], "parameter '\(name)'")
                        let fields = Dictionary(list.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                        if let e = fields["expr"] {
                            p = Parameter(name, expression: try text(e, "expr of '\(name)'"))
                        } else {
                            guard let v = fields["value"] else { throw fail(spec, "parameter '\(name)' needs 'value' (or 'expr')") }
                            p = Parameter(name, try number(v, "value of '\(name)'"))
                            p.vary = false
                            if let vary = fields["vary"] {
                                guard let b = vary.bool else { throw fail(vary, "vary of '\(name)' must be true or false") }
                                p.vary = b
                            }
                            if let lo = fields["min"] { p.lower = try number(lo, "min of '\(name)'") }
                            if let hi = fields["max"] { p.upper = try number(hi, "max of '\(name)'") }
                            // A start outside [min, max] is moved to the bound, as lmfit (Larch) does; an empty range is refused.
                            guard p.lower <= p.upper else { throw fail(spec, "parameter '\(name)': min \(p.lower) is above max \(p.upper)") }
                        }
                    default:
                        throw fail(spec, "parameter '\(name)': expected a number, an expression or {value, vary, min, max, expr}")
                    }
                    try wrap(nameNode) { try out.parameters.add(p) }
                }
            case "datasets":
                guard case let .sequence(list) = value else { throw fail(value, "datasets must be a list (- id: …)") }
                for item in list {
                    let fields = try entries(item, "a data set")
                    try checkKeys(fields, ["id", "data", "epsilon_k", "transform", "paths"], "a data set")
                    let map = Dictionary(fields.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                    guard let dataNode = map["data"] else { throw fail(item, "a data set needs 'data: FILE' (columns k, chi)") }
                    guard let pathsNode = map["paths"] else { throw fail(item, "a data set needs 'paths'") }
                    let id = try map["id"].map { try text($0, "id") } ?? "dataset\(out.datasets.count + 1)"
                    var transform = FeffitTransform()
                    var transformLine = line(item)
                    if let t = map["transform"] {
                        transformLine = line(t)
                        let tf = try entries(t, "transform")
                        try checkKeys(tf, ["fitspace", "kmin", "kmax", "kweight", "dk", "dk2", "window", "rmin", "rmax", "dr", "dr2", "rwindow", "rbkg", "nfft", "kstep"], "transform")
                        for (k, _, v) in tf {
                            switch k {
                            case "fitspace":
                                let s = try text(v, "fitspace").lowercased()
                                guard let space = FeffitTransform.FitSpace(rawValue: s) else { throw fail(v, "fitspace '\(s)'; expected r, q or k") }
                                transform.fitspace = space
                            case "kmin": transform.kmin = try number(v, k)
                            case "kmax": transform.kmax = try number(v, k)
                            case "kweight":
                                if case let .sequence(ws) = v {
                                    transform.kweights = try ws.map { try number($0, "kweight") }
                                } else {
                                    transform.kweights = [try number(v, k)]
                                }
                            case "dk": transform.dk = try number(v, k)
                            case "dk2": transform.dk2 = try number(v, k)
                            case "rmin": transform.rmin = try number(v, k)
                            case "rmax": transform.rmax = try number(v, k)
                            case "dr": transform.dr = try number(v, k)
                            case "dr2": transform.dr2 = try number(v, k)
                            case "rbkg": transform.rbkg = try number(v, k)
                            case "kstep": transform.kstep = try number(v, k)
                            case "nfft":
                                // A power of two up to 2^20 (Larch's default is 2048); the transform checks the power.
                                let n = try number(v, k)
                                guard n >= 16, n <= 1_048_576, n == n.rounded() else { throw fail(v, "nfft \(n); expected a power of two from 16 to 1048576") }
                                transform.nfft = Int(n)
                            case "window", "rwindow":
                                let s = try text(v, k)
                                guard let shape = TaperShape(name: s) else { throw fail(v, "\(k) '\(s)'; expected kaiser, hanning, welch, parzen, sine or gaussian") }
                                if k == "window" { transform.window = shape } else { transform.rwindow = shape }
                            default: break
                            }
                        }
                    }
                    var paths: [PathEntry] = []
                    for (label, labelNode, spec) in try entries(pathsNode, "paths") {
                        let pf = try entries(spec, "path '\(label)'")
                        try checkKeys(pf, ["file", "degen"] + FeffitPath.parameterNames, "path '\(label)'")
                        let pmap = Dictionary(pf.map { ($0.0, $0.2) }, uniquingKeysWith: { a, _ in a })
                        guard let fileNode = pmap["file"] else { throw fail(labelNode, "path '\(label)' needs 'file: feffNNNN.dat'") }
                        let written = try text(fileNode, "file")
                        var entry = PathEntry(label: label, file: resolve(written), written: written, degen: nil,
                                              expressions: [:], line: line(labelNode), expressionLines: [:], fileLine: line(fileNode))
                        if let d = pmap["degen"] {
                            entry.degen = try number(d, "degen")
                            guard entry.degen! >= 0 else { throw fail(d, "path '\(label)': degen \(entry.degen!); a path degeneracy is ≥ 0") }
                        }
                        for name in FeffitPath.parameterNames {
                            guard let e = pmap[name] else { continue }
                            entry.expressions[name] = try text(e, "\(label).\(name)")
                            entry.expressionLines[name] = line(e)
                        }
                        paths.append(entry)
                    }
                    out.datasets.append(DataSetEntry(id: id, data: resolve(try text(dataNode, "data")), dataLine: line(dataNode),
                                                     transform: transform, epsilonK: try map["epsilon_k"].map { try number($0, "epsilon_k") },
                                                     paths: paths, line: line(item), transformLine: transformLine))
                }
            default:
                throw fail(keyNode, "unknown key '\(key)'")
            }
        }
        guard !out.datasets.isEmpty else { throw RoentgenError(.badFile, "no datasets", file: file) }
        return out
    }

    /// The data sets with their files read by `readPath` (a FEFF path file) and `readData` (k, χ of a
    /// data file); errors of those readers pass through.
    public func datasets(readPath: (String) throws -> FeffPath, readData: (String) throws -> (k: [Double], chi: [Double])) throws -> [FeffitDataSet] {
        func located<T>(_ line: Int, _ what: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch var e as RoentgenError {
                e.message += " (\(what) at \(file):\(line))"
                throw e
            }
        }
        return try datasets.map { d in
            let (k, chi) = try located(d.dataLine, "data of data set '\(d.id)'") { try readData(d.data) }
            let paths = try d.paths.map { p in
                FeffitPath(label: p.label, path: try located(p.fileLine, "path '\(p.label)'") { try readPath(p.file) },
                           file: p.written, degen: p.degen, expressions: p.expressions)
            }
            return FeffitDataSet(id: d.id, k: k, chi: chi, transform: d.transform, paths: paths, epsilonK: d.epsilonK)
        }
    }

    /// Reads the files and fits; errors of the fit name this file and the line of the parameter,
    /// path expression or data set concerned.
    public func fit(readPath: (String) throws -> FeffPath, readData: (String) throws -> (k: [Double], chi: [Double])) throws -> FeffitResult {
        let sets = try datasets(readPath: readPath, readData: readData)
        do {
            return try Feffit.fit(datasets: sets, parameters: parameters, options: options)
        } catch let e as RefinementError {
            throw RoentgenError(.badParameter, e.description, file: file, line: line(of: e.parameter))
        } catch var e as RoentgenError where e.file == nil {
            e.file = file
            if let d = datasets.first(where: { e.message.hasPrefix("data set '\($0.id)'") }) { e.line = d.transformLine }
            throw e
        }
    }

    /// The line of a parameter (`name`) or path expression (`label.s02`) in the YAML file.
    func line(of owner: String?) -> Int? {
        guard let owner else { return nil }
        if let l = parameterLines[owner] { return l }
        let parts = owner.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        for d in datasets {
            if let p = d.paths.first(where: { $0.label == parts[0] }) { return p.expressionLines[parts[1]] ?? p.line }
        }
        return nil
    }
}
