import Foundation
import XrayCore
import Yams

/// A Rietveld refinement file (YAML), as written: paths are resolved against the file's folder, and
/// every entry keeps its line so that errors can name it.
///
/// ```yaml
/// data: ../../../shared/data/xrd/rietveld/pbso4_xray/PBSO4.XRA
/// instrument: {file: INST_XRY.PRM, lambda1: 1.5405, lambda2: 1.5443, ratio: 0.5, polarization: 0.7, goniometer_radius: 200}
/// range: [9.99, 159.98]
/// exclude: [[30.0, 31.0]]
/// background: 6
/// phases:
///   - {cif: PbSO4-Wyckoff.cif, name: PbSO4, uiso: 0.01, anomalous: {Pb: [-4.0753, 8.506]}, preferred_orientation: [0, 0, 1],
///      anisotropic: [Pb, S]}
/// parameters: {U: 2.0, W: {value: 5, lower: 0}, Y: {expression: "X"}}
/// steps:
///   - {name: scale+background, release: [scale, background]}
/// ```
public struct RietveldRecipe: Sendable {
    /// A value and the 1-based line it came from.
    public struct Located<T: Sendable>: Sendable {
        public var value: T
        public var line: Int
    }
    public struct Phase: Sendable {
        public var cif: URL
        public var name: String?
        public var uiso: Double?
        public var anomalous: [String: (fPrime: Double, fDoublePrime: Double)]
        public var preferredOrientation: SIMD3<Int>?
        /// Labels of the sites refined with anisotropic displacements.
        public var anisotropic: [String] = []
        public var line: Int
    }
    public struct ParameterEntry: Sendable {
        public var name: String
        public var value: Double?
        public var lower: Double?, upper: Double?
        public var expression: String?
        public var vary: Bool?
        public var line: Int
    }
    public struct Step: Sendable {
        public var name: String
        public var release: [Located<String>]
        public var line: Int
    }

    public var file: String
    public var data: URL
    public var instrumentFile: URL?
    public var lambda1: Double?, lambda2: Double?, ratio: Double?, polarization: Double?
    public var goniometerRadius: Double
    public var range: ClosedRange<Double>?
    public var excluded: [ClosedRange<Double>]
    public var backgroundTerms: Int
    public var phases: [Phase]
    public var parameters: [ParameterEntry]
    public var steps: [Step]
    public var repeatLast: Bool

    /// Reads and checks a refinement file; errors name the file and line.
    public static func read(_ url: URL) throws -> RietveldRecipe {
        // Absolute first: paths in the file are relative to its folder, wherever the command runs from.
        let url = url.absoluteURL.standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw RoentgenError(.io, "refinement file is not readable", file: url.path)
        }
        return try parse(text, file: url.path, folder: url.deletingLastPathComponent())
    }

    /// Parses the YAML text of a refinement file; relative paths are resolved against `folder`.
    public static func parse(_ text: String, file: String, folder: URL) throws -> RietveldRecipe {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw RoentgenError.badFile(file, line: 1, "empty refinement file") }
            root = node
        } catch let error as RoentgenError {
            throw error
        } catch {
            throw RoentgenError.badFile(file, line: 1, "not valid YAML: \(error)")
        }
        func fail(_ node: Node?, _ message: String) -> RoentgenError {
            RoentgenError.badFile(file, line: (node?.mark?.line ?? root.mark?.line ?? 0), message)
        }
        guard let top = root.mapping else { throw fail(root, "expected a mapping of keys (data, instrument, phases, …)") }
        let known: Set<String> = ["data", "instrument", "range", "exclude", "background", "phases", "parameters", "steps", "repeat_last"]
        for (key, _) in top {
            guard let k = key.string, known.contains(k) else {
                throw fail(key, "unknown key '\(key.string ?? "?")' (expected one of \(known.sorted().joined(separator: ", ")))")
            }
        }
        func number(_ node: Node?, _ what: String) throws -> Double {
            guard let node, let v = node.float ?? node.int.map(Double.init) ?? Double(node.string ?? ""), v.isFinite else {
                throw fail(node, "\(what) must be a finite number")
            }
            return v
        }
        func within(_ node: Node?, _ what: String, _ range: ClosedRange<Double>, _ meaning: String) throws -> Double {
            let v = try number(node, what)
            guard range.contains(v) else { throw fail(node, "\(what) \(v): expected \(meaning) in \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        func wavelength(_ node: Node?, _ what: String) throws -> Double {
            let v = try number(node, what)
            guard WavelengthSpec.plausible.contains(v) else {
                throw fail(node, "\(what) \(v) Å: not a plausible X-ray or neutron wavelength (\(WavelengthSpec.plausible.lowerBound)–\(WavelengthSpec.plausible.upperBound) Å)")
            }
            return v
        }
        func path(_ node: Node?, _ what: String) throws -> URL {
            guard let s = node?.string, !s.isEmpty else { throw fail(node, "\(what) must be a file path") }
            return s.hasPrefix("/") ? URL(fileURLWithPath: s) : folder.appendingPathComponent(s).standardized
        }
        func pair(_ node: Node?, _ what: String) throws -> ClosedRange<Double> {
            guard let seq = node?.sequence, seq.count == 2 else { throw fail(node, "\(what) must be [low, high] in degrees") }
            let lo = try number(seq[0], what), hi = try number(seq[1], what)
            guard lo < hi else { throw fail(node, "\(what): low must be below high") }
            guard lo >= 0, hi <= 180 else { throw fail(node, "\(what): 2θ lies within 0…180°") }
            return lo...hi
        }
        let dataURL = try path(top["data"], "data")
        var recipe = RietveldRecipe(file: file, data: dataURL, goniometerRadius: 200, excluded: [], backgroundTerms: 6,
                                    phases: [], parameters: [], steps: [], repeatLast: true)
        if let inst = top["instrument"] {
            if inst.string != nil {
                recipe.instrumentFile = try path(inst, "instrument")
            } else if let m = inst.mapping {
                for (key, value) in m {
                    switch key.string ?? "" {
                    case "file": recipe.instrumentFile = try path(value, "instrument file")
                    case "lambda1", "wavelength": recipe.lambda1 = try wavelength(value, "lambda1")
                    case "lambda2": recipe.lambda2 = try wavelength(value, "lambda2")
                    case "ratio": recipe.ratio = try within(value, "ratio", 0...1, "the Kα2/Kα1 intensity ratio")
                    case "polarization", "polarisation": recipe.polarization = try within(value, "polarization", 0...1, "a polarisation fraction (GSAS-II's Polariz.)")
                    case "goniometer_radius": recipe.goniometerRadius = try within(value, "goniometer_radius", 1...10_000, "a radius in mm")
                    default: throw fail(key, "unknown instrument key '\(key.string ?? "?")' (file, lambda1, lambda2, ratio, polarization, goniometer_radius)")
                    }
                }
            } else { throw fail(inst, "instrument must be a file path or a mapping") }
        }
        if let r = top["range"] { recipe.range = try pair(r, "range") }
        if let ex = top["exclude"] {
            guard let seq = ex.sequence else { throw fail(ex, "exclude must be a list of [low, high]") }
            recipe.excluded = try seq.map { try pair($0, "excluded region") }
        }
        if let b = top["background"] {
            guard let n = b.int, n >= 1, n <= 36 else { throw fail(b, "background must be the number of Chebyshev terms (1…36)") }
            recipe.backgroundTerms = n
        }
        guard let phases = top["phases"]?.sequence, !phases.isEmpty else {
            throw fail(top["phases"] ?? root, "phases must list at least one phase ({cif: FILE})")
        }
        for node in phases {
            guard let m = node.mapping else { throw fail(node, "a phase must be a mapping with cif: FILE") }
            var phase = Phase(cif: try path(m["cif"], "phase cif"), name: m["name"]?.string, uiso: nil, anomalous: [:],
                              preferredOrientation: nil, line: node.mark?.line ?? 0)
            for (key, value) in m {
                switch key.string ?? "" {
                case "cif", "name": continue
                case "uiso": phase.uiso = try number(value, "uiso")
                case "anomalous":
                    guard let am = value.mapping else { throw fail(value, "anomalous must map elements to [f′, f″]") }
                    for (el, v) in am {
                        guard let seq = v.sequence, seq.count == 2, let sym = el.string else { throw fail(v, "anomalous \(el.string ?? "?"): expected [f′, f″]") }
                        phase.anomalous[sym] = (try number(seq[0], "f′"), try number(seq[1], "f″"))
                    }
                case "preferred_orientation":
                    guard let seq = value.sequence, seq.count == 3, let h = seq[0].int, let k = seq[1].int, let l = seq[2].int,
                          h != 0 || k != 0 || l != 0 else {
                        throw fail(value, "preferred_orientation must be a reciprocal-lattice direction [h, k, l]")
                    }
                    phase.preferredOrientation = SIMD3(h, k, l)
                case "anisotropic":
                    guard let seq = value.sequence, let labels = Optional(seq.compactMap(\.string)), labels.count == seq.count else {
                        throw fail(value, "anisotropic must list site labels ([Pb, S])")
                    }
                    phase.anisotropic = labels
                default: throw fail(key, "unknown phase key '\(key.string ?? "?")' (cif, name, uiso, anomalous, preferred_orientation, anisotropic)")
                }
            }
            recipe.phases.append(phase)
        }
        if let params = top["parameters"] {
            guard let m = params.mapping else { throw fail(params, "parameters must map names to values or {value, lower, upper, expression, vary}") }
            for (key, value) in m {
                guard let name = key.string else { throw fail(key, "parameter names must be text") }
                var entry = ParameterEntry(name: name, line: key.mark?.line ?? 0)
                if let vm = value.mapping {
                    for (k, v) in vm {
                        switch k.string ?? "" {
                        case "value": entry.value = try number(v, "\(name).value")
                        case "lower": entry.lower = try number(v, "\(name).lower")
                        case "upper": entry.upper = try number(v, "\(name).upper")
                        case "expression": entry.expression = v.string
                        case "vary": entry.vary = v.bool
                        default: throw fail(k, "parameter \(name): unknown key '\(k.string ?? "?")' (value, lower, upper, expression, vary)")
                        }
                    }
                } else {
                    entry.value = try number(value, name)
                }
                recipe.parameters.append(entry)
            }
        }
        if let steps = top["steps"] {
            guard let seq = steps.sequence else { throw fail(steps, "steps must be a list of {name, release: [...]}") }
            for (i, node) in seq.enumerated() {
                guard let m = node.mapping else { throw fail(node, "a step must be {name, release: [...]}") }
                let release = try (m["release"]?.sequence ?? []).map { item -> Located<String> in
                    guard let s = item.string else { throw fail(item, "release entries are parameter names") }
                    return Located(value: s, line: item.mark?.line ?? 0)
                }
                recipe.steps.append(Step(name: m["name"]?.string ?? "step \(i + 1)", release: release, line: node.mark?.line ?? 0))
            }
        }
        if let r = top["repeat_last"] {
            guard let b = r.bool else { throw fail(r, "repeat_last must be true or false") }
            recipe.repeatLast = b
        }
        return recipe
    }
}
