import Diffraction
import Foundation
import XrayCore
import XrayFormats
import Yams

/// Roentgen's PDF fit file (YAML; docs/pdf-fit.md): data, phases, refinement parameters and PDFfit2
/// constraints, loaded into a `PDFFitProblem`. Paths are relative to the fit file. Errors name the
/// fit file and line.
public struct PDFFitFile: Sendable {
    public var problem: PDFFitProblem
    public var title: String
    public var dataFile: String
    public var structureFiles: [String]

    /// The data-set and phase settings a fit file may give (fixed values, or starts under constraints).
    static let dataSetKeys = ["qdamp", "qbroad", "dscale"]
    static let phaseKeys = ["pscale", "delta1", "delta2", "sratio", "rcut", "spdiameter", "stepcut"]

    /// Reads a fit file; `check` sees every file it names before that file is read.
    public static func load(_ path: String, check: @escaping InputCheck = { _ in }) throws -> PDFFitFile {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "file is not readable as UTF-8 text" : "no such file", file: path)
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw RoentgenError.badFile(path, line: 1, "empty fit file") }
            root = node
        } catch let e as RoentgenError {
            throw e
        } catch let e as YamlError {
            throw RoentgenError.badFile(path, line: Self.line(of: e), "not valid YAML: \(e)")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let base = URL(fileURLWithPath: absolute).standardized.deletingLastPathComponent()
        var reader = Reader(file: path, base: base, check: check)
        return try reader.read(root)
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    /// Walks the YAML tree with the file name for errors.
    struct Reader {
        let file: String
        let base: URL
        let check: InputCheck

        func error(_ node: Node?, _ message: String) -> RoentgenError {
            RoentgenError.badFile(file, line: node?.mark?.line, message)
        }

        func mapping(_ node: Node, _ what: String) throws -> [(key: String, value: Node, line: Int?)] {
            guard let m = node.mapping else { throw error(node, "\(what): expected a mapping (key: value lines)") }
            return try m.map { pair in
                guard let k = pair.key.string else { throw error(pair.key, "\(what): keys must be text") }
                return (k, pair.value, pair.key.mark?.line)
            }
        }

        func number(_ node: Node, _ what: String) throws -> Double {
            guard let s = node.string, let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw error(node, "\(what): expected a number, found '\(node.string ?? "a mapping or list")'")
            }
            return v
        }

        /// Settings that PDFfit2 takes as non-negative (a scale, a width, a length): a negative one would
        /// be used as its absolute value (qbroad, sratio) or as "none" (rcut, spdiameter, stepcut), or
        /// flip G (pscale, dscale).
        static let nonNegativeSettings: Set<String> = ["pscale", "dscale", "qdamp", "qbroad", "sratio", "rcut", "spdiameter", "stepcut"]

        /// A data-set or phase setting's value (delta1 and delta2 may be negative, sratio must be positive).
        func setting(_ node: Node, _ key: String) throws -> Double {
            let v = try number(node, key)
            if key == "sratio" && !(v > 0) {
                throw error(node, "sratio \(v): expected a ratio > 0 (the peak-width factor below rcut; 1 for none)")
            }
            if Self.nonNegativeSettings.contains(key) && v < 0 {
                throw error(node, "\(key) \(v): expected a value ≥ 0" + (["rcut", "spdiameter", "stepcut"].contains(key) ? " (0 for none)" : ""))
            }
            return v
        }

        func string(_ node: Node, _ what: String) throws -> String {
            guard let s = node.string, !s.isEmpty else { throw error(node, "\(what): expected text") }
            return s
        }

        func path(_ node: Node, _ what: String) throws -> String {
            let p = try string(node, what)
            let url = p.hasPrefix("/") ? URL(fileURLWithPath: p) : base.appendingPathComponent(p)
            let resolved = url.standardized.path
            try check(resolved)
            guard FileManager.default.fileExists(atPath: resolved) else { throw error(node, "\(what): no such file \(resolved)") }
            return resolved
        }

        mutating func read(_ root: Node) throws -> PDFFitFile {
            let top = try mapping(root, "fit file")
            func value(_ key: String) -> Node? { top.first { $0.key == key }?.value }
            let known: Set<String> = ["title", "data", "phases", "parameters", "constraints"]
            for entry in top where !known.contains(entry.key) {
                throw RoentgenError.badFile(file, line: entry.line, "unknown key '\(entry.key)' (expected \(known.sorted().joined(separator: ", ")))")
            }
            let title = try value("title").map { try string($0, "title") } ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            // Data set.
            guard let dataNode = value("data") else { throw error(root, "no 'data' section (file, radiation, qmax, fit_range)") }
            let dataMap = try mapping(dataNode, "data")
            func dataValue(_ key: String) -> Node? { dataMap.first { $0.key == key }?.value }
            let dataKnown: Set<String> = Set(["file", "radiation", "qmax", "fit_range"] + PDFFitFile.dataSetKeys)
            for entry in dataMap where !dataKnown.contains(entry.key) {
                throw RoentgenError.badFile(file, line: entry.line, "data: unknown key '\(entry.key)' (expected \(dataKnown.sorted().joined(separator: ", ")))")
            }
            guard let fileNode = dataValue("file") else { throw error(dataNode, "data: no 'file'") }
            let dataPath = try path(fileNode, "data file")
            let radiationText = try dataValue("radiation").map { try string($0, "radiation") } ?? "X"
            let radiation: PDFRadiation
            switch radiationText.lowercased() {
            case "x", "xray", "x-ray", "x-rays": radiation = .xray
            case "n", "neutron", "neutrons": radiation = .neutron
            default: throw error(dataValue("radiation"), "radiation '\(radiationText)': expected X (x-ray) or N (neutron)")
            }
            guard let qmaxNode = dataValue("qmax") else { throw error(dataNode, "data: no 'qmax' (Å⁻¹ of the transform; 0 for no termination)") }
            let qmax = try number(qmaxNode, "qmax")
            if let why = PDFInstrument.qmaxProblem(qmax) { throw error(qmaxNode, "qmax \(qmax): \(why)") }
            var instrument = PDFInstrument(radiation: radiation, qmax: qmax)
            for key in PDFFitFile.dataSetKeys {
                if let n = dataValue(key) { try PDFfitVariable(parsing: key).set(try setting(n, key), phase: &placeholderPhase, instrument: &instrument) }
            }
            let observed = try PDFFitFile.readData(dataPath)
            var fitMin = observed.r.first ?? 0, fitMax = observed.r.last ?? 0
            if let rangeNode = dataValue("fit_range") {
                guard let seq = rangeNode.sequence, seq.count == 2 else { throw error(rangeNode, "fit_range: expected [rmin, rmax] in Å") }
                fitMin = try number(seq[0], "fit_range"); fitMax = try number(seq[1], "fit_range")
                let first = observed.r.first ?? 0, last = observed.r.last ?? 0
                guard fitMin < fitMax, fitMin >= first - 1e-9, fitMax <= last + 1e-9 else {
                    throw error(rangeNode, "fit_range \(fitMin)…\(fitMax) Å is outside the data (r = \(first)…\(last) Å in \(dataPath)) or empty")
                }
            }
            // Phases.
            guard let phasesNode = value("phases"), let phaseList = phasesNode.sequence, !phaseList.isEmpty else {
                throw error(value("phases") ?? root, "no 'phases' list (each with a structure file)")
            }
            var phases: [PDFPhase] = []
            var structureFiles: [String] = []
            var constraints: [PDFFitProblem.Constraint] = []
            for (p, phaseNode) in phaseList.enumerated() {
                let m = try mapping(phaseNode, "phase \(p + 1)")
                func pv(_ key: String) -> Node? { m.first { $0.key == key }?.value }
                let phaseKnown: Set<String> = Set(["structure", "name", "constraints"] + PDFFitFile.phaseKeys)
                for entry in m where !phaseKnown.contains(entry.key) {
                    throw RoentgenError.badFile(file, line: entry.line, "phase \(p + 1): unknown key '\(entry.key)' (expected \(phaseKnown.sorted().joined(separator: ", ")))")
                }
                guard let sNode = pv("structure") else { throw error(phaseNode, "phase \(p + 1): no 'structure' (a .cif or .stru file)") }
                let sPath = try path(sNode, "structure")
                var phase = try PDFFitFile.readPhase(sPath)
                if let n = pv("name") { phase.name = try string(n, "name") }
                var scratch = instrument
                for key in PDFFitFile.phaseKeys {
                    if let n = pv(key) { try PDFfitVariable(parsing: key).set(try setting(n, key), phase: &phase, instrument: &scratch) }
                }
                phases.append(phase)
                structureFiles.append(sPath)
                if let cNode = pv("constraints") { constraints += try readConstraints(cNode, phase: p, allowDataSet: false) }
            }
            if let cNode = value("constraints") {
                let top = try readConstraints(cNode, phase: 0, allowDataSet: true)
                if phases.count > 1, let c = top.first(where: { !$0.variable.isDataSetVariable }) {
                    throw RoentgenError(.badFile, "constraint \(c.variable): with several phases, phase variables go under their phase's 'constraints'", file: file, line: Int(c.source?.split(separator: ":").last ?? "") )
                }
                constraints += top
            }
            // Parameters.
            var parameters: [PDFFitProblem.Parameter] = []
            if let pNode = value("parameters") {
                for entry in try mapping(pNode, "parameters") {
                    if entry.value.mapping != nil {
                        let m = try mapping(entry.value, "parameter \(entry.key)")
                        func v(_ key: String) -> Node? { m.first { $0.key == key }?.value }
                        guard let start = v("value") ?? v("start") else { throw error(entry.value, "parameter \(entry.key): no 'value'") }
                        let vary = try v("vary").map { n -> Bool in
                            guard let b = n.bool else { throw error(n, "vary: expected true or false") }
                            return b
                        } ?? true
                        parameters.append(.init(entry.key, try number(start, entry.key), vary: vary,
                                                lower: try v("lower").map { try number($0, "lower") } ?? -.infinity,
                                                upper: try v("upper").map { try number($0, "upper") } ?? .infinity))
                    } else {
                        parameters.append(.init(entry.key, try number(entry.value, "parameter \(entry.key)")))
                    }
                }
            }
            let weights = PDFFitProblem.weights(dG: observed.dG, count: observed.r.count)
            let problem = PDFFitProblem(phases: phases, instrument: instrument, r: observed.r, gObserved: observed.g, weights: weights,
                                        fitMin: fitMin, fitMax: fitMax, parameters: parameters, constraints: constraints)
            // Validate constraints now, so errors name this file's lines.
            do {
                _ = try problem.parameterSet()
            } catch var e as RoentgenError {
                e.file = file
                if let c = constraints.first(where: { e.message.contains("constraint \($0.variable)") }), let line = c.source.flatMap({ Int($0.split(separator: ":").last ?? "") }) {
                    e.line = line
                }
                throw e
            }
            return PDFFitFile(problem: problem, title: title, dataFile: dataPath, structureFiles: structureFiles)
        }

        var placeholderPhase = PDFPhase(name: "", cell: UnitCell(a: 1, b: 1, c: 1, alpha: 90, beta: 90, gamma: 90), atoms: [])

        func readConstraints(_ node: Node, phase: Int, allowDataSet: Bool) throws -> [PDFFitProblem.Constraint] {
            try mapping(node, "constraints").map { entry in
                let variable: PDFfitVariable
                do {
                    variable = try PDFfitVariable(parsing: entry.key)
                } catch let e as RoentgenError {
                    throw RoentgenError.badFile(file, line: entry.line, e.message)
                }
                if variable.isDataSetVariable && !allowDataSet {
                    throw RoentgenError.badFile(file, line: entry.line, "\(variable) is a data-set variable: put it in the top-level 'constraints'")
                }
                let formula: String
                if let s = entry.value.string { formula = s } else { throw error(entry.value, "constraint \(entry.key): expected a formula such as '@3' or '1.0-@21'") }
                return PDFFitProblem.Constraint(variable, phase: phase, formula: formula, source: "\(file):\(entry.line ?? 0)")
            }
        }
    }

    /// r, G and dG (when the file has them) of a G(r) file.
    public static func readData(_ path: String) throws -> (r: [Double], g: [Double], dG: [Double]?) {
        let file = try FormatRegistry.read(URL(fileURLWithPath: path))
        guard let scan = file.scans.first else { throw RoentgenError(.badData, "no data columns", file: path) }
        guard let r = scan.columns["r"] else {
            throw RoentgenError(.badData, "no r column (expected a G(r) file: r and G columns, e.g. .gr; found \(scan.columns.keys.joined(separator: ", ")))", file: path)
        }
        guard let g = scan.columns["g_r"] else { throw RoentgenError(.badData, "no G(r) column (found \(scan.columns.keys.joined(separator: ", ")))", file: path) }
        // PDFfit2 reads dG from the last of 3 or 4 columns.
        let names = Array(scan.columns.keys)
        var dG: [Double]?
        if names.count == 3 || names.count == 4 { dG = scan.columns[names[names.count - 1]] }
        do {
            _ = try PDFGrid(r: r)
        } catch let e as RoentgenError {
            throw RoentgenError(.badData, e.message, file: path)
        }
        return (r, g, dG)
    }

    /// A phase from a `.stru` (with its PDFfit settings) or a CIF (expanded to the unit cell).
    public static func readPhase(_ path: String) throws -> PDFPhase {
        let url = URL(fileURLWithPath: path)
        if url.pathExtension.lowercased() == "stru" {
            let s = try PDFfitStructure.read(url: url)
            guard s.ncell == [1, 1, 1] else { throw RoentgenError(.unsupportedFormat, "supercells (ncell \(s.ncell)) are not supported", file: path) }
            var phase = PDFPhase(name: s.structure.name, cell: s.structure.cell,
                                 atoms: s.structure.sites.map { PDFAtom(element: $0.element, fract: $0.fract, occupancy: $0.occupancy, u: $0.uAniso ?? [0, 0, 0, 0, 0, 0]) })
            phase.scale = s.scale; phase.delta1 = s.delta1; phase.delta2 = s.delta2
            phase.sratio = s.sratio; phase.rcut = s.rcut; phase.spdiameter = s.spdiameter; phase.stepcut = s.stepcut
            return phase
        }
        let structure = try CIF.readStructure(url: url)
        let phase = PDFPhase(structure: structure)
        guard !phase.atoms.isEmpty else { throw RoentgenError(.badData, "the structure has no atoms", file: path) }
        return phase
    }
}
