import Diffraction
import Foundation
import Refinement
import XrayCore
import XrayFormats

/// A refinement ready to run: the model, its parameters and release steps, built from a refinement
/// file (`RietveldRecipe`) or from the quick form's files. File reading happens here; the model and
/// the refinement are library code (Diffraction, Refinement).
public struct RietveldSetup: Sendable {
    public var model: RietveldModel
    public var parameters: ParameterSet
    public var steps: [RefinementStep]
    public var repeatLast: Bool
    public var provenance: Provenance
    /// Human-readable strategy (printed by the quick form).
    public var strategy: [String]

    /// Builds the setup of a refinement file; errors name the file and line.
    public static func load(_ recipe: RietveldRecipe) throws -> RietveldSetup {
        let data = try readPattern(recipe.data, instrumentFile: recipe.instrumentFile)
        let bank = try recipe.instrumentFile.map { try GSASInstrumentParameters.read($0) }?.bank(1)
        guard let lambda1 = recipe.lambda1 ?? bank?.lambda1 ?? data.pattern.radiation?.kAlpha1 else {
            throw RoentgenError.badFile(recipe.file, line: 1, "\(recipe.data.lastPathComponent) carries no wavelength and no instrument file gives one: add instrument: {file: FILE.prm} or instrument: {lambda1: Å}")
        }
        let lambda2 = recipe.lambda2 ?? bank?.lambda2 ?? (recipe.lambda1 == nil ? data.pattern.radiation?.kAlpha2 : nil)
        let instrument = RietveldInstrument(
            lambda1: lambda1, lambda2: lambda2, intensityRatio: recipe.ratio ?? bank?.intensityRatio ?? data.pattern.radiation?.kAlpha2Ratio ?? 0.5,
            polarization: recipe.polarization ?? bank?.polarization ?? 0.5, goniometerRadius: recipe.goniometerRadius)
        var phases: [RietveldPhase] = []
        for p in recipe.phases {
            var structure = try readStructure(p.cif)
            if let u = p.uiso { for i in structure.sites.indices { structure.sites[i].uIso = u; structure.sites[i].uAniso = nil } }
            let anomalous = p.anomalous.mapValues { AnomalousScatteringFactor(fPrime: $0.fPrime, fDoublePrime: $0.fDoublePrime) }
            phases.append(RietveldPhase(name: p.name, structure: structure, preferredOrientationAxis: p.preferredOrientation,
                                        anomalous: anomalous, anisotropicSites: Set(p.anisotropic)))
        }
        let model = try RietveldModel(twoTheta: data.pattern.twoTheta, observed: data.pattern.intensity, range: recipe.range,
                                      excludedRegions: recipe.excluded, instrument: instrument, phases: phases,
                                      backgroundTerms: recipe.backgroundTerms)
        var set = try model.defaultParameters()
        for entry in recipe.parameters {
            guard var p = set[entry.name] else {
                throw RoentgenError.badFile(recipe.file, line: entry.line, "unknown parameter '\(entry.name)' (known: \(set.names.joined(separator: ", ")))")
            }
            if let e = entry.expression { p = Parameter(entry.name, expression: e) } else {
                if let v = entry.value { p.value = v }
                if let v = entry.lower { p.lower = v }
                if let v = entry.upper { p.upper = v }
                if let v = entry.vary { p.vary = v }
                // A start outside the bounds (W < 0, SH_L < 0 …) is refused here; the refinement would
                // only report a singular matrix for a parameter pinned at its bound.
                guard p.value >= p.lower, p.value <= p.upper else {
                    throw RoentgenError.badFile(recipe.file, line: entry.line, "parameter '\(entry.name)' starts at \(p.value), outside its bounds \(p.lower)…\(p.upper)")
                }
            }
            set[entry.name] = p
        }
        var steps: [RefinementStep] = []
        for step in recipe.steps {
            var names: [String] = []
            for item in step.release {
                guard let expanded = expand(item.value, model: model, set: set) else {
                    throw RoentgenError.badFile(recipe.file, line: item.line, "unknown parameter '\(item.value)' in step '\(step.name)' (a name, or a group: background, cell, xyz, uiso, occupancy, fraction, size, preferred_orientation, profile, each optionally PHASE.group)")
                }
                names += expanded
            }
            steps.append(RefinementStep(step.name, release: names))
        }
        return RietveldSetup(model: model, parameters: set, steps: steps, repeatLast: recipe.repeatLast,
                             provenance: data.provenance, strategy: recipe.steps.map { "\($0.name): \($0.release.map(\.value).joined(separator: ", "))" })
    }

    /// The quick form: one data file, CIFs, an optional instrument file, N background terms, and the
    /// default strategy scale + background → cell + zero/displacement → profile (W, X, Y, then U, V, SH/L)
    /// → atoms (free coordinates and U_iso).
    public static func quick(data url: URL, cifs: [URL], instrumentFile: URL?, backgroundTerms: Int) throws -> RietveldSetup {
        let data = try readPattern(url, instrumentFile: instrumentFile)
        let bank = try instrumentFile.map { try GSASInstrumentParameters.read($0) }?.bank(1)
        guard let lambda1 = bank?.lambda1 ?? data.pattern.radiation?.kAlpha1 else {
            throw RoentgenError(.badParameter, "the data file carries no wavelength: give --instrument FILE (.prm or .instprm)", file: url.path)
        }
        let instrument = RietveldInstrument(lambda1: lambda1, lambda2: bank?.lambda2 ?? data.pattern.radiation?.kAlpha2,
                                            intensityRatio: bank?.intensityRatio ?? data.pattern.radiation?.kAlpha2Ratio ?? 0.5,
                                            polarization: bank?.polarization ?? 0.5)
        // Phases are named by their data block; a name met again gets _2, _3 … (TiO2 anatase and rutile).
        var used = Set<String>()
        let phases = try cifs.map { url -> RietveldPhase in
            // A structure written in P1 is refined with the symmetry its atoms have.
            let read = try readStructure(url)
            let structure = HiddenLatticeSymmetry.symmetrized(read) ?? read
            var name = structure.name, n = 2
            while !used.insert(RietveldPhase.identifier(name)).inserted { name = "\(structure.name)_\(n)"; n += 1 }
            return RietveldPhase(name: name, structure: structure)
        }
        let model = try RietveldModel(twoTheta: data.pattern.twoTheta, observed: data.pattern.intensity,
                                      instrument: instrument, phases: phases, backgroundTerms: backgroundTerms)
        let set = try model.defaultParameters()
        return RietveldSetup(model: model, parameters: set, steps: QuickRefinementStrategy.steps(model),
                             repeatLast: true, provenance: data.provenance,
                             strategy: QuickRefinementStrategy.description(model))
    }

    /// Expands a release entry: a parameter name or a group (optionally `PHASE.group`).
    static func expand(_ item: String, model: RietveldModel, set: ParameterSet) -> [String]? {
        if set[item] != nil { return [item] }
        var phaseIndices = Array(model.phases.indices)
        var group = item
        if let dot = item.lastIndex(of: ".") {
            let phaseName = String(item[..<dot])
            guard let i = model.phases.firstIndex(where: { $0.name == phaseName || $0.key == phaseName }) else { return nil }
            phaseIndices = [i]
            group = String(item[item.index(after: dot)...])
        }
        var out: [String] = []
        for i in phaseIndices {
            let k = model.phases[i].key
            let sites = model.siteKeys(phase: i)
            switch group {
            case "cell": out += model.freeCellNames(phase: i)
            case "xyz": out += model.freeCoordinateNames(phase: i)
            case "uiso": out += sites.map { "\(k)_\($0)_uiso" }.filter { set[$0]?.expression == nil }
            case "uij": out += model.freeAnisotropicNames(phase: i)
            case "occupancy": out += sites.map { "\(k)_\($0)_occ" }
            case "fraction": out.append("\(k)_fraction")
            case "size": out.append("\(k)_size_X")
            case "preferred_orientation": out.append("\(k)_md_r")
            case "background" where item == group: return (0..<model.backgroundTerms).map { "bkg_\($0)" }
            case "profile" where item == group: return ["U", "V", "W", "X", "Y", "SH_L"]
            default: return nil
            }
        }
        return out
    }

    struct LoadedPattern { var pattern: DiffractionPattern; var provenance: Provenance }

    static func readPattern(_ url: URL, instrumentFile: URL?) throws -> LoadedPattern {
        var file = try FormatRegistry.read(url, instrument: nil)
        if let instrumentFile, file.format == "gsas" {
            try GSASInstrumentParameters.read(instrumentFile).apply(to: &file, reason: "instrument file of the refinement")
        }
        guard let scan = file.scans.first, let pattern = scan.diffractionPattern else {
            throw RoentgenError(.badData, "no powder pattern in the file", file: url.path)
        }
        let sha = try SHA256.hex(ofFileAt: url)
        return LoadedPattern(pattern: pattern, provenance: Provenance(file: url.path, sha256: sha, reader: file.format, group: scan.name))
    }

    static func readStructure(_ url: URL) throws -> CrystalStructure {
        let s = try CIF.readStructure(url: url)
        guard !s.sites.isEmpty else { throw RoentgenError(.badData, "the CIF has no atom sites (_atom_site_ loop)", file: url.path) }
        return s
    }
}
