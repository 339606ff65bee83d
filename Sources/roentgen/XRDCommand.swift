import ArgumentParser
import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// `roentgen xrd …`: powder diffraction simulation, peaks and phase identification.
struct XRD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xrd",
        abstract: "Powder diffraction: simulate from CIF, find and fit peaks, identify phases.",
        subcommands: [XRDSimulate.self, XRDPeaks.self, XRDIdentify.self, XRDLibrary.self]
    )
}

/// Writes `object` as pretty JSON with sorted keys to standard output.
func printJSONObject(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Parses `lo:hi` (degrees).
func parseRange(_ text: String) throws -> ClosedRange<Double> {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo < hi else {
        throw RoentgenError.badParameter("range '\(text)' not understood (expected start:end in degrees, e.g. 5:90)")
    }
    return lo...hi
}

func writeText(_ text: String, to path: String) throws {
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: path)
    }
}

struct XRDSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a powder pattern (stick list) from a CIF crystal structure."
    )

    @Argument(help: "CIF file.") var cif: String
    @Option(help: "Wavelength: Å (1.54184), a line (CuKa, CuKa1, MoKa, CoKb) or an energy (17keV).") var wavelength = "CuKa"
    @Option(help: "2θ range in degrees, start:end.") var range = "5:90"
    @Flag(help: "Apply Debye–Waller factors from the CIF's U/B values (off by default, like pymatgen); anisotropic U where given.") var debyeWaller = false
    @Flag(help: "With --debye-waller, use U_iso (or U_eq) even where the CIF gives anisotropic U.") var isotropic = false
    @Flag(help: "Add anomalous scattering f′ + i f″ (Chantler, at E = hc/λ) to the form factors (off by default, like pymatgen).") var anomalous = false
    @Option(help: "Monochromator 2θ in degrees for the polarisation factor.") var monochromator: Double?
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Write an SVG plot (sticks, plus the profile when --caglioti or --size is given).") var plot: String?
    @Option(help: "Profile widths: Caglioti U,V,W in degrees² (e.g. 0.004,-0.002,0.003).") var caglioti: String?
    @Option(help: "Crystallite size in nm for Scherrer broadening of the profile.") var size: Double?
    @Flag(help: "Add the Kα2 line (λ from the anode of --wavelength, ratio 0.5) to the profile.") var doublet = false
    @Option(help: "Profile step in degrees.") var step = 0.01

    func run() async throws {
        let structure = try CIF.readStructure(url: URL(fileURLWithPath: cif))
        var options = SimulationOptions(wavelength: try WavelengthSpec.parse(wavelength), twoThetaRange: try parseRange(range),
                                        debyeWaller: debyeWaller, monochromatorTwoTheta: monochromator)
        options.anomalous = anomalous
        options.anisotropicDisplacement = !isotropic
        let pattern = try PowderSimulator.simulate(structure, options: options)
        var profile: (x: [Double], y: [Double])?
        if caglioti != nil || size != nil || doublet {
            let uvw = try (caglioti ?? "0,0,0.0025").split(separator: ",").map { part -> Double in
                guard let v = Double(part.trimmingCharacters(in: .whitespaces)) else {
                    throw RoentgenError.badParameter("--caglioti '\(caglioti ?? "")' must be three numbers U,V,W")
                }
                return v
            }
            guard uvw.count == 3 else { throw RoentgenError.badParameter("--caglioti needs three numbers U,V,W") }
            if let size, !(size > 0) { throw RoentgenError.badParameter("--size must be positive (nm)") }
            guard step > 0 else { throw RoentgenError.badParameter("--step must be positive") }
            var kAlpha2: Double?
            if doublet {
                let anode = String(wavelength.prefix(2))
                guard let lines = AnodeLines.anode(anode) else {
                    throw RoentgenError.badParameter("--doublet needs an anode line as --wavelength (CuKa1, MoKa1 …)")
                }
                kAlpha2 = lines.kAlpha2
            }
            profile = PowderProfile.profile(pattern, twoTheta: options.twoThetaRange, step: step, u: uvw[0], v: uvw[1], w: uvw[2],
                                            crystalliteSize: size, kAlpha2: kAlpha2)
        }
        if let plot {
            var series: [SVGLinePlot.Series] = [.init(label: (cif as NSString).lastPathComponent, x: pattern.peaks.map(\.twoTheta),
                                                      y: pattern.peaks.map(\.intensity), sticks: true)]
            if let profile { series.append(.init(label: "profile", x: profile.x, y: profile.y, color: "#d62728")) }
            let svg = SVGLinePlot(title: "\(structure.name) λ = \(pattern.wavelength) Å",
                                  panels: [.init(xLabel: "2θ (degrees)", yLabel: "intensity (max 100)", series: series)]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            var object: [String: Any] = [
                "wavelength": pattern.wavelength,
                "structure": ["name": structure.name, "formula": structure.cellFormula,
                              "space_group": structure.spaceGroupSymbol as Any, "warnings": structure.warnings + pattern.warnings],
                "peaks": pattern.peaks.map { ["two_theta": $0.twoTheta, "d": $0.d, "intensity": $0.intensity,
                                              "hkl": $0.hkl, "multiplicity": $0.multiplicity] as [String: Any] },
            ]
            if let profile { object["profile"] = ["two_theta": profile.x, "intensity": profile.y] }
            object["provenance"] = provenanceJSON(files: [cif], parameters: [
                "wavelength": options.wavelength, "range": [options.twoThetaRange.lowerBound, options.twoThetaRange.upperBound],
                "debye_waller": debyeWaller, "anisotropic_displacement": debyeWaller && !isotropic, "anomalous": anomalous,
                "monochromator_two_theta": jsonNumber(monochromator), "merge_tolerance": options.mergeTolerance,
                "form_factors": "Waasmaier-Kirfel (XrayDB), neutral atoms" + (anomalous ? ", f′ f″ Chantler (XrayDB)" : ""), "symmetry": structure.operationsSource])
            try printJSONObject(object)
        } else {
            let shown = pattern.peaks.filter { $0.intensity >= 0.5 }.count
            print("\(structure.name): \(structure.cellFormula), \(structure.spaceGroupSymbol ?? "?"), λ = \(pattern.wavelength) Å, \(pattern.peaks.count) peaks"
                  + (shown < pattern.peaks.count ? " (\(shown) with I ≥ 0.5 listed; --json gives all)" : ""))
            for w in structure.warnings + pattern.warnings { print("warning: \(w)") }
            print("  2θ (°)      d (Å)   I     mult  hkl")
            for p in pattern.peaks where p.intensity >= 0.5 {
                let hkl = p.hkl.map { "(" + $0.map(String.init).joined(separator: " ") + ")" }.joined(separator: " ")
                print(String(format: "%8.3f  %8.4f  %6.1f  %4d  %@", p.twoTheta, p.d, p.intensity, p.multiplicity, hkl as NSString))
            }
        }
    }
}

/// Reads the first diffraction scan of `path` through the format registry.
func readPattern(_ path: String) throws -> DiffractionPattern {
    let file = try FormatRegistry.read(URL(fileURLWithPath: path))
    guard let pattern = file.scans.lazy.compactMap(\.diffractionPattern).first else {
        if !file.structures.isEmpty {
            throw RoentgenError(.badData, "a crystal structure (format \(file.format)), not a measured pattern; `roentgen xrd simulate \(path)` computes its powder pattern", file: path)
        }
        throw RoentgenError(.badData, "no diffraction scan (two_theta, intensity) in the file (format \(file.format))", file: path)
    }
    return pattern
}

/// The `provenance` object of a JSON result: input files with SHA-256 and every parameter used.
func provenanceJSON(files: [String], parameters: [String: Any]) -> [String: Any] {
    let inputs = files.map { path -> [String: Any] in
        ["file": path, "sha256": (try? SHA256.hex(ofFileAt: URL(fileURLWithPath: path))) ?? NSNull()]
    }
    return ["inputs": inputs, "parameters": parameters, "program": "roentgen " + Roentgen.configuration.version]
}

/// A JSON number, or null for NaN / infinity.
func jsonNumber(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }

struct XRDPeaks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peaks",
        abstract: "Find and fit the peaks of a powder pattern (SNIP background, pseudo-Voigt fits, Scherrer sizes)."
    )

    @Argument(help: "Pattern file (any format `roentgen read` understands).") var file: String
    @Option(help: "Wavelength for d and sizes (default: the file's Kα1): Å, CuKa1, MoKa …") var wavelength: String?
    @Option(help: "SNIP background clipping half-width, degrees 2θ.") var backgroundWidth = 2.0
    @Option(help: "Ignore peaks below this fraction of the strongest.") var minHeight = 0.01
    @Option(help: "Instrumental FWHM (degrees) removed in quadrature for Scherrer sizes.") var instrumentalFwhm = 0.0
    @Flag(help: "Report search estimates without profile fitting.") var noFit = false
    @Flag(help: "Strip Kα2 (Rachinger) first, with the file's Kα1/Kα2 or the Cu lines.") var stripKalpha2 = false
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Write an SVG plot of pattern, background and peaks.") var plot: String?

    func run() async throws {
        var pattern = try readPattern(file)
        if stripKalpha2 {
            let cu = AnodeLines.anode("Cu")!.radiation
            let radiation = pattern.radiation?.kAlpha2 != nil ? pattern.radiation! : cu
            pattern.intensity = try PatternArithmetic.stripKAlpha2(pattern, kAlpha1: radiation.kAlpha1 ?? 0, kAlpha2: radiation.kAlpha2 ?? 0,
                                                                   ratio: radiation.kAlpha2Ratio ?? AnodeLines.kAlpha2Ratio)
        }
        var options = PeakOptions()
        options.backgroundWidth = backgroundWidth
        options.minimumRelativeHeight = minHeight
        options.instrumentalFWHM = instrumentalFwhm
        options.fit = !noFit
        if let wavelength { options.wavelength = try WavelengthSpec.parse(wavelength) }
        let report: PeakReport
        do { report = try PeakAnalysis.analyze(pattern, options: options) } catch var error as RoentgenError {
            if error.file == nil { error.file = file }
            throw error
        }
        if let plot {
            let svg = SVGLinePlot(title: (file as NSString).lastPathComponent, panels: [.init(xLabel: "2θ (degrees)", yLabel: "intensity", series: [
                .init(label: "pattern", x: pattern.twoTheta, y: pattern.intensity),
                .init(label: "background", x: pattern.twoTheta, y: report.background, color: "#ff7f0e"),
                .init(label: "peaks", x: report.peaks.map(\.twoTheta), y: report.peaks.map { $0.height }, color: "#d62728", sticks: true),
            ])]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            try printJSONObject([
                "file": file,
                "provenance": provenanceJSON(files: [file], parameters: [
                    "background": "SNIP", "background_width": backgroundWidth, "min_height": minHeight, "fit": !noFit,
                    "profile": "pseudo-Voigt", "instrumental_fwhm": instrumentalFwhm, "scherrer_k": options.scherrerK,
                    "strip_kalpha2": stripKalpha2, "smoothing_half_width": options.smoothingHalfWidth, "significance": options.significance]),
                "wavelength": jsonNumber(report.wavelength),
                "noise": report.noise,
                "peaks": report.peaks.map { p -> [String: Any] in
                    ["two_theta": p.twoTheta, "two_theta_error": jsonNumber(p.twoThetaError), "d": jsonNumber(p.d),
                     "height": p.height, "area": p.area, "area_error": jsonNumber(p.areaError), "fwhm": p.fwhm,
                     "fwhm_error": jsonNumber(p.fwhmError), "eta": jsonNumber(p.eta), "crystallite_size_nm": jsonNumber(p.crystalliteSize)]
                },
            ] as [String: Any])
        } else {
            print("\(file): \(report.peaks.count) peaks" + (report.wavelength.map { ", λ = \($0) Å" } ?? ""))
            print("   2θ (°)     ±        d (Å)     height      area    FWHM (°)   η     size (nm)")
            for p in report.peaks {
                print(String(format: "%9.4f  %7.4f  %8.4f  %9.1f  %9.1f  %7.4f  %5.2f  %8.1f", p.twoTheta, p.twoThetaError, p.d ?? .nan,
                             p.height, p.area, p.fwhm, p.eta, p.crystalliteSize ?? .nan))
            }
        }
    }
}

/// Builds a reference library from CIF files, folders of CIFs and stored libraries (`.rxl`).
/// Unreadable CIFs are skipped with a note on stderr.
func buildLibrary(_ inputs: [String]) throws -> ReferenceLibrary {
    var library = ReferenceLibrary()
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
            let stored = try ReferenceLibrary(serialized: try mappedFile(file), file: file)
            // One stored library is used in place (memory-mapped); several are concatenated.
            if files.count == 1 { return stored }
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
                        Output.note("skipped candidate \(file)!/\(structure.name): \(error)")
                    }
                }
                for pattern in data.structures.isEmpty ? patterns : [] {
                    do {
                        let peaks = try PeakAnalysis.analyze(pattern).peaks
                        library.append(name: patterns.count == 1 ? file : "\(file)!/\(pattern.name)", label: pattern.name, peaks: peaks,
                                       wavelength: pattern.radiation?.kAlpha1 ?? 1.5406)
                    } catch let error as RoentgenError {
                        Output.note("skipped candidate \(file)!/\(pattern.name): \(error)")
                    }
                }
            }
        } catch let error as RoentgenError {
            Output.note("skipped candidate: \(error)")
        }
    }
    guard library.count > 0 else {
        throw RoentgenError.badParameter("no readable candidates among \(inputs.joined(separator: ", ")) (expected CIF files, folders or archives of CIFs, reference patterns or .rxl libraries)")
    }
    return library
}

struct XRDIdentify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Rank candidate phases against a measured pattern and find the phases present (with weight fractions)."
    )

    @Argument(help: "Measured pattern file.") var file: String
    @Option(parsing: .upToNextOption, help: "Candidates: CIF files, measured reference patterns, folders or zip/tar archives of them, or .rxl libraries (`roentgen xrd library`).")
    var candidates: [String] = []
    @Option(help: "How many ranked candidates to print.") var top = 10
    @Option(help: "Wavelength (default: the file's Kα1, else 1.5406 Å).") var wavelength: String?
    @Option(help: "Compared 2θ window, start:end degrees.") var range = "10:80"
    @Option(help: "Largest zero shift searched, degrees.") var maxShift = 0.3
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard !candidates.isEmpty else { throw RoentgenError.badParameter("--candidates is required (CIF files, folders or .rxl libraries)") }
        let pattern = try readPattern(file)
        let library = try buildLibrary(candidates)
        var options = IdentificationOptions()
        options.window = try parseRange(range)
        options.maxShift = maxShift
        options.refineCount = max(options.refineCount, top)
        if let wavelength { options.wavelength = try WavelengthSpec.parse(wavelength) }
        let result: IdentificationResult
        do { result = try PhaseIdentifier.identify(pattern, library: library, options: options) } catch var error as RoentgenError {
            if error.file == nil { error.file = file }
            throw error
        }
        if json {
            try printJSONObject([
                "provenance": provenanceJSON(files: [file], parameters: [
                    "candidates": candidates, "references": library.count, "range": [options.window.lowerBound, options.window.upperBound],
                    "max_shift": options.maxShift, "refined": options.refineCount, "max_phases": options.maxPhases,
                    "min_phase_gain": options.minPhaseGain, "min_line_coverage": options.minLineCoverage]),
                "file": file, "wavelength": result.wavelength, "fwhm": result.fwhm, "residual": result.residual,
                "ranking": result.ranking.prefix(top).map { ["candidate": $0.name, "score": $0.score, "shift": $0.shift,
                                                             "present": $0.present, "formula": library.formulas[$0.index], "source": library.sources[$0.index]] as [String: Any] },
                "phases": result.phases.map { ["candidate": $0.name, "formula": $0.formula, "fraction": $0.fraction, "scale": $0.scale,
                                               "shift": $0.shift, "score": $0.score] as [String: Any] },
            ] as [String: Any])
        } else {
            print("\(file): \(library.count) candidates, λ = \(result.wavelength) Å, line FWHM·cos θ \(String(format: "%.3f", result.fwhm))°")
            print("phases present:")
            for phase in result.phases {
                print(String(format: "  %5.1f %%  %@  (%@, shift %+.2f°)", phase.fraction * 100, phase.name as NSString,
                             phase.formula as NSString, phase.shift))
            }
            print("ranking (* = judged present, listed first):")
            for (i, c) in result.ranking.prefix(top).enumerated() {
                print(String(format: "  %2d. %@ %.3f  %+.2f°  %@", i + 1, c.present ? "*" : " ", c.score, c.shift, c.name as NSString))
            }
        }
    }
}
