import Diffraction
import Foundation
import Refinement
import XrayCore
import XrayFormats

/// `xrd identify --refine`: the phases the search-match judged present, refined together with the
/// Rietveld model, and further candidates judged by refining them in (`RefinedPhaseSearch`).
extension XRDOperations {
    /// The refinement part of an identification.
    public struct IdentifyRefinement: Sendable {
        public var search: PhaseSearchResult
        /// Where the wavelengths came from (instrument file, the data file, or the Cu Kα doublet assumed).
        public var instrumentSource: String
        /// Library names of the phases in the final model, in model order.
        public var candidateNames: [String]
        /// Candidates that could not be refined (no crystal structure), with the reason.
        public var skipped: [String]
    }

    /// The Rietveld instrument for `pattern`: an instrument file's bank 1, else the file's Kα1/Kα2,
    /// else `--wavelength` (monochromatic), else the Cu Kα1/Kα2 doublet the search-match also assumes.
    static func identifyInstrument(_ r: IdentifyRequest, pattern: DiffractionPattern) throws -> (RietveldInstrument, String) {
        if let file = r.instrument {
            let bank = try GSASInstrumentParameters.read(URL(fileURLWithPath: file)).bank(1)
            guard let l1 = bank?.lambda1 else { throw RoentgenError(.badData, "the instrument file gives no wavelength (Lam1 / ICONS)", file: file) }
            return (RietveldInstrument(lambda1: l1, lambda2: bank?.lambda2, intensityRatio: bank?.intensityRatio ?? 0.5,
                                       polarization: bank?.polarization ?? 0.5), "instrument file \(file)")
        }
        if r.wavelength == nil, let radiation = pattern.radiation, let l1 = radiation.kAlpha1 {
            return (RietveldInstrument(lambda1: l1, lambda2: radiation.kAlpha2, intensityRatio: radiation.kAlpha2Ratio ?? 0.5),
                    "the data file's wavelengths")
        }
        if let text = r.wavelength {
            return (RietveldInstrument(lambda1: try WavelengthSpec.parse(text)), "--wavelength \(text) (monochromatic)")
        }
        guard let cu = AnodeLines.anode("Cu") else { throw RoentgenError.badParameter("no Cu anode lines") }
        return (RietveldInstrument(lambda1: cu.kAlpha1, lambda2: cu.kAlpha2, intensityRatio: AnodeLines.kAlpha2Ratio),
                "assumed Cu Kα1/Kα2 (the file gives no wavelength; --instrument or --wavelength sets it)")
    }

    /// The crystal structure of library entry `name` (a CIF path, or `ARCHIVE!/block`), nil when it has none.
    static func candidateStructure(_ name: String) throws -> CrystalStructure? {
        if name.lowercased().hasSuffix(".cif"), FileManager.default.fileExists(atPath: name) {
            return try CIF.readStructure(url: URL(fileURLWithPath: name))
        }
        if let bang = name.range(of: "!/") {
            let file = String(name[..<bang.lowerBound]), block = String(name[bang.upperBound...])
            return try FormatRegistry.read(URL(fileURLWithPath: file)).structures.first { $0.name == block }
        }
        return nil
    }

    /// Refines the identified phases and searches the other candidates (all of a library of up to 100,
    /// else the ranked ones) by refinement.
    static func refineIdentified(_ r: IdentifyRequest, pattern: DiffractionPattern, result: IdentificationResult,
                                 library: ReferenceLibrary) throws -> IdentifyRefinement {
        guard !result.phases.isEmpty else { throw RoentgenError(.badData, "no phase judged present: nothing to refine", file: r.file) }
        let (instrument, source) = try identifyInstrument(r, pattern: pattern)
        var skipped: [String] = []
        var used = Set<String>()
        func phase(_ index: Int) throws -> RietveldPhase? {
            let name = library.names[index]
            guard let structure = try candidateStructure(name), !structure.sites.isEmpty else {
                skipped.append("\(name): no crystal structure with atom sites, not refined")
                return nil
            }
            // Phases are named by file stem (data block names repeat across CIFs: MnO2, TiO2 …).
            let base = name.contains("!/") ? structure.name : ((name as NSString).lastPathComponent as NSString).deletingPathExtension
            var label = base, n = 2
            while !used.insert(RietveldPhase.identifier(label)).inserted { label = "\(base)_\(n)"; n += 1 }
            // A structure written in P1 is refined with the symmetry its atoms have.
            return RietveldPhase(name: label, structure: HiddenLatticeSymmetry.symmetrized(structure) ?? structure)
        }
        var present: [RietveldPhase] = [], names: [String: String] = [:]
        var seen = Set<Int>()
        for p in result.phases where seen.insert(p.index).inserted {
            guard let ph = try phase(p.index) else {
                throw RoentgenError(.badParameter, "phase judged present '\(p.name)' has no crystal structure: --refine needs CIF candidates")
            }
            present.append(ph); names[ph.name] = p.name
        }
        let pool = library.count <= 100 ? Array(0..<library.count) : result.ranking.map(\.index)
        var candidates: [RietveldPhase] = []
        for i in pool where !result.phases.contains(where: { $0.index == i }) {
            if let ph = try phase(i) { candidates.append(ph); names[ph.name] = library.names[i] }
        }
        var options = PhaseSearchOptions()
        options.backgroundTerms = r.background
        options.range = try RangeText.parse(r.range)
        let search: PhaseSearchResult
        do {
            search = try RefinedPhaseSearch.run(twoTheta: pattern.twoTheta, observed: pattern.intensity, instrument: instrument,
                                                present: present, candidates: candidates, options: options)
        } catch var error as RoentgenError {
            if error.file == nil { error.file = r.file }
            throw error
        }
        return IdentifyRefinement(search: search, instrumentSource: source,
                                  candidateNames: search.model.phases.map { names[$0.name] ?? $0.name }, skipped: skipped)
    }

    /// The `refinement` object of `identify --refine --json`.
    static func refinementJSON(_ x: IdentifyRefinement) -> [String: Any] {
        let s = x.search.result.statistics
        let n = JSONDocument.number
        let phases: [[String: Any]] = x.search.model.phases.enumerated().map { i, phase in
            ["name": phase.name, "candidate": x.candidateNames[i], "weight_fraction": x.search.result.weightFractions[i].value,
             "weight_fraction_esd": x.search.result.weightFractions[i].esd]
        }
        let candidates: [[String: Any]] = x.search.candidates.map { c in
            var d: [String: Any] = ["name": c.name, "round": c.round, "scan_gain": c.scanGain, "cell_scale": c.cellScale,
                                    "rwp_without": c.rwpWithout, "rwp_with": n(c.rwpWith), "accepted": c.accepted]
            if let t = c.test {
                d["test"] = ["ratio": t.ratio, "critical": t.critical, "added_parameters": t.addedParameters,
                             "degrees_of_freedom": t.degreesOfFreedom, "n_points": t.observations,
                             "serial_correlation": t.serialCorrelation, "alpha": t.alpha, "significant": t.significant] as [String: Any]
            }
            if let w = c.weightFraction { d["weight_fraction"] = w.value; d["weight_fraction_esd"] = w.esd }
            if let share = c.ownLineShare { d["own_line_share"] = share }
            if !c.note.isEmpty { d["note"] = c.note }
            return d
        }
        return ["rwp": s.rwp, "rp": s.rp, "rexp": s.rexp, "gof": s.gof, "chi2": s.chi2, "n_points": s.nPoints,
                "n_parameters": s.nParameters, "converged": x.search.result.refinement.converged,
                "strategy": x.search.strategy, "test": x.search.testDescription, "instrument": x.instrumentSource,
                "phases": phases, "candidates": candidates, "skipped": x.skipped]
    }
}
