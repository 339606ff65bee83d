import ArgumentParser
import Foundation
import RoentgenOperations
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

/// `roentgen xas …`: X-ray absorption analysis with Larch's definitions.
struct XASCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xas",
        abstract: "XAS analysis: E0, normalisation, AUTOBK χ(k), Fourier transform, LCF, merge / align / deglitch.",
        subcommands: [XASAnalyze.self, XASLCF.self, XASMerge.self, XASAlign.self, XASDeglitch.self, XASPaths.self, XASFit.self,
                      XASLibraryBuild.self, XASMatch.self],
        defaultSubcommand: XASAnalyze.self
    )
}

/// Reads FILE (any supported absorption format), picks the scan `group` (default the first) and μ.
func loadSpectrum(_ path: String, group: String?, mu: String?) throws -> LoadedSpectrum {
    try SpectrumLoading.load(path, group: group, mu: mu)
}

/// `FILE[:GROUP]` → (file, group); the colon splits only when FILE itself does not exist.
func splitFileGroup(_ text: String) -> (String, String?) { SpectrumLoading.splitFileGroup(text) }

/// Analyses one file with the standard chain.
func analyse(_ loaded: LoadedSpectrum, parameters: XASParameters = XASParameters()) throws -> XASResult {
    try SpectrumLoading.analyse(loaded, parameters: parameters)
}

struct XASAnalyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Normalise, remove the AUTOBK background and Fourier-transform one spectrum (Larch's defaults).",
        discussion: "Defaults are Larch's: pre_edge rules, autobk(rbkg=1, kweight=1, dk=0.1, hanning), xftf(kmin=0, kmax=20, dk=1, kaiser, kweight=2)."
    )

    @Argument(help: "Data file (XDI, column ASCII, Athena project, …).") var file: String
    @Option(help: "Scan / group within the file (default: the first).") var group: String?
    @Option(help: "μ(E) expression, e.g. 'ln(i0/itrans)', '(if1+if2)/i0' or 'sum(ifch*)/i0' (default: guessed from the columns).") var mu: String?
    @Option(help: "Edge energy E0 in eV (default: found from the derivative).") var e0: Double?
    @Option(help: "Pre-edge fit range start, eV relative to E0.") var pre1: Double?
    @Option(help: "Pre-edge fit range end, eV relative to E0.") var pre2: Double?
    @Option(help: "Post-edge fit range start, eV relative to E0.") var norm1: Double?
    @Option(help: "Post-edge fit range end, eV relative to E0.") var norm2: Double?
    @Option(help: "Degree of the post-edge polynomial (0–5).") var nnorm: Int?
    @Option(help: "AUTOBK: R below which χ(R) is minimised, Å.") var rbkg: Double = 1
    @Option(name: .customLong("bkg-kweight"), help: "AUTOBK: k-weight.") var bkgKweight: Double = 1
    @Option(name: .customLong("bkg-kmin"), help: "AUTOBK: spline k start, Å⁻¹.") var bkgKmin: Double = 0
    @Option(name: .customLong("bkg-kmax"), help: "AUTOBK: spline k end, Å⁻¹ (default: end of data).") var bkgKmax: Double?
    @Option(help: "Transform window start, Å⁻¹.") var kmin: Double = 0
    @Option(help: "Transform window end, Å⁻¹.") var kmax: Double = 20
    @Option(help: "Transform window taper width, Å⁻¹.") var dk: Double = 1
    @Option(help: "Transform window: kaiser, hanning, welch, parzen, sine, gaussian.") var window: String = "kaiser"
    @Option(help: "Transform k-weight.") var kweight: Double = 2
    @Flag(help: "Print the full result as JSON (keys: e0, edge_step, … , parameters, provenance).") var json = false
    @Option(help: "Write an SVG of normalised μ(E), χ(k)·k² and |χ(R)|.") var plot: String?

    func run() async throws {
        var request = XASOperations.AnalyzeRequest(file: file)
        request.group = group; request.mu = mu; request.e0 = e0
        request.pre1 = pre1; request.pre2 = pre2; request.norm1 = norm1; request.norm2 = norm2; request.nnorm = nnorm
        request.rbkg = rbkg; request.bkgKweight = bkgKweight; request.bkgKmin = bkgKmin; request.bkgKmax = bkgKmax
        request.kmin = kmin; request.kmax = kmax; request.dk = dk; request.window = window; request.kweight = kweight
        let analysis = try XASOperations.analyze(request)
        let (loaded, result) = (analysis.loaded, analysis.result)
        let shape = try request.parameters().transform.window
        if let plot {
            try writeText(XASPlot.svg(result, title: "\((file as NSString).lastPathComponent) \(loaded.provenance.group ?? "")"), to: plot)
        }
        if json {
            try Output.printJSON(analysis.report)
            return
        }
        let pre = result.preEdge
        let edge = result.edge.map { String(format: "%@ %@ edge (tabulated %.1f eV)", $0.symbol, $0.edge, $0.energy) } ?? "edge not identified"
        print("\(file) [\(loaded.provenance.reader ?? "?")] \(loaded.provenance.group.map { "group \($0), " } ?? "")μ = \(loaded.spectrum.muExpression ?? "?"): \(edge)")
        print(String(format: "  E0 = %.3f eV   edge step = %.5g   pre-edge %+.1f…%+.1f eV, post-edge %+.1f…%+.1f eV (nnorm %d)",
                     pre.e0, pre.edgeStep, pre.pre1, pre.pre2, pre.norm1, pre.norm2, pre.nnorm))
        if let bkg = result.autobk, let ft = result.transform {
            print(String(format: "  AUTOBK: rbkg %.2f Å, %d knots, k %.2f…%.2f Å⁻¹, χ(k) on %d points", bkg.rbkg, bkg.nspl, bkg.kmin, bkg.kmax, bkg.k.count))
            if let i = ft.chirMag.indices.filter({ ft.r[$0] >= 1 }).max(by: { ft.chirMag[$0] < ft.chirMag[$1] }) {
                print(String(format: "  |χ(R)| peak %.4g Å⁻³ at R = %.3f Å (k %.1f…%.1f, dk %.1f, %@, k-weight %g)",
                             ft.chirMag[i], ft.r[i], kmin, kmax, dk, shape.rawValue, kweight))
            }
        } else if let why = result.exafsSkippedReason {
            print("  EXAFS skipped: \(why)")
        }
        if let plot { print("  plot written to \(plot)") }
    }
}

struct XASLCF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lcf",
        abstract: "Linear combination fit of a spectrum's normalised μ(E) or χ(k) with standards.",
        discussion: "Weights are non-negative. The range is in eV relative to the target's E0 for --space norm (default -20:60) and in Å⁻¹ for --space chi (default: the full common k range)."
    )
    @Argument(help: "Spectrum to fit, FILE[:GROUP].") var target: String
    @Option(name: .customLong("standard"), help: "A standard, FILE[:GROUP] (repeat).") var standards: [String] = []
    @Option(help: "norm (normalised μ(E)) or chi (χ(k)).") var space: String = "norm"
    @Option(parsing: .unconditional, help: "Fit range LO:HI (eV relative to E0 for norm, Å⁻¹ for chi), e.g. -20:60.") var range: String?
    @Flag(help: "Constrain the weights to sum to one.") var sumToOne = false
    @Flag(help: "Fit an energy shift per standard (norm space).") var fitShifts = false
    @Option(help: "k-weight of χ(k) in chi space: the fit is of k^w·χ(k), as in Athena.") var kweight: Double = 2
    @Option(help: "Fit every combination of up to N standards and rank them by reduced χ².") var combinations: Int?
    @Option(help: "μ expression for every file (default: guessed).") var mu: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var request = XASOperations.LCFRequest(target: target)
        request.standards = standards; request.space = space; request.range = range; request.sumToOne = sumToOne
        request.fitShifts = fitShifts; request.kweight = kweight; request.combinations = combinations; request.mu = mu
        let document = try XASOperations.lcf(request)
        let fits = document.fits
        if json {
            try Output.printJSON(document)
            return
        }
        let options = (lower: document.lower, upper: document.upper)
        print("LCF of \(document.target) (\(space), \(String(format: "%.1f…%.1f", options.lower, options.upper))\(space == "norm" ? " eV" : " Å⁻¹"), \(sumToOne ? "sum to one" : "free sum"))")
        for (rank, fit) in fits.prefix(20).enumerated() {
            print(String(format: "#%d  reduced χ² %.4g   R-factor %.4g   χ² %.4g   %d points", rank + 1, fit.reducedChiSquare, fit.rFactor, fit.chiSquare, fit.ndata))
            for i in fit.standards.indices {
                let shift = fitShifts ? String(format: "   ΔE %+.2f ± %.2f eV", fit.shifts[i], fit.shiftErrors[i]) : ""
                print("    " + Output.pad(fit.standards[i], 32) + String(format: " %.4f ± %.4f", fit.weights[i], fit.weightErrors[i]) + shift)
            }
        }
    }
}

/// The XDI namespaces a processed scan keeps from its source file (element, edge, mono …).
func carriedMetadata(_ spectrum: Spectrum) -> [String: String] { XASOperations.carriedMetadata(spectrum) }

/// Energy (eV) and μ-like columns as XDI 1.0 text; `comments` are namespaced header fields.
func xdiText(energy: [Double], columns: [(String, [Double])], comments: [String: String]) -> String {
    XASOperations.xdiText(energy: energy, columns: columns, comments: comments)
}

struct XASMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Average several scans on the first scan's grid, with the standard error.")
    @Argument(help: "Files to merge, FILE[:GROUP].") var files: [String]
    @Option(name: .shortAndLong, help: "Output XDI file.") var output: String
    @Option(help: "μ expression for every file (default: guessed).") var mu: String?
    @Flag(help: "Print JSON {files, count, energy, mu, mu_std, mu_error}.") var json = false

    func run() async throws {
        var request = XASOperations.MergeRequest()
        request.files = files; request.mu = mu
        let merged = try XASOperations.merge(request)
        try writeText(merged.xdi(), to: output)
        if json { try Output.printJSON(merged); return }
        print("merged \(merged.count) scans onto \(merged.energy.count) points → \(output)")
    }
}

struct XASAlign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "align", abstract: "Energy shift that aligns a scan's dμ/dE to a reference (e.g. the reference foil channel).")
    @Argument(help: "Scan to align, FILE[:GROUP].") var file: String
    @Option(help: "Reference scan, FILE[:GROUP].") var reference: String
    @Option(help: "μ expression of the scan (default: guessed).") var mu: String?
    @Option(help: "μ expression of the reference (default: guessed).") var referenceMu: String?
    @Option(name: .shortAndLong, help: "Write the shifted scan as XDI.") var output: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var request = XASOperations.AlignRequest(file: file, reference: reference)
        request.mu = mu; request.referenceMu = referenceMu
        let aligned = try XASOperations.align(request)
        let shift = aligned.shift
        if let output { try writeText(aligned.xdi(), to: output) }
        if json { try Output.printJSON(aligned.json); return }
        print(String(format: "energy shift %+.3f eV (add to %@ to match %@)", shift, file as NSString, reference as NSString))
    }
}

struct XASDeglitch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deglitch", abstract: "Remove single-point glitches from μ(E).")
    @Argument(help: "Scan, FILE[:GROUP].") var file: String
    @Option(help: "μ expression (default: guessed).") var mu: String?
    @Option(help: "Threshold in robust standard deviations.") var threshold: Double = 8
    @Option(name: .shortAndLong, help: "Write the cleaned scan as XDI.") var output: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var request = XASOperations.DeglitchRequest(file: file)
        request.mu = mu; request.threshold = threshold
        let cleaned = try XASOperations.deglitch(request)
        if let output { try writeText(cleaned.xdi(), to: output) }
        if json { try Output.printJSON(cleaned); return }
        print("\(cleaned.removed.count) glitch point(s) removed\(cleaned.removed.isEmpty ? "" : ": indices " + cleaned.removed.map(String.init).joined(separator: ", "))")
    }
}
