import ArgumentParser
import Foundation
import OrderedCollections
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

/// `roentgen xas …`: X-ray absorption analysis with Larch's definitions.
struct XASCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xas",
        abstract: "XAS analysis: E0, normalisation, AUTOBK χ(k), Fourier transform, LCF, merge / align / deglitch.",
        subcommands: [XASAnalyze.self, XASLCF.self, XASMerge.self, XASAlign.self, XASDeglitch.self, XASLibraryBuild.self, XASMatch.self],
        defaultSubcommand: XASAnalyze.self
    )
}

/// A spectrum read from a file, with where it came from.
struct LoadedSpectrum {
    var spectrum: Spectrum
    var provenance: Provenance
}

/// Reads FILE (any supported absorption format), picks the scan `group` (default the first) and μ.
func loadSpectrum(_ path: String, group: String?, mu: String?) throws -> LoadedSpectrum {
    let url = URL(fileURLWithPath: path)
    let file = try FormatRegistry.read(url)
    guard !file.scans.isEmpty else {
        throw RoentgenError(.badData, file.structures.isEmpty ? "the file holds no scans" : "a crystal structure (format \(file.format)), not an absorption spectrum", file: path)
    }
    var scan = file.scans[0]
    if let group {
        // The Athena label, Larch's sanitised group name or a SPEC scan number, as `roentgen read --group`.
        guard let found = AthenaGroupLookup.scan(named: group, in: file) else {
            throw RoentgenError.badParameter("no group '\(group)' in \(path); groups: \(file.scans.map(\.name).joined(separator: ", "))")
        }
        scan = found
    }
    var spectrum = try MuSelection.selectMu(scan, expression: mu)
    spectrum.name = scan.name
    let sha = try SHA256.hex(ofFileAt: url)
    return LoadedSpectrum(spectrum: spectrum, provenance: Provenance(file: path, sha256: sha, reader: file.format, group: scan.name))
}

/// `FILE[:GROUP]` → (file, group); the colon splits only when FILE itself does not exist.
func splitFileGroup(_ text: String) -> (String, String?) {
    if FileManager.default.fileExists(atPath: text) { return (text, nil) }
    guard let i = text.lastIndex(of: ":") else { return (text, nil) }
    return (String(text[..<i]), String(text[text.index(after: i)...]))
}

/// Analyses one file with the standard chain.
func analyse(_ loaded: LoadedSpectrum, parameters: XASParameters = XASParameters()) throws -> XASResult {
    guard let mu = loaded.spectrum.mu else { throw RoentgenError(.badData, "no μ(E) selected", file: loaded.provenance.file) }
    do {
        return try XASAnalysis.run(energy: loaded.spectrum.energy, mu: mu, parameters: parameters, source: loaded.provenance.file)
    } catch var error as RoentgenError {
        if error.file == nil { error.file = loaded.provenance.file }
        throw error
    }
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
        guard let shape = TaperShape(name: window) else {
            throw RoentgenError.badParameter("window '\(window)' not known; expected kaiser, hanning, welch, parzen, sine or gaussian")
        }
        var p = XASParameters()
        p.preEdge = PreEdgeParameters(e0: e0, pre1: pre1, pre2: pre2, norm1: norm1, norm2: norm2, nnorm: nnorm)
        p.autobk.rbkg = rbkg; p.autobk.kweight = bkgKweight; p.autobk.kmin = bkgKmin; p.autobk.kmax = bkgKmax
        p.transform = ForwardTransformParameters(kmin: kmin, kmax: kmax, dk: dk, kweight: kweight, window: shape)
        let loaded = try loadSpectrum(file, group: group, mu: mu)
        let result = try analyse(loaded, parameters: p)
        if let plot {
            try writeText(XASPlot.svg(result, title: "\((file as NSString).lastPathComponent) \(loaded.provenance.group ?? "")"), to: plot)
        }
        if json {
            try Output.printJSON(XASReport(result: result, provenance: loaded.provenance, muExpression: loaded.spectrum.muExpression))
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
        guard !standards.isEmpty else { throw RoentgenError.badParameter("give at least one --standard FILE[:GROUP]") }
        guard space == "norm" || space == "chi" else { throw RoentgenError.badParameter("--space '\(space)'; expected norm or chi") }
        guard kweight >= 0, kweight <= 4 else { throw RoentgenError.badParameter("--kweight \(kweight); expected 0…4") }
        // In chi space every spectrum's χ(k) uses the target's E0: k = √(2m(E − E0))/ħ, so χ(k)
        // of standards with their own E0s are on shifted k scales and do not add up like μ(E).
        func prepare(_ spec: String, commonE0: Double? = nil) throws -> (name: String, x: [Double], y: [Double], e0: Double) {
            let (path, group) = splitFileGroup(spec)
            let loaded = try loadSpectrum(path, group: group, mu: mu)
            var parameters = XASParameters()
            parameters.preEdge.e0 = commonE0
            let result = try analyse(loaded, parameters: parameters)
            let name = (path as NSString).lastPathComponent + (group.map { ":\($0)" } ?? "")
            if space == "norm" { return (name, result.energy, result.preEdge.norm, result.preEdge.e0) }
            guard let bkg = result.autobk else {
                throw RoentgenError(.badData, "no χ(k) for LCF in chi space: \(result.exafsSkippedReason ?? "")", file: path)
            }
            // Fit k^w·χ(k): unweighted χ(k) lets the few low-k points dominate.
            let weighted = zip(bkg.k, bkg.chi).map { pow($0, kweight) * $1 }
            return (name, bkg.k, weighted, result.preEdge.e0)
        }
        let t = try prepare(target)
        let stds = try standards.map { try prepare($0, commonE0: space == "chi" ? t.e0 : nil) }
            .map { LCFStandard(name: $0.name, x: $0.x, y: $0.y) }
        var options = LCFOptions(nonNegative: true, sumToOne: sumToOne, fitShifts: fitShifts)
        if let range {
            let parts = range.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo < hi else {
                throw RoentgenError.badParameter("--range '\(range)' not understood; expected LO:HI, e.g. -20:60")
            }
            options.lower = lo; options.upper = hi
        } else if space == "norm" {
            options.lower = -20; options.upper = 60
        }
        if space == "norm" { options.lower += t.e0; options.upper += t.e0 }
        let fits: [LCFResult]
        if let n = combinations {
            fits = try linearCombinationFitAll(x: t.x, y: t.y, standards: stds, maxStandards: n, minStandards: 1, options: options)
        } else {
            fits = [try linearCombinationFit(x: t.x, y: t.y, standards: stds, options: options)]
        }
        if json {
            struct Doc: Encodable { var target: String; var space: String; var kweight: Double?; var fits: [LCFResult] }
            try Output.printJSON(Doc(target: t.name, space: space, kweight: space == "chi" ? kweight : nil, fits: fits))
            return
        }
        print("LCF of \(t.name) (\(space), \(String(format: "%.1f…%.1f", options.lower, options.upper))\(space == "norm" ? " eV" : " Å⁻¹"), \(sumToOne ? "sum to one" : "free sum"))")
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
func carriedMetadata(_ spectrum: Spectrum) -> [String: String] {
    let namespaces: Set<String> = ["element", "mono", "facility", "beamline", "sample", "detector", "scan"]
    var kept: [String: String] = [:]
    for (key, value) in spectrum.metadata {
        guard let dot = key.firstIndex(of: "."), namespaces.contains(key[..<dot].lowercased()) else { continue }
        kept[key] = value
    }
    return kept
}

/// Energy (eV) and μ-like columns as XDI 1.0 text, through the formats module's `XDIWriter`;
/// `comments` are namespaced header fields (`Merge.count`).
func xdiText(energy: [Double], columns: [(String, [Double])], comments: [String: String]) -> String {
    var table: OrderedDictionary<String, [Double]> = ["energy": energy]
    for (name, values) in columns { table[name] = values }
    var metadata = Metadata()
    for (key, value) in comments.sorted(by: { $0.key < $1.key }) { metadata[key] = value }
    return XDIWriter.write(Scan(name: "roentgen", kind: .absorption, columns: table, units: ["energy": "eV"], metadata: metadata))
}

struct XASMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Average several scans on the first scan's grid, with the standard error.")
    @Argument(help: "Files to merge, FILE[:GROUP].") var files: [String]
    @Option(name: .shortAndLong, help: "Output XDI file.") var output: String
    @Option(help: "μ expression for every file (default: guessed).") var mu: String?

    func run() async throws {
        guard files.count >= 1 else { throw RoentgenError.badParameter("give at least one file to merge") }
        let loaded = try files.map { spec -> LoadedSpectrum in let (p, g) = splitFileGroup(spec); return try loadSpectrum(p, group: g, mu: mu) }
        let merged = try Preprocessing.merge(loaded.map { EnergyScan(energy: $0.spectrum.energy, mu: $0.spectrum.mu ?? []) })
        try writeText(xdiText(energy: merged.energy, columns: [("mu", merged.mu), ("mu_std", merged.muStd), ("mu_error", merged.muError)],
                              comments: carriedMetadata(loaded[0].spectrum).merging(["Merge.count": "\(merged.count)", "Merge.files": files.joined(separator: " ")]) { $1 }), to: output)
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
        let (p, g) = splitFileGroup(file), (rp, rg) = splitFileGroup(reference)
        let scan = try loadSpectrum(p, group: g, mu: mu)
        let ref = try loadSpectrum(rp, group: rg, mu: referenceMu)
        let refResult = try analyse(ref)
        let shift = try Preprocessing.alignmentShift(EnergyScan(energy: scan.spectrum.energy, mu: scan.spectrum.mu ?? []),
                                                     to: EnergyScan(energy: ref.spectrum.energy, mu: ref.spectrum.mu ?? []),
                                                     referenceE0: refResult.preEdge.e0)
        if let output {
            try writeText(xdiText(energy: scan.spectrum.energy.map { $0 + shift }, columns: [("mu", scan.spectrum.mu ?? [])],
                                  comments: carriedMetadata(scan.spectrum).merging(["Align.shift_eV": String(format: "%.4f", shift), "Align.reference": reference]) { $1 }), to: output)
        }
        if json { try Output.printJSON(["shift": shift]); return }
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
        let (p, g) = splitFileGroup(file)
        let scan = try loadSpectrum(p, group: g, mu: mu)
        let cleaned = try Preprocessing.deglitch(EnergyScan(energy: scan.spectrum.energy, mu: scan.spectrum.mu ?? []), threshold: threshold)
        if let output {
            try writeText(xdiText(energy: cleaned.scan.energy, columns: [("mu", cleaned.scan.mu)],
                                  comments: carriedMetadata(scan.spectrum).merging(["Deglitch.removed": cleaned.removed.map(String.init).joined(separator: " ")]) { $1 }), to: output)
        }
        if json {
            struct Doc: Encodable { var removed: [Int]; var energy: [Double]; var mu: [Double] }
            try Output.printJSON(Doc(removed: cleaned.removed, energy: cleaned.scan.energy, mu: cleaned.scan.mu))
            return
        }
        print("\(cleaned.removed.count) glitch point(s) removed\(cleaned.removed.isEmpty ? "" : ": indices " + cleaned.removed.map(String.init).joined(separator: ", "))")
    }
}
