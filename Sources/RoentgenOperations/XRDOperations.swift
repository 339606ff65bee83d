import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// The diffraction verbs' work: `roentgen xrd simulate | peaks | identify` and the API's `/api/xrd/…`.
public enum XRDOperations {
    /// `xrd simulate`: the powder pattern (stick list, optionally a profile) of a CIF.
    public struct SimulateRequest: OperationRequest {
        public var cif: String
        public var wavelength = "CuKa"
        public var range = "5:90"
        public var debyeWaller = false
        public var isotropic = false
        public var anomalous = false
        public var monochromator: Double?
        /// Profile widths U,V,W in degrees².
        public var caglioti: String?
        /// Crystallite size, nm.
        public var size: Double?
        public var doublet = false
        public var step = 0.01
        public init(cif: String) { self.cif = cif }
        public static var defaults: SimulateRequest { SimulateRequest(cif: "") }
    }

    public struct Simulation: @unchecked Sendable {
        public var structure: CrystalStructure
        public var pattern: SimulatedPattern
        public var options: SimulationOptions
        public var profile: (x: [Double], y: [Double])?
        /// The `--json` document.
        public var json: [String: Any]
    }

    public static func simulate(_ r: SimulateRequest) throws -> Simulation {
        let wavelength = try WavelengthSpec.parse(r.wavelength), range = try RangeText.parse(r.range)
        let uvw = try profileWidths(r, range: range)
        let structure = try CIF.readStructure(url: URL(fileURLWithPath: r.cif))
        var options = SimulationOptions(wavelength: wavelength, twoThetaRange: range,
                                        debyeWaller: r.debyeWaller, monochromatorTwoTheta: r.monochromator)
        options.anomalous = r.anomalous
        options.anisotropicDisplacement = !r.isotropic
        let pattern = try PowderSimulator.simulate(structure, options: options)
        var profile: (x: [Double], y: [Double])?
        if let uvw {
            var kAlpha2: Double?
            if r.doublet {
                let anode = String(r.wavelength.prefix(2))
                guard let lines = AnodeLines.anode(anode) else {
                    throw RoentgenError.badParameter("--doublet needs an anode line as --wavelength (CuKa1, MoKa1 …)")
                }
                kAlpha2 = lines.kAlpha2
            }
            profile = PowderProfile.profile(pattern, twoTheta: options.twoThetaRange, step: r.step, u: uvw[0], v: uvw[1], w: uvw[2],
                                            crystalliteSize: r.size, kAlpha2: kAlpha2)
        }
        var object: [String: Any] = [
            "wavelength": pattern.wavelength,
            "structure": ["name": structure.name, "formula": structure.cellFormula,
                          "space_group": structure.spaceGroupSymbol as Any, "warnings": structure.warnings + pattern.warnings],
            "peaks": pattern.peaks.map { ["two_theta": $0.twoTheta, "d": $0.d, "intensity": $0.intensity,
                                          "hkl": $0.hkl.map { [$0.x, $0.y, $0.z] }, "multiplicity": $0.multiplicity] as [String: Any] },
        ]
        if let profile { object["profile"] = ["two_theta": profile.x, "intensity": profile.y] }
        object["provenance"] = JSONDocument.provenance(files: [r.cif], parameters: [
            "wavelength": options.wavelength, "range": [options.twoThetaRange.lowerBound, options.twoThetaRange.upperBound],
            "debye_waller": r.debyeWaller, "anisotropic_displacement": r.debyeWaller && !r.isotropic, "anomalous": r.anomalous,
            "monochromator_two_theta": JSONDocument.number(r.monochromator), "merge_tolerance": options.mergeTolerance,
            "form_factors": "Waasmaier-Kirfel (XrayDB), neutral atoms" + (r.anomalous ? ", f′ f″ Chantler (XrayDB)" : ""), "symmetry": structure.operationsSource])
        return Simulation(structure: structure, pattern: pattern, options: options, profile: profile, json: object)
    }

    /// The profile's U, V, W (deg²) when a profile is asked for (`--caglioti`, `--size` or `--doublet`),
    /// with every profile option checked: finite U, V, W whose FWHM² = U·tan²θ + V·tanθ + W is not
    /// negative anywhere in the range, a crystallite size of at least 0.1 nm, and a step that gives
    /// 2 to 10⁷ points.
    static func profileWidths(_ r: SimulateRequest, range: ClosedRange<Double>) throws -> [Double]? {
        guard r.step > 0, r.step.isFinite else { throw RoentgenError.badParameter("--step \(r.step)°; expected a finite step > 0") }
        guard r.caglioti != nil || r.size != nil || r.doublet else { return nil }
        let uvw = try (r.caglioti ?? "0,0,0.0025").split(separator: ",").map { part -> Double in
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw RoentgenError.badParameter("--caglioti '\(r.caglioti ?? "")' must be three finite numbers U,V,W")
            }
            return v
        }
        guard uvw.count == 3 else { throw RoentgenError.badParameter("--caglioti needs three numbers U,V,W") }
        // The quadratic's least value over tanθ in the range (at an end or at its vertex).
        let t0 = tan(range.lowerBound * Double.pi / 360), t1 = tan(range.upperBound * Double.pi / 360)
        var ts = [t0, t1]
        if uvw[0] != 0 { let tv = -uvw[1] / (2 * uvw[0]); if tv > t0 && tv < t1 { ts.append(tv) } }
        if let t = ts.min(by: { uvw[0] * $0 * $0 + uvw[1] * $0 + uvw[2] < uvw[0] * $1 * $1 + uvw[1] * $1 + uvw[2] }),
           uvw[0] * t * t + uvw[1] * t + uvw[2] < 0 {
            throw RoentgenError.badParameter(String(format: "--caglioti %@: FWHM² = U·tan²θ + V·tanθ + W is negative at 2θ = %.2f°", r.caglioti ?? "", 360 / Double.pi * atan(t)))
        }
        for t in [t0, t1] where (uvw[0] * t * t + uvw[1] * t + uvw[2]).squareRoot() > 90 {
            throw RoentgenError.badParameter(String(format: "--caglioti %@: a FWHM of %.3g° at 2θ = %.2f° (at most 90° is a peak)", r.caglioti ?? "", (uvw[0] * t * t + uvw[1] * t + uvw[2]).squareRoot(), 360 / Double.pi * atan(t)))
        }
        if let size = r.size, !(size >= 0.1 && size.isFinite) { throw RoentgenError.badParameter("--size \(size) nm; expected a finite crystallite size of at least 0.1 nm") }
        let points = (range.upperBound - range.lowerBound) / r.step + 1
        guard r.step > 0, r.step.isFinite, points >= 2, points <= 1e7 else {
            throw RoentgenError.badParameter(String(format: "--step %g° gives %.3g points over %g…%g°; expected a positive step giving 2 to 10⁷ points", r.step, points, range.lowerBound, range.upperBound))
        }
        return uvw
    }

    /// Reads the first diffraction scan of `path` through the format registry.
    public static func readPattern(_ path: String) throws -> DiffractionPattern {
        let file = try FormatRegistry.read(URL(fileURLWithPath: path))
        guard let pattern = file.scans.lazy.compactMap(\.diffractionPattern).first else {
            if !file.structures.isEmpty {
                throw RoentgenError(.badData, "a crystal structure (format \(file.format)), not a measured pattern; `roentgen xrd simulate \(path)` computes its powder pattern", file: path)
            }
            throw RoentgenError(.badData, "no diffraction scan (two_theta, intensity) in the file (format \(file.format))", file: path)
        }
        return pattern
    }

    /// `xrd peaks`: SNIP background, peak search, pseudo-Voigt fits, Scherrer sizes.
    public struct PeaksRequest: OperationRequest {
        public var file: String
        public var wavelength: String?
        public var backgroundWidth = 2.0
        public var minHeight = 0.01
        public var instrumentalFwhm = 0.0
        public var noFit = false
        public var stripKalpha2 = false
        public init(file: String) { self.file = file }
        public static var defaults: PeaksRequest { PeaksRequest(file: "") }
    }

    public struct Peaks: @unchecked Sendable {
        /// The pattern analysed (after Kα2 stripping when asked).
        public var pattern: DiffractionPattern
        public var report: PeakReport
        public var json: [String: Any]
    }

    public static func peaks(_ r: PeaksRequest) throws -> Peaks {
        guard r.backgroundWidth > 0, r.backgroundWidth <= 90 else {
            throw RoentgenError.badParameter("--background-width \(r.backgroundWidth)°; expected a SNIP half-width above 0 and at most 90° 2θ")
        }
        guard r.minHeight >= 0, r.minHeight < 1 else {
            throw RoentgenError.badParameter("--min-height \(r.minHeight); expected a fraction of the strongest peak, 0 ≤ f < 1")
        }
        guard r.instrumentalFwhm >= 0, r.instrumentalFwhm < 10 else {
            throw RoentgenError.badParameter("--instrumental-fwhm \(r.instrumentalFwhm)°; expected 0 ≤ FWHM < 10°")
        }
        if let wavelength = r.wavelength { _ = try WavelengthSpec.parse(wavelength) }
        var pattern = try readPattern(r.file)
        if r.stripKalpha2 {
            let radiation: Radiation
            if let own = pattern.radiation, own.kAlpha2 != nil { radiation = own } else {
                guard let cu = AnodeLines.anode("Cu") else { throw RoentgenError.badParameter("no Cu anode lines") }
                radiation = cu.radiation
            }
            pattern.intensity = try PatternArithmetic.stripKAlpha2(pattern, kAlpha1: radiation.kAlpha1 ?? 0, kAlpha2: radiation.kAlpha2 ?? 0,
                                                                   ratio: radiation.kAlpha2Ratio ?? AnodeLines.kAlpha2Ratio)
        }
        var options = PeakOptions()
        options.backgroundWidth = r.backgroundWidth
        options.minimumRelativeHeight = r.minHeight
        options.instrumentalFWHM = r.instrumentalFwhm
        options.fit = !r.noFit
        if let wavelength = r.wavelength { options.wavelength = try WavelengthSpec.parse(wavelength) }
        let report: PeakReport
        do { report = try PeakAnalysis.analyze(pattern, options: options) } catch var error as RoentgenError {
            if error.file == nil { error.file = r.file }
            throw error
        }
        let n = JSONDocument.number
        let json: [String: Any] = [
            "file": r.file,
            "provenance": JSONDocument.provenance(files: [r.file], parameters: [
                "background": "SNIP", "background_width": r.backgroundWidth, "min_height": r.minHeight, "fit": !r.noFit,
                "profile": "pseudo-Voigt", "instrumental_fwhm": r.instrumentalFwhm, "scherrer_k": options.scherrerK,
                "strip_kalpha2": r.stripKalpha2, "smoothing_half_width": options.smoothingHalfWidth, "significance": options.significance]),
            "wavelength": n(report.wavelength),
            "noise": report.noise,
            "peaks": report.peaks.map { p -> [String: Any] in
                ["two_theta": p.twoTheta, "two_theta_error": n(p.twoThetaError), "d": n(p.d),
                 "height": p.height, "area": p.area, "area_error": n(p.areaError), "fwhm": p.fwhm,
                 "fwhm_error": n(p.fwhmError), "eta": n(p.eta), "crystallite_size_nm": n(p.crystalliteSize)]
            },
        ]
        return Peaks(pattern: pattern, report: report, json: json)
    }

    /// Builds a reference library from CIF files, folders of CIFs, archives, measured reference
    /// patterns and stored libraries (`.rxl`). Unreadable candidates are skipped and listed in `skipped`.
    public static func buildLibrary(_ inputs: [String]) throws -> (library: ReferenceLibrary, skipped: [String]) {
        var library = ReferenceLibrary()
        var skipped: [String] = []
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw RoentgenError(.io, "no such file or folder", file: input)
            }
            if isDirectory.boolValue {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
                files += entries.filter { !$0.hasPrefix(".") && !$0.lowercased().hasSuffix(".md") }.sorted()
                    .map { (input as NSString).appendingPathComponent($0) }
            } else {
                files.append(input)
            }
        }
        for file in files {
            if file.lowercased().hasSuffix(".rxl") {
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) } catch {
                    throw RoentgenError(.io, "cannot read: \(error.localizedDescription)", file: file)
                }
                let stored = try ReferenceLibrary(serialized: data, file: file)
                // One stored library is used in place (memory-mapped); several are concatenated.
                if files.count == 1 { return (stored, skipped) }
                library.append(contentsOf: stored)
                continue
            }
            do {
                if file.lowercased().hasSuffix(".cif") {
                    guard let bytes = FileManager.default.contents(atPath: file) else { throw RoentgenError(.io, "file is not readable", file: file) }
                    try library.append(name: file, source: CIFSourceTags.describe(bytes), structure: try CIF.readStructure(data: bytes, file: file))
                } else {
                    // Structures (e.g. a zip or tar of CIFs) or measured reference patterns, whose
                    // fitted peaks become the reference lines; archives give one candidate per entry.
                    let data = try FormatRegistry.read(URL(fileURLWithPath: file))
                    let patterns = data.scans.compactMap(\.diffractionPattern)
                    if data.structures.isEmpty && patterns.isEmpty {
                        throw RoentgenError(.badData, "no crystal structure or diffraction pattern in the file (format \(data.format))", file: file)
                    }
                    for structure in data.structures {
                        do {
                            try library.append(name: data.structures.count == 1 ? file : "\(file)!/\(structure.name)", structure: structure)
                        } catch let error as RoentgenError {
                            skipped.append("skipped candidate \(file)!/\(structure.name): \(error)")
                        }
                    }
                    for pattern in data.structures.isEmpty ? patterns : [] {
                        do {
                            let peaks = try PeakAnalysis.analyze(pattern).peaks
                            library.append(name: patterns.count == 1 ? file : "\(file)!/\(pattern.name)", label: pattern.name, peaks: peaks,
                                           wavelength: pattern.radiation?.kAlpha1 ?? 1.5406)
                        } catch let error as RoentgenError {
                            skipped.append("skipped candidate \(file)!/\(pattern.name): \(error)")
                        }
                    }
                }
            } catch let error as RoentgenError {
                skipped.append("skipped candidate: \(error)")
            }
        }
        guard library.count > 0 else {
            throw RoentgenError.badParameter("no readable candidates among \(inputs.joined(separator: ", ")) (expected CIF files, folders or archives of CIFs, reference patterns or .rxl libraries)")
        }
        return (library, skipped)
    }

    /// `xrd identify`: rank candidates against a measured pattern and find the phases present.
    public struct IdentifyRequest: OperationRequest {
        public var file: String
        public var candidates: [String] = []
        public var top = 10
        public var wavelength: String?
        public var range = "10:80"
        public var maxShift = 0.3
        /// Refine the phases present with the Rietveld model and judge further candidates by refinement.
        public var refine = false
        /// With `refine`: GSAS .prm / GSAS-II .instprm instrument file, and Chebyshev background terms.
        public var instrument: String?
        public var background = 6
        public init(file: String) { self.file = file }
        public static var defaults: IdentifyRequest { IdentifyRequest(file: "") }
    }

    public struct Identification: @unchecked Sendable {
        public var result: IdentificationResult
        public var library: ReferenceLibrary
        public var skipped: [String]
        /// With `refine`: the Rietveld refinement and the candidates' tests.
        public var refinement: IdentifyRefinement?
        public var json: [String: Any]
    }

    public static func identify(_ r: IdentifyRequest) throws -> Identification {
        guard !r.candidates.isEmpty else { throw RoentgenError.badParameter("--candidates is required (CIF files, folders or .rxl libraries)") }
        let ranked = IdentificationOptions.rankedRange, shifts = IdentificationOptions.maxShiftRange
        guard ranked.contains(r.top) else { throw RoentgenError.badParameter("--top \(r.top); expected \(ranked.lowerBound)…\(ranked.upperBound) candidates") }
        guard shifts.contains(r.maxShift) else {
            throw RoentgenError.badParameter("--max-shift \(r.maxShift)°; expected a 2θ shift of \(Int(shifts.lowerBound))…\(Int(shifts.upperBound))°")
        }
        guard r.background >= 1, r.background <= 36 else { throw RoentgenError.badParameter("--background \(r.background); expected 1…36 Chebyshev terms") }
        let window = try RangeText.twoTheta(r.range)
        if let wavelength = r.wavelength { _ = try WavelengthSpec.parse(wavelength) }
        let pattern = try readPattern(r.file)
        let (library, skipped) = try buildLibrary(r.candidates)
        var options = IdentificationOptions()
        options.window = window
        options.maxShift = r.maxShift
        options.refineCount = max(options.refineCount, r.top)
        if let wavelength = r.wavelength { options.wavelength = try WavelengthSpec.parse(wavelength) }
        let result: IdentificationResult
        do { result = try PhaseIdentifier.identify(pattern, library: library, options: options) } catch var error as RoentgenError {
            if error.file == nil { error.file = r.file }
            throw error
        }
        let refinement = r.refine ? try refineIdentified(r, pattern: pattern, result: result, library: library) : nil
        var json: [String: Any] = [
            "provenance": JSONDocument.provenance(files: [r.file], parameters: [
                "candidates": r.candidates, "references": library.count, "range": [options.window.lowerBound, options.window.upperBound],
                "max_shift": options.maxShift, "refined": options.refineCount, "max_phases": options.maxPhases,
                "min_phase_gain": options.minPhaseGain, "min_line_coverage": options.minLineCoverage,
                "refine": r.refine, "instrument": r.instrument as Any, "background_terms": r.background]),
            "file": r.file, "wavelength": result.wavelength, "fwhm": result.fwhm, "residual": result.residual,
            "ranking": result.ranking.prefix(r.top).map { ["candidate": $0.name, "score": $0.score, "shift": $0.shift,
                                                           "present": $0.present, "formula": library.formulas[$0.index],
                                                           "source": library.sources[$0.index]] as [String: Any] },
            "phases": result.phases.map { ["candidate": $0.name, "formula": $0.formula, "fraction": $0.fraction, "scale": $0.scale,
                                           "shift": $0.shift, "score": $0.score] as [String: Any] },
        ]
        if let refinement { json["refinement"] = refinementJSON(refinement) }
        return Identification(result: result, library: library, skipped: skipped, refinement: refinement, json: json)
    }
}
