import ArgumentParser
import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// `roentgen pdf …`: total-scattering pair distribution functions.
struct PDF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdf",
        abstract: "Pair distribution function G(r): from measured I(Q)/I(2θ), simulated from a CIF, or refined (PDFfit2 model).",
        subcommands: [PDFReduce.self, PDFSimulate.self, PDFFitCommand.self],
        defaultSubcommand: PDFReduce.self
    )
}

/// Prints r, G columns or JSON.
func printPDF(_ columns: [(String, [Double])], json: Bool, header: String, provenance: [String: Any]) throws {
    if json {
        var object: [String: Any] = ["provenance": provenance]
        for (name, values) in columns { object[name] = values.map { jsonNumber($0) } }
        try printJSONObject(object)
    } else {
        print("# " + header)
        print("# " + columns.filter { $0.0 == "r" || $0.0 == "g" }.map(\.0).joined(separator: " "))
        let r = columns.first { $0.0 == "r" }!.1, g = columns.first { $0.0 == "g" }!.1
        for (x, y) in zip(r, g) { print(String(format: "%.4f %.6f", x, y)) }
    }
}

struct PDFSimulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "G(r) of a crystal structure (PDFfit2 conventions: X-ray weights, isotropic Uiso, Qmax termination, qdamp)."
    )

    @Argument(help: "CIF file.") var cif: String
    @Option(help: "Qmax in Å⁻¹ (termination ripples); 0 for none.") var qmax = 25.0
    @Option(help: "Q-resolution damping qdamp in Å⁻¹.") var qdamp = 0.04
    @Option(help: "Uiso in Å² for every site (default: the CIF's values, else 0.005).") var uiso: Double?
    @Option(help: "r range in Å, start:end.") var range = "0.01:20"
    @Option(help: "r step in Å.") var rstep = 0.01
    @Flag(help: "Print JSON {r, g}.") var json = false

    func run() async throws {
        let structure = try CIF.readStructure(url: URL(fileURLWithPath: cif))
        var options = PDFSimulationOptions()
        let r = try parseRange(range)
        options.rMin = r.lowerBound; options.rMax = r.upperBound; options.rStep = rstep
        options.qMax = qmax; options.qDamp = qdamp; options.uIso = uiso
        let (rs, g) = try PDFSimulator.simulate(structure, options: options)
        try printPDF([("r", rs), ("g", g)], json: json, header: "\(structure.name): G(r), qmax \(qmax), qdamp \(qdamp), uiso \(uiso.map { String($0) } ?? "from CIF")",
                     provenance: provenanceJSON(files: [cif], parameters: ["qmax": qmax, "qdamp": qdamp, "uiso": jsonNumber(uiso),
                                                                             "rstep": rstep, "range": range, "weights": "X-ray f0(Q=0)"]))
    }
}

struct PDFReduce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "G(r) from measured I(2θ) (e.g. a .chi): background subtraction, PDFgetX3-style ad hoc corrections, sine transform."
    )

    @Argument(help: "Measured pattern: I(2θ), or I(Q) (a q column, e.g. pyFAI's q_A^-1 / q_nm^-1).") var file: String
    @Option(help: "Sample composition, e.g. Ni or TiO2.") var composition: String
    @Option(help: "Background pattern on a 2θ or Q axis (e.g. the empty capillary).") var background: String?
    @Option(help: "Background scale.") var bgscale = 1.0
    @Option(help: "Wavelength (default: the file's Kα1): Å, MoKa1, 60keV …") var wavelength: String?
    @Option(help: "Qmax of the transform, Å⁻¹.") var qmax = 26.0
    @Option(help: "Highest usable Q, Å⁻¹ (default: qmax + 0.5).") var qmaxinst: Double?
    @Option(help: "Qmin of the transform, Å⁻¹.") var qmin = 0.0
    @Option(help: "r limit of the correction polynomial, Å.") var rpoly = 0.9
    @Option(help: "r range in Å, start:end.") var range = "0:30"
    @Option(help: "r step in Å.") var rstep = 0.01
    @Flag(help: "Print JSON {r, g, q, sq, fq}.") var json = false

    func run() async throws {
        let sample = try PDFInput.read(file)
        let given = try wavelength.map(WavelengthSpec.parse)
        // 2θ data need λ; Q data (e.g. pyFAI q_A^-1 without a wavelength) do not.
        let lambda = given ?? sample.wavelength
        guard lambda != nil || sample.isQ else {
            throw RoentgenError.badParameter("the file gives no wavelength: pass --wavelength (e.g. 0.142774 or 87keV)")
        }
        let (q, sampleIntensity) = try sample.qAndIntensity(wavelength: lambda)
        var intensity = sampleIntensity
        if let background {
            let bg = try PDFInput.read(background)
            if !sample.isQ && !bg.isQ, case .twoTheta(let pattern) = sample, case .twoTheta(let bgPattern) = bg {
                intensity = try PatternArithmetic.subtract(bgPattern, scale: bgscale, from: pattern)
            } else {
                // Either is on a Q axis: subtract on Q.
                guard lambda != nil || (sample.isQ && bg.isQ) else {
                    throw RoentgenError.badParameter("the background is on a 2θ axis and no wavelength is known: pass --wavelength")
                }
                let (bq, by) = try bg.qAndIntensity(wavelength: lambda ?? bg.wavelength)
                intensity = try PatternArithmetic.subtract(backgroundX: bq, backgroundY: by, scale: bgscale, fromX: q, fromY: intensity, name: background)
            }
        }
        let lambdaText = lambda.map { "\($0) Å" } ?? "not needed (Q axis)"
        var options = PDFReductionOptions()
        options.qMin = qmin; options.qMax = qmax; options.qMaxInst = qmaxinst ?? qmax + 0.5; options.rPoly = rpoly
        let r = try parseRange(range)
        options.rMin = r.lowerBound; options.rMax = r.upperBound; options.rStep = rstep
        let result: PDFReduction
        do {
            result = try PDFReducer.reduce(q: q, intensity: intensity, composition: try ChemicalFormula(composition), options: options)
        } catch var error as RoentgenError {
            if error.file == nil && error.kind != .badParameter { error.file = file }
            throw error
        }
        try printPDF([("r", result.r), ("g", result.g), ("q", result.q), ("sq", result.sq), ("fq", result.fq)], json: json,
                     header: "\(file): G(r), composition \(composition), λ \(lambdaText), qmax \(qmax), polynomial degree \(String(format: "%.3f", result.polynomialOrder))",
                     provenance: provenanceJSON(files: [file] + (background.map { [$0] } ?? []), parameters: [
                        "composition": composition, "wavelength": jsonNumber(lambda), "bgscale": bgscale, "qmin": qmin, "qmax": qmax,
                        "qmaxinst": options.qMaxInst, "rpoly": rpoly, "polynomial_degree": result.polynomialOrder,
                        "range": range, "rstep": rstep]))
    }
}

/// The measured input of `pdf reduce`: a 2θ pattern, or I(Q) from a file whose abscissa is Q
/// (a `q` column in Å⁻¹ and no `two_theta`).
enum PDFInput {
    case twoTheta(DiffractionPattern)
    case q([Double], [Double], wavelength: Double?)

    static func read(_ path: String) throws -> PDFInput {
        let file = try FormatRegistry.read(URL(fileURLWithPath: path))
        if let scan = file.scans.first, scan.columns["two_theta"] == nil, let q = scan.columns["q"], let y = scan.columns["intensity"] {
            return .q(q, y, wavelength: scan.radiation?.kAlpha1)
        }
        return .twoTheta(try readPattern(path))
    }

    var isQ: Bool { if case .q = self { return true } else { return false } }

    var wavelength: Double? {
        switch self {
        case .twoTheta(let p): return p.radiation?.kAlpha1
        case .q(_, _, let w): return w
        }
    }

    /// Q (Å⁻¹) and intensity; 2θ data are converted with `wavelength`, which they need.
    func qAndIntensity(wavelength: Double?) throws -> ([Double], [Double]) {
        switch self {
        case .q(let q, let y, _): return (q, y)
        case .twoTheta(let p):
            guard let wavelength else { throw RoentgenError.badParameter("a 2θ pattern needs a wavelength: pass --wavelength") }
            return (p.twoTheta.map { DiffractionAxes.q(twoTheta: $0, wavelength: wavelength) }, p.intensity)
        }
    }
}
