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
        subcommands: [XRDSimulate.self, XRDPeaks.self]
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
    @Flag(help: "Apply Debye–Waller factors from the CIF's U/B values (off by default, like pymatgen).") var debyeWaller = false
    @Option(help: "Monochromator 2θ in degrees for the polarisation factor.") var monochromator: Double?
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Write an SVG stick plot.") var plot: String?

    func run() async throws {
        let structure = try CIF.readStructure(url: URL(fileURLWithPath: cif))
        let options = SimulationOptions(wavelength: try WavelengthSpec.parse(wavelength), twoThetaRange: try parseRange(range),
                                        debyeWaller: debyeWaller, monochromatorTwoTheta: monochromator)
        let pattern = try PowderSimulator.simulate(structure, options: options)
        if let plot {
            let svg = PatternPlot(title: "\(structure.name) λ = \(pattern.wavelength) Å", yLabel: "intensity (max 100)",
                                  series: [.init(label: (cif as NSString).lastPathComponent, x: pattern.peaks.map(\.twoTheta),
                                                 y: pattern.peaks.map(\.intensity), sticks: true)]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            try printJSONObject([
                "wavelength": pattern.wavelength,
                "structure": ["name": structure.name, "formula": structure.cellFormula,
                              "space_group": structure.spaceGroupSymbol as Any, "warnings": structure.warnings],
                "peaks": pattern.peaks.map { ["two_theta": $0.twoTheta, "d": $0.d, "intensity": $0.intensity,
                                              "hkl": $0.hkl, "multiplicity": $0.multiplicity] as [String: Any] },
            ] as [String: Any])
        } else {
            print("\(structure.name): \(structure.cellFormula), \(structure.spaceGroupSymbol ?? "?"), λ = \(pattern.wavelength) Å, \(pattern.peaks.count) peaks")
            for w in structure.warnings { print("warning: \(w)") }
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
        throw RoentgenError(.badData, "no diffraction scan (two_theta, intensity) in the file (format \(file.format))", file: path)
    }
    return pattern
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
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "Write an SVG plot of pattern, background and peaks.") var plot: String?

    func run() async throws {
        let pattern = try readPattern(file)
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
            let svg = PatternPlot(title: (file as NSString).lastPathComponent, series: [
                .init(label: "pattern", x: pattern.twoTheta, y: pattern.intensity),
                .init(label: "background", x: pattern.twoTheta, y: report.background, color: "#ff7f0e"),
                .init(label: "peaks", x: report.peaks.map(\.twoTheta), y: report.peaks.map { $0.height }, sticks: true, color: "#d62728"),
            ]).svg()
            try writeText(svg, to: plot)
        }
        if json {
            try printJSONObject([
                "file": file,
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
