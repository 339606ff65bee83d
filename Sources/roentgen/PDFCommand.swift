import ArgumentParser
import Diffraction
import Foundation
import RoentgenOperations
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
        try printJSONObject(PDFOperations.Columns(columns: columns, header: header, provenance: provenance).json)
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
        abstract: "G(r) of a crystal structure (PDFfit2 conventions: X-ray weights, isotropic Uiso, Qmax termination, qdamp).",
        discussion: """
        Limits: at most 100,000 r points, and about 10⁷ atom pairs summed (a pair list of about 1.5 GB): copper \
        reaches it near rmax = 237 Å, forsterite (28 atoms a cell) near 116 Å; beyond, the error says the largest rmax \
        for the structure. A Qmax above the grid's Nyquist limit π/rstep filters nothing.
        """
    )

    @Argument(help: "CIF file.") var cif: String
    @Option(help: "Qmax in Å⁻¹ (termination ripples): 0 for none, else ≥ 1.") var qmax = 25.0
    @Option(help: "Q-resolution damping qdamp in Å⁻¹.") var qdamp = 0.04
    @Option(help: "Uiso in Å² for every site, 0 < Uiso ≤ 1 (default: the CIF's values, else 0.005).") var uiso: Double?
    @Option(help: "r range in Å, start:end (start ≥ 0).") var range = "0.01:20"
    @Option(help: "r step in Å.") var rstep = 0.01
    @Flag(help: "Print JSON {r, g}.") var json = false

    func run() async throws {
        var request = PDFOperations.SimulateRequest(cif: cif)
        request.qmax = qmax; request.qdamp = qdamp; request.uiso = uiso; request.range = range; request.rstep = rstep
        let result = try PDFOperations.simulate(request)
        try printPDF(result.columns, json: json, header: result.header, provenance: result.provenance)
    }
}

struct PDFReduce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "G(r) from measured I(2θ) (e.g. a .chi): background subtraction, PDFgetX3-style ad hoc corrections, sine transform.",
        discussion: """
        Refused: qmax beyond the data's highest Q (the error gives it), qmin < 0, qmin ≥ qmax, qmax > qmaxinst, \
        rpoly ≤ 0, a correction polynomial of degree rpoly·qmaxinst/π above 100, an r range starting below 0, \
        fewer than 2 or more than 100,000 r points, a negative bgscale, and any value that is not finite.
        """
    )

    @Argument(help: "Measured pattern: I(2θ), or I(Q) (a q column, e.g. pyFAI's q_A^-1 / q_nm^-1).") var file: String
    @Option(help: "Sample composition, e.g. Ni or TiO2.") var composition: String
    @Option(help: "Background pattern on a 2θ or Q axis (e.g. the empty capillary).") var background: String?
    @Option(help: "Background scale (≥ 0).") var bgscale = 1.0
    @Option(help: "Wavelength (default: the file's Kα1): Å, MoKa1, 60keV …") var wavelength: String?
    @Option(help: "Qmax of the transform, Å⁻¹ (at most the data's highest Q).") var qmax = 26.0
    @Option(help: "Highest usable Q, Å⁻¹ (default: qmax + 0.5).") var qmaxinst: Double?
    @Option(help: "Qmin of the transform, Å⁻¹.") var qmin = 0.0
    @Option(help: "r limit of the correction polynomial, Å.") var rpoly = 0.9
    @Option(help: "r range in Å, start:end (start ≥ 0).") var range = "0:30"
    @Option(help: "r step in Å.") var rstep = 0.01
    @Flag(help: "Print JSON {r, g, q, sq, fq}.") var json = false

    func run() async throws {
        var request = PDFOperations.ReduceRequest(file: file, composition: composition)
        request.background = background; request.bgscale = bgscale; request.wavelength = wavelength; request.qmax = qmax
        request.qmaxinst = qmaxinst; request.qmin = qmin; request.rpoly = rpoly; request.range = range; request.rstep = rstep
        let result = try PDFOperations.reduce(request)
        try printPDF(result.columns, json: json, header: result.header, provenance: result.provenance)
    }
}
