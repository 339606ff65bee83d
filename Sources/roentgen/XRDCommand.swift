import ArgumentParser
import Diffraction
import Foundation
import RoentgenOperations
import XrayCore
import XrayFormats

/// `roentgen xrd …`: powder diffraction simulation, peaks and phase identification.
struct XRD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xrd",
        abstract: "Powder diffraction: simulate from CIF, find and fit peaks, identify phases.",
        subcommands: [XRDSimulate.self, XRDPeaks.self, XRDIdentify.self, XRDLibrary.self, XRDRefine.self]
    )
}

/// Writes `object` as pretty JSON with sorted keys to standard output.
func printJSONObject(_ object: Any) throws {
    FileHandle.standardOutput.write(try JSONDocument.object(object))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Parses `lo:hi` (degrees).
func parseRange(_ text: String) throws -> ClosedRange<Double> { try RangeText.parse(text) }

func writeText(_ text: String, to path: String) throws {
    guard !path.isEmpty else { throw RoentgenError.badParameter("the output path is empty: give -o FILE") }
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
        var request = XRDOperations.SimulateRequest(cif: cif)
        request.wavelength = wavelength; request.range = range; request.debyeWaller = debyeWaller; request.isotropic = isotropic
        request.anomalous = anomalous; request.monochromator = monochromator; request.caglioti = caglioti; request.size = size
        request.doublet = doublet; request.step = step
        let simulation = try XRDOperations.simulate(request)
        let (structure, pattern, profile) = (simulation.structure, simulation.pattern, simulation.profile)
        if let plot {
            var series: [SVGLinePlot.Series] = [.init(label: (cif as NSString).lastPathComponent, x: pattern.peaks.map(\.twoTheta),
                                                      y: pattern.peaks.map(\.intensity), sticks: true)]
            if let profile { series.append(.init(label: "profile", x: profile.x, y: profile.y, color: "#d62728")) }
            let svg = SVGLinePlot(title: "\(structure.name) λ = \(pattern.wavelength) Å",
                                  panels: [.init(xLabel: "2θ (degrees)", yLabel: "intensity (max 100)", series: series)]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            try printJSONObject(simulation.json)
        } else {
            let shown = pattern.peaks.filter { $0.intensity >= 0.5 }.count
            print("\(structure.name): \(structure.cellFormula), \(structure.spaceGroupSymbol ?? "?"), λ = \(pattern.wavelength) Å, \(pattern.peaks.count) peaks"
                  + (shown < pattern.peaks.count ? " (\(shown) with I ≥ 0.5 listed; --json gives all)" : ""))
            for w in structure.warnings + pattern.warnings { print("warning: \(w)") }
            print("  2θ (°)      d (Å)   I     mult  hkl")
            for p in pattern.peaks where p.intensity >= 0.5 {
                let hkl = p.hkl.map { "(\($0.x) \($0.y) \($0.z))" }.joined(separator: " ")
                print(String(format: "%8.3f  %8.4f  %6.1f  %4d  %@", p.twoTheta, p.d, p.intensity, p.multiplicity, hkl as NSString))
            }
        }
    }
}

/// Reads the first diffraction scan of `path` through the format registry.
func readPattern(_ path: String) throws -> DiffractionPattern { try XRDOperations.readPattern(path) }

/// The `provenance` object of a JSON result: input files with SHA-256 and every parameter used.
func provenanceJSON(files: [String], parameters: [String: Any]) -> [String: Any] {
    JSONDocument.provenance(files: files, parameters: parameters)
}

/// A JSON number, or null for NaN / infinity.
func jsonNumber(_ x: Double?) -> Any { JSONDocument.number(x) }

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
        var request = XRDOperations.PeaksRequest(file: file)
        request.wavelength = wavelength; request.backgroundWidth = backgroundWidth; request.minHeight = minHeight
        request.instrumentalFwhm = instrumentalFwhm; request.noFit = noFit; request.stripKalpha2 = stripKalpha2
        let peaks = try XRDOperations.peaks(request)
        let (pattern, report) = (peaks.pattern, peaks.report)
        if let plot {
            let svg = SVGLinePlot(title: (file as NSString).lastPathComponent, panels: [.init(xLabel: "2θ (degrees)", yLabel: "intensity", series: [
                .init(label: "pattern", x: pattern.twoTheta, y: pattern.intensity),
                .init(label: "background", x: pattern.twoTheta, y: report.background, color: "#ff7f0e"),
                .init(label: "peaks", x: report.peaks.map(\.twoTheta), y: report.peaks.map { $0.height }, color: "#d62728", sticks: true),
            ])]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            try printJSONObject(peaks.json)
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
    let (library, skipped) = try XRDOperations.buildLibrary(inputs)
    for note in skipped { Output.note(note) }
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
    @Flag(help: "Refine the phases present together (Rietveld) and add further candidates only when refining with them lowers Rwp significantly (Hamilton's R-factor ratio test, α = 0.05).")
    var refine = false
    @Option(help: "With --refine: GSAS .prm or GSAS-II .instprm instrument file (wavelengths, Kα2 ratio, polarisation).") var instrument: String?
    @Option(help: "With --refine: number of Chebyshev background terms.") var background = 6
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var request = XRDOperations.IdentifyRequest(file: file)
        request.candidates = candidates; request.top = top; request.wavelength = wavelength; request.range = range; request.maxShift = maxShift
        request.refine = refine; request.instrument = instrument; request.background = background
        let identification = try XRDOperations.identify(request)
        for note in identification.skipped { Output.note(note) }
        let (result, library) = (identification.result, identification.library)
        if json {
            try printJSONObject(identification.json)
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
            if let refinement = identification.refinement { printRefinement(refinement) }
        }
    }
}

/// The `--refine` part of `xrd identify`'s text output.
func printRefinement(_ x: XRDOperations.IdentifyRefinement) {
    let search = x.search, s = search.result.statistics
    print("Rietveld refinement (\(x.instrumentSource)):")
    print("  strategy: " + search.strategy.joined(separator: " → "))
    print("  candidates judged by \(search.testDescription):")
    for c in search.candidates where c.test != nil || !c.note.hasPrefix("not refined") {
        let rwp = c.rwpWith.map { String(format: "Rwp %.3f → %.3f %%", c.rwpWithout, $0) } ?? ""
        let w = (c.weightFraction.map { String(format: ", W %.2f ± %.2f %%", 100 * $0.value, 100 * $0.esd) } ?? "")
            + (c.ownLineShare.map { String(format: ", own lines %.0f %%", 100 * $0) } ?? "")
        print("    round \(c.round) \(c.accepted ? "kept    " : "rejected") \(c.name): \(rwp)\(w)  \([c.test?.summary, c.note.isEmpty ? nil : c.note].compactMap { $0 }.joined(separator: "; "))")
    }
    print(String(format: "  Rwp %.3f %%  Rp %.3f %%  Rexp %.3f %%  GoF %.3f  N %d  P %d  (%@)", s.rwp, s.rp, s.rexp, s.gof, s.nPoints,
                 s.nParameters, search.result.refinement.converged ? "converged" : "NOT converged" as NSString))
    print("  Rietveld weight fractions (Hill–Howard):")
    for (i, phase) in search.model.phases.enumerated() {
        let w = search.result.weightFractions[i]
        print(String(format: "    %6.2f ± %.2f %%  %@", 100 * w.value, 100 * w.esd, phase.name as NSString))
    }
    for note in x.skipped { Output.note(note) }
}
