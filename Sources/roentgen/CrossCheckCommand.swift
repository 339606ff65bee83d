import ArgumentParser
import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// `roentgen crosscheck`: does XAS (species of one element) agree with diffraction (phase weight fractions)?
struct CrossCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crosscheck",
        abstract: "Compare an XAS LCF (species of one element) with a diffraction phase analysis (weight fractions).",
        discussion: """
        --xas takes the JSON of `xas lcf --json` or `xas match --lcf K --json` (the best fit); --xrd the JSON of \
        `xrd identify --json` (RIR weight fractions) or any JSON with phases[] holding a name (candidate/name/phase), \
        a weight fraction (fraction/weight_fraction, within 0…1) and optionally its uncertainty \
        (fraction_error/weight_fraction_esd, within 0…1; other values are refused, naming the field) \
        and a formula or CIF. Formulae come from the phases' CIFs (the candidate path), else from their formula field. \
        Weight fractions become the element's molar distribution x_p ∝ w_p·n_p/M_p. Standards are matched to phases \
        by formula (a token of the standard's name, e.g. Fe2O3_rt_01.xdi → Fe2O3) or by --map STANDARD=PHASE. \
        Test: z = (x_xas − x_xrd)/σ with σ² = σ_xas² + σ_xrd² + floor², Pearson χ² = Σz² with species − 1 degrees of \
        freedom; the two agree when p ≥ 0.05 and no |z| > 3.
        """
    )
    @Option(help: "XAS LCF result (JSON).") var xas: String
    @Option(help: "Diffraction quantitative result (JSON).") var xrd: String
    @Option(help: "The element whose species the LCF describes.") var element: String
    @Option(help: "Standard to phase, STANDARD=PHASE (repeat); PHASE is a phase name, file name or formula.") var map: [String] = []
    @Option(help: "Systematic uncertainty added in quadrature to every difference (fraction).") var floor = 0.02
    @Flag(help: "Print JSON.") var json = false

    func readJSON(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw RoentgenError(.io, "file is not readable", file: path) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RoentgenError(.badFile, "not a JSON object", file: path)
        }
        return object
    }

    func run() async throws {
        guard let el = Element.named(element) else { throw RoentgenError.badParameter("--element '\(element)' is not an element symbol") }
        guard floor >= 0, floor < 1 else { throw RoentgenError.badParameter("--floor \(floor); expected 0 ≤ floor < 1") }
        // XAS: the best fit.
        let xasDoc = try readJSON(xas)
        let fit = (xasDoc["fits"] as? [[String: Any]])?.first ?? (xasDoc["lcf"] as? [[String: Any]])?.first ?? xasDoc
        guard let names = fit["standards"] as? [String], let weights = fit["weights"] as? [Double], names.count == weights.count, !names.isEmpty else {
            throw RoentgenError(.badFile, "no LCF fit (standards and weights) found; expected the JSON of `xas lcf --json` or `xas match --lcf K --json`", file: xas)
        }
        let errors = (fit["weight_errors"] as? [Double]).flatMap { $0.count == names.count ? $0 : nil } ?? Array(repeating: 0, count: names.count)
        // Diffraction phases.
        let xrdDoc = try readJSON(xrd)
        guard let phaseObjects = xrdDoc["phases"] as? [[String: Any]], !phaseObjects.isEmpty else {
            throw RoentgenError(.badFile, "no phases[] found; expected the JSON of `xrd identify --json` or a Rietveld result", file: xrd)
        }
        var phases: [QuantifiedPhase] = []
        for (i, object) in phaseObjects.enumerated() {
            guard let name = (object["candidate"] ?? object["name"] ?? object["phase"]) as? String,
                  let w = (object["weight_fraction"] ?? object["fraction"]) as? Double else {
                throw RoentgenError(.badFile, "phases[\(i)] needs a name (candidate/name/phase) and a weight fraction (fraction/weight_fraction)", file: xrd)
            }
            let fractionKey = object["weight_fraction"] != nil ? "weight_fraction" : "fraction"
            guard w.isFinite, w >= 0, w <= 1 else {
                throw RoentgenError(.badFile, "phases[\(i)].\(fractionKey) is \(w); a weight fraction lies within 0…1", file: xrd)
            }
            let esdKey = ["weight_fraction_esd", "weight_fraction_error", "fraction_error", "fraction_esd"].first { object[$0] != nil }
            let sw = esdKey.flatMap { object[$0] as? Double } ?? 0
            if let esdKey, !(sw.isFinite && sw >= 0 && sw <= 1) {
                throw RoentgenError(.badFile, "phases[\(i)].\(esdKey) is \(sw); the uncertainty of a weight fraction lies within 0…1", file: xrd)
            }
            phases.append(QuantifiedPhase(name: name, formula: try phaseFormula(object, name: name, index: i), weightFraction: w, weightFractionError: sw))
        }
        // Standards → phases.
        var mapping: [String: String] = [:]
        for entry in map {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw RoentgenError.badParameter("--map '\(entry)'; expected STANDARD=PHASE") }
            mapping[parts[0]] = parts[1]
        }
        func phaseIndex(named text: String) -> Int? {
            phases.firstIndex { $0.name == text || ($0.name as NSString).lastPathComponent == text
                || (($0.name as NSString).lastPathComponent as NSString).deletingPathExtension == text }
                ?? (try? ChemicalFormula(text)).flatMap { f in phases.firstIndex { CrossCheck.standard(text, matches: $0.formula) && !f.amounts.isEmpty } }
        }
        var grouped = [[String]](repeating: [], count: phases.count)
        var unmatched: [String] = []
        var assignment: [Int?] = []
        for name in names {
            let short = (name as NSString).lastPathComponent
            var index: Int?
            if let target = mapping[name] ?? mapping[short] {
                guard let found = phaseIndex(named: target) else {
                    throw RoentgenError.badParameter("--map \(short)=\(target): no phase '\(target)'; phases: \(phases.map { ($0.name as NSString).lastPathComponent }.joined(separator: ", "))")
                }
                index = found
            } else {
                index = phases.firstIndex { CrossCheck.standard(short, matches: $0.formula) }
            }
            assignment.append(index)
            if let index { grouped[index].append(short) }
        }
        for (k, name) in names.enumerated() where assignment[k] == nil && weights[k] > 0.005 { unmatched.append((name as NSString).lastPathComponent) }
        guard unmatched.isEmpty else {
            throw RoentgenError.badParameter("LCF standards that match no phase: \(unmatched.joined(separator: ", ")) (phases: "
                + phases.map { "\(($0.name as NSString).lastPathComponent) [\(CrossCheck.text($0.formula))]" }.joined(separator: ", ")
                + "); name the phase with --map STANDARD=PHASE")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw RoentgenError(.badData, "the LCF weights sum to \(total); expected a positive sum", file: xas) }
        var xasFractions = [(fraction: Double, error: Double)](repeating: (0, 0), count: phases.count)
        for (k, index) in assignment.enumerated() {
            guard let index else { continue }
            xasFractions[index].fraction += weights[k] / total
            xasFractions[index].error = (xasFractions[index].error * xasFractions[index].error + pow(errors[k] / total, 2)).squareRoot()
        }
        let result = try CrossCheck.compare(element: el, phases: phases, standards: grouped, xas: xasFractions, floor: floor)
        if json {
            struct Doc: Encodable { var xas: String; var xrd: String; var result: CrossCheckResult; var mapping: [String: String] }
            try Output.printJSON(Doc(xas: xas, xrd: xrd, result: result, mapping: mapping))
            return
        }
        print("\(el.symbol) distribution over phases: XAS (\((xas as NSString).lastPathComponent)) vs diffraction (\((xrd as NSString).lastPathComponent))")
        print("  phase                      formula        XAS standards                       XAS              XRD              z")
        for row in result.rows {
            print("  " + Output.pad(Output.clip((row.phase as NSString).lastPathComponent, 26), 26) + " " + Output.pad(row.formula, 14) + " "
                  + Output.pad(Output.clip(row.standards.joined(separator: "+"), 34), 34)
                  + String(format: "  %.3f ± %.3f    %.3f ± %.3f    %+.2f", row.xas, row.xasError, row.xrd, row.xrdError, row.z))
        }
        print(String(format: "χ² = %.2f, %d degree(s) of freedom, p = %.3f (floor %.3f): %@", result.chiSquare, result.degreesOfFreedom, result.pValue,
                     result.floor, result.agree ? "AGREE" : "DISAGREE"))
    }

    /// The phase's composition: from its CIF (the name or a `cif` field, when a readable .cif), else its formula field.
    func phaseFormula(_ object: [String: Any], name: String, index: Int) throws -> ChemicalFormula {
        for path in [object["cif"] as? String, name].compactMap({ $0 }) where path.lowercased().hasSuffix(".cif") && FileManager.default.fileExists(atPath: path) {
            let structure = try CIF.readStructure(url: URL(fileURLWithPath: path))
            var amounts: [String: (Element, Double)] = [:]
            var order: [String] = []
            for atom in structure.unitCellAtoms() {
                if amounts[atom.element.symbol] == nil { order.append(atom.element.symbol); amounts[atom.element.symbol] = (atom.element, 0) }
                amounts[atom.element.symbol]!.1 += atom.occupancy
            }
            let text = order.map { "\($0)\(String(format: "%g", amounts[$0]!.1))" }.joined()
            return try ChemicalFormula(text)
        }
        guard let text = object["formula"] as? String, let f = try? ChemicalFormula(text.replacingOccurrences(of: " ", with: "")) else {
            throw RoentgenError(.badFile, "phases[\(index)] (\(name)): no readable CIF and no formula", file: xrd)
        }
        return f
    }
}
