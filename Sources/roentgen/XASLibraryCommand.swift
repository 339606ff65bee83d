import ArgumentParser
import Catalog
import Foundation
import RoentgenOperations
import XAS
import XrayCore
import XrayFormats

/// Files under `inputs`: folders are walked recursively (hidden files, Markdown and licence texts
/// left out, in path order); files are kept as given.
func collectFilesRecursively(_ inputs: [String]) throws -> [String] {
    var out: [String] = []
    for input in inputs {
        guard InputFiles.isFolder(input) else {
            guard FileManager.default.fileExists(atPath: input) else { throw RoentgenError(.io, "no such file or folder", file: input) }
            out.append(input); continue
        }
        guard let walker = FileManager.default.enumerator(atPath: input) else { throw RoentgenError(.io, "folder is not readable", file: input) }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            let path = (input as NSString).appendingPathComponent(relative)
            let lower = name.lowercased()
            if name.hasPrefix(".") || lower.hasSuffix(".md") || lower.hasPrefix("license") || lower.hasPrefix("licence") || lower.hasPrefix("readme")
                || lower.hasSuffix(".json") || InputFiles.isFolder(path) { continue }
            found.append(path)
        }
        guard !found.isEmpty else { throw RoentgenError(.io, "folder holds no files to read", file: input) }
        out += found.sorted()
    }
    return out
}

/// `Element.symbol` / `Element.edge` of a scan's metadata (any key case), if both are given.
func metadataEdge(_ metadata: Metadata) -> (String, String)? {
    var symbol: String?, edge: String?
    for (key, value) in metadata {
        let v = value.trimmingCharacters(in: .whitespaces)
        switch key.lowercased() {
        case "element.symbol": symbol = v
        case "element.edge": edge = v.uppercased()
        default: break
        }
    }
    guard let symbol, let edge, !symbol.isEmpty, !edge.isEmpty else { return nil }
    return (symbol, edge)
}

/// Where a fetched file came from, from the `NAME.provenance.json` that `roentgen fetch --to` writes
/// beside it: `SOURCE:RECORD` (and the DOI or URL), and the licence the catalog gives for that
/// source (the record whose id is the source name or starts with it, `ixas` → `ixas-xaslib`).
func fetchOrigin(of file: String) -> (source: String, licence: String?)? {
    guard let data = FileManager.default.contents(atPath: file + ".provenance.json"),
          let p = try? JSONDecoder().decode(FetchProvenance.self, from: data) else { return nil }
    var parts: [String] = []
    if let id = p.recordID { parts.append(p.source.map { id.hasPrefix($0 + ":") ? id : "\($0):\(id)" } ?? id) } else if let s = p.source { parts.append(s) }
    parts.append(p.doi.map { "doi:\($0)" } ?? p.url)
    let records = (try? CatalogLoader.load(.embedded)) ?? []
    let record = p.source.flatMap { s in records.first { $0.id == s } ?? records.first { $0.id.hasPrefix(s + "-") } }
    return (parts.joined(separator: " "), record.map { $0.license.spdx ?? $0.license.name })
}

struct XASLibraryBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "library",
        abstract: "Build a XANES reference library (normalised μ on a common E − E0 grid) for `xas match`.",
        discussion: """
        INPUTS are absorption files in any readable format (XDI, column ASCII, Athena projects with every group, zip/tar \
        archives), folders of them (walked recursively) and existing libraries (merged). Each spectrum is normalised with \
        Larch's pre_edge defaults; element and edge come from the file's Element.symbol/Element.edge, else are guessed from E0. \
        Files that cannot be read are skipped with a note on stderr.
        """
    )
    @Argument(help: "Absorption files, folders, archives or libraries.") var inputs: [String]
    @Option(name: .shortAndLong, help: "Output library file (.rxanes).") var output: String
    @Option(help: "Source recorded for every entry (catalog id, DOI or URL; default: the fetch provenance beside the file, else its path).") var source: String?
    @Option(help: "Licence recorded for every entry, e.g. CC0-1.0 (default: the catalog's licence of the source a fetched file came from, else 'unknown').") var licence: String?
    @Option(help: "Grid, eV relative to E0, LO:HI.") var grid: String = "-50:150"
    @Option(help: "Grid step, eV.") var step: Double = 0.5
    @Option(help: "Matching window, eV relative to E0, LO:HI (inside the grid).") var window: String = "-20:80"
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let g = try RangeText.parse(grid, "--grid", example: "-20:80"), w = try RangeText.parse(window, "--window", example: "-20:80")
        var builder = XANESLibrary.Builder(grid: try XANESGrid(range: g, step: step, window: w))
        var skipped: [String] = []
        for file in try collectFilesRecursively(inputs) {
            if let head = FileHandle(forReadingAtPath: file)?.readData(ofLength: 8), Array(head) == Array("RXANES01".utf8) {
                let stored = try XANESLibrary(serialized: try mappedFile(file), file: file)
                guard stored.grid == builder.grid else {
                    throw RoentgenError(.badData, "library grid differs from this build's (\(stored.grid.start)… step \(stored.grid.step), \(stored.grid.count) points); rebuild with the same --grid/--step/--window", file: file)
                }
                for r in 0..<stored.count { try builder.append(entry: stored.entry(r), norm: stored.norm(r)) }
                continue
            }
            let data: DataFile
            do { data = try FormatRegistry.read(URL(fileURLWithPath: file)) } catch {
                skipped.append(file); Output.note("skipped \(InputFiles.describe(error, for: file))"); continue
            }
            let scans = data.scans.filter { $0.kind != .diffraction }
            if scans.isEmpty { skipped.append(file); Output.note("skipped \(file): no absorption scan (format \(data.format))"); continue }
            for scan in scans {
                let name = (file as NSString).lastPathComponent + (scans.count > 1 ? ":\(scan.name)" : "")
                do {
                    let spectrum = try MuSelection.selectMu(scan, expression: nil)
                    guard let mu = spectrum.mu else { throw RoentgenError(.badData, "no μ(E) could be formed from the columns", file: file) }
                    let edge = metadataEdge(scan.metadata)
                    let origin = fetchOrigin(of: file)
                    try builder.append(name: name, energy: spectrum.energy, mu: mu, element: edge?.0, edge: edge?.1,
                                       source: source ?? origin?.source ?? file, licence: licence ?? origin?.licence ?? "unknown")
                } catch {
                    skipped.append(name); Output.note("skipped \(name): \((error as? RoentgenError)?.message ?? "\(error)")")
                }
            }
        }
        guard builder.count > 0 else {
            throw RoentgenError.badParameter("no usable spectra among \(inputs.joined(separator: ", ")) (\(skipped.count) skipped)")
        }
        let bytes = builder.serialized()
        do { try bytes.write(to: URL(fileURLWithPath: output)) } catch {
            throw RoentgenError(.io, "cannot write: \(error.localizedDescription)", file: output)
        }
        let library = try XANESLibrary(serialized: bytes, file: output)
        let edges = library.edges()
        if json {
            struct Doc: Encodable { var library: String; var entries: Int; var bytes: Int; var edges: [String: Int]; var skipped: [String]; var grid: XANESGrid }
            try Output.printJSON(Doc(library: output, entries: library.count, bytes: bytes.count,
                                     edges: Dictionary(uniqueKeysWithValues: edges.map { ($0.label, $0.count) }), skipped: skipped, grid: library.grid))
            return
        }
        print("\(output): \(library.count) spectra (\(edges.map { "\($0.label) \($0.count)" }.joined(separator: ", "))), \(bytes.count) bytes"
              + (skipped.isEmpty ? "" : "; \(skipped.count) skipped"))
    }
}

struct XASMatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Rank the references of a XANES library by similarity to a spectrum; optionally fit it with the best of them (LCF).",
        discussion: """
        Similarity (--metric): Pearson correlation over the library's matching window (default −20…+80 eV around E0) of \
        normalised μ (norm), of dμ/dE (derivative), or their mean (combined, the default), maximised over energy shifts of \
        the spectrum within ±--max-shift eV. --lcf K fits every combination of up to K of the --top references with the \
        linear-combination fit of `xas lcf` (weights ≥ 0 summing to one, on absolute energy) and reports the best fits.
        """
    )
    @Argument(help: "Spectrum, FILE[:GROUP].") var file: String
    @Option(help: "Library file from `roentgen xas library`.") var library: String
    @Option(help: "Absorbing element (required when the library holds several edges).") var element: String?
    @Option(help: "How many references to report (and to combine with --lcf).") var top = 10
    @Option(help: "Fit combinations of up to K top-ranked references.") var lcf: Int?
    @Option(help: "Similarity: combined, norm or derivative.") var metric = "combined"
    @Option(help: "Largest energy shift searched, eV.") var maxShift = 3.0
    @Option(parsing: .unconditional, help: "LCF range LO:HI, eV relative to the spectrum's E0.") var range = "-20:60"
    @Option(help: "μ expression (default: guessed).") var mu: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard let m = XANESMetric(rawValue: metric) else { throw RoentgenError.badParameter("--metric '\(metric)'; expected combined, norm or derivative") }
        guard top >= 1 else { throw RoentgenError.badParameter("--top \(top); expected at least 1") }
        guard maxShift >= 0, maxShift <= 50 else { throw RoentgenError.badParameter("--max-shift \(maxShift) eV; expected 0…50") }
        if let lcf, lcf < 1 || lcf > 4 { throw RoentgenError.badParameter("--lcf \(lcf); expected 1…4 references per fit") }
        let bounds = try RangeText.parse(range, "--range", example: "-20:80")   // checked even without --lcf, which uses it
        let lib = try XANESLibrary(serialized: try mappedFile(library), file: library)
        let (path, group) = splitFileGroup(file)
        let loaded = try loadSpectrum(path, group: group, mu: mu)
        let (query, candidates) = try XANESMatcher.prepare(energy: loaded.spectrum.energy, mu: loaded.spectrum.mu ?? [], library: lib,
                                                           element: element, source: path)
        let matches = try XANESMatcher.match(query, library: lib, candidates: candidates, options: XANESMatchOptions(metric: m, maxShift: maxShift, top: top))
        var fits: [LCFResult] = []
        var lcfRange: [Double]?
        if let k = lcf {
            let lo = bounds.lowerBound, hi = bounds.upperBound
            lcfRange = [lo, hi]
            // Standards must cover the fit range (the fit interpolates, it does not extrapolate).
            let standards = matches.map { XANESMatcher.standard($0.index, library: lib) }
                .filter { ($0.x.first ?? .infinity) <= query.e0 + lo && ($0.x.last ?? -.infinity) >= query.e0 + hi }
            if standards.count < matches.count {
                Output.note("\(matches.count - standards.count) of the top \(matches.count) references do not cover E0\(String(format: "%+g", lo))…\(String(format: "%+g", hi)) eV and are left out of the LCF")
            }
            guard !standards.isEmpty else { throw RoentgenError.badParameter("no top-ranked reference covers the LCF range E0\(range) eV; narrow --range") }
            fits = try linearCombinationFitAll(x: query.energy, y: query.norm, standards: standards, maxStandards: k, minStandards: 1,
                                               options: LCFOptions(lower: query.e0 + lo, upper: query.e0 + hi, nonNegative: true, sumToOne: true))
        }
        if json {
            struct Fit: Encodable {
                var standards: [String]; var weights: [Double]; var weightErrors: [Double]; var rFactor: Double; var reducedChiSquare: Double; var chiSquare: Double; var ndata: Int
                enum CodingKeys: String, CodingKey { case standards, weights, ndata; case weightErrors = "weight_errors", rFactor = "r_factor", reducedChiSquare = "reduced_chi_square", chiSquare = "chi_square" }
            }
            struct Doc: Encodable {
                var file: String; var library: String; var edge: String; var e0: Double; var metric: String; var maxShift: Double
                var matches: [XANESMatch]; var lcf: [Fit]?; var lcfRange: [Double]?; var provenance: Provenance
                enum CodingKeys: String, CodingKey { case file, library, edge, e0, metric, matches, lcf, provenance; case maxShift = "max_shift", lcfRange = "lcf_range" }
            }
            try Output.printJSON(Doc(file: file, library: library, edge: query.edgeLabel, e0: query.e0, metric: m.rawValue, maxShift: maxShift,
                                     matches: matches, lcf: lcf == nil ? nil : fits.prefix(10).map { Fit(standards: $0.standards, weights: $0.weights, weightErrors: $0.weightErrors, rFactor: $0.rFactor, reducedChiSquare: $0.reducedChiSquare, chiSquare: $0.chiSquare, ndata: $0.ndata) },
                                     lcfRange: lcfRange, provenance: loaded.provenance))
            return
        }
        print("\(file): \(query.edgeLabel), E0 \(String(format: "%.2f", query.e0)) eV; \(candidates.count) \(query.edgeLabel) references in \(library); metric \(m.rawValue)")
        print("  #  score   norm    deriv   shift(eV)  reference  [source; licence]")
        for (i, match) in matches.enumerated() {
            print(String(format: "%3d  %.4f  %.4f  %.4f  %+6.2f    ", i + 1, match.score, match.normCorrelation, match.derivativeCorrelation, match.shift)
                  + "\(match.entry.name)  [\(match.entry.source); \(match.entry.licence)]")
        }
        if lcf != nil {
            print("LCF (E0\(range) eV, weights ≥ 0, sum 1), best of \(fits.count) combinations:")
            for (rank, fit) in fits.prefix(5).enumerated() {
                print(String(format: "  #%d  R-factor %.3g  reduced χ² %.3g  ", rank + 1, fit.rFactor, fit.reducedChiSquare)
                      + zip(fit.standards, zip(fit.weights, fit.weightErrors)).map { "\($0) \(String(format: "%.3f ± %.3f", $1.0, $1.1))" }.joined(separator: ", "))
            }
        }
    }
}
