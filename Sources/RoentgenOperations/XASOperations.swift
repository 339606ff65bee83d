import Foundation
import OrderedCollections
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

/// The XAS verbs' work: `roentgen xas analyze | lcf | merge | align | deglitch` and the API's `/api/xas/…`.
public enum XASOperations {
    /// `xas analyze`: every parameter of the standard chain (Larch's defaults where absent).
    public struct AnalyzeRequest: OperationRequest {
        public var file: String
        public var group: String?
        public var mu: String?
        public var e0: Double?
        public var pre1: Double?, pre2: Double?, norm1: Double?, norm2: Double?
        public var nnorm: Int?
        public var rbkg: Double = 1
        public var bkgKweight: Double = 1
        public var bkgKmin: Double = 0
        public var bkgKmax: Double?
        public var kmin: Double = 0
        public var kmax: Double = 20
        public var dk: Double = 1
        public var window: String = "kaiser"
        public var kweight: Double = 2
        public init(file: String) { self.file = file }
        public static var defaults: AnalyzeRequest { AnalyzeRequest(file: "") }

        /// The analysis parameters the request names.
        public func parameters() throws -> XASParameters {
            guard let shape = TaperShape(name: window) else {
                throw RoentgenError.badParameter("window '\(window)' not known; expected kaiser, hanning, welch, parzen, sine or gaussian")
            }
            var p = XASParameters()
            p.preEdge = PreEdgeParameters(e0: e0, pre1: pre1, pre2: pre2, norm1: norm1, norm2: norm2, nnorm: nnorm)
            p.autobk.rbkg = rbkg; p.autobk.kweight = bkgKweight; p.autobk.kmin = bkgKmin; p.autobk.kmax = bkgKmax
            p.transform = ForwardTransformParameters(kmin: kmin, kmax: kmax, dk: dk, kweight: kweight, window: shape)
            return p
        }
    }

    /// The loaded spectrum, its analysis and the `--json` report.
    public struct Analysis: Sendable {
        public var loaded: LoadedSpectrum
        public var result: XASResult
        public var report: XASReport
    }

    public static func analyze(_ request: AnalyzeRequest) throws -> Analysis {
        let parameters = try request.parameters()
        let loaded = try SpectrumLoading.load(request.file, group: request.group, mu: request.mu)
        let result = try SpectrumLoading.analyse(loaded, parameters: parameters)
        return Analysis(loaded: loaded, result: result,
                        report: XASReport(result: result, provenance: loaded.provenance, muExpression: loaded.spectrum.muExpression))
    }

    /// `xas lcf`: a target and standards, each `FILE[:GROUP]`.
    public struct LCFRequest: OperationRequest {
        public var target: String
        public var standards: [String] = []
        public var space: String = "norm"
        /// `LO:HI` (eV relative to E0 for norm, Å⁻¹ for chi).
        public var range: String?
        public var sumToOne = false
        public var fitShifts = false
        public var kweight: Double = 2
        public var combinations: Int?
        public var mu: String?
        public init(target: String) { self.target = target }
        public static var defaults: LCFRequest { LCFRequest(target: "") }
    }

    /// The `--json` document of `xas lcf`.
    public struct LCFDocument: Encodable, Sendable {
        public var target: String
        public var space: String
        public var kweight: Double?
        public var fits: [LCFResult]
        /// The fit range actually used (absolute: eV for norm, Å⁻¹ for chi); not in the JSON.
        public var lower: Double, upper: Double
        enum CodingKeys: String, CodingKey { case target, space, kweight, fits }
    }

    public static func lcf(_ r: LCFRequest) throws -> LCFDocument {
        guard !r.standards.isEmpty else { throw RoentgenError.badParameter("give at least one --standard FILE[:GROUP]") }
        guard r.space == "norm" || r.space == "chi" else { throw RoentgenError.badParameter("--space '\(r.space)'; expected norm or chi") }
        guard r.kweight >= 0, r.kweight <= 4 else { throw RoentgenError.badParameter("--kweight \(r.kweight); expected 0…4") }
        // The range is checked before any file is read: finite, increasing, and k ≥ 0 in chi space.
        var given: (lo: Double, hi: Double)?
        if let range = r.range {
            let parsed = try RangeText.parse(range, "--range", example: "-20:60")
            if r.space == "chi" && parsed.lowerBound < 0 { throw RoentgenError.badParameter("--range '\(range)': k starts at 0 Å⁻¹ in chi space") }
            given = (parsed.lowerBound, parsed.upperBound)
        }
        // In chi space every spectrum's χ(k) uses the target's E0: k = √(2m(E − E0))/ħ, so χ(k)
        // of standards with their own E0s are on shifted k scales and do not add up like μ(E).
        func prepare(_ spec: String, commonE0: Double? = nil) throws -> (name: String, x: [Double], y: [Double], e0: Double) {
            let (path, group) = SpectrumLoading.splitFileGroup(spec)
            let loaded = try SpectrumLoading.load(path, group: group, mu: r.mu)
            var parameters = XASParameters()
            parameters.preEdge.e0 = commonE0
            let result = try SpectrumLoading.analyse(loaded, parameters: parameters)
            let name = (path as NSString).lastPathComponent + (group.map { ":\($0)" } ?? "")
            if r.space == "norm" { return (name, result.energy, result.preEdge.norm, result.preEdge.e0) }
            guard let bkg = result.autobk else {
                throw RoentgenError(.badData, "no χ(k) for LCF in chi space: \(result.exafsSkippedReason ?? "")", file: path)
            }
            // Fit k^w·χ(k): unweighted χ(k) lets the few low-k points dominate.
            let weighted = zip(bkg.k, bkg.chi).map { pow($0, r.kweight) * $1 }
            return (name, bkg.k, weighted, result.preEdge.e0)
        }
        let t = try prepare(r.target)
        let stds = try r.standards.map { try prepare($0, commonE0: r.space == "chi" ? t.e0 : nil) }
            .map { LCFStandard(name: $0.name, x: $0.x, y: $0.y) }
        var options = LCFOptions(nonNegative: true, sumToOne: r.sumToOne, fitShifts: r.fitShifts)
        if let given {
            options.lower = given.lo; options.upper = given.hi
        } else if r.space == "norm" {
            options.lower = -20; options.upper = 60
        }
        if r.space == "norm" { options.lower += t.e0; options.upper += t.e0 }
        let fits: [LCFResult]
        if let n = r.combinations {
            fits = try linearCombinationFitAll(x: t.x, y: t.y, standards: stds, maxStandards: n, minStandards: 1, options: options)
        } else {
            fits = [try linearCombinationFit(x: t.x, y: t.y, standards: stds, options: options)]
        }
        // The range reported is the one the fit used: the given one within the target's data.
        return LCFDocument(target: t.name, space: r.space, kweight: r.space == "chi" ? r.kweight : nil, fits: fits,
                           lower: max(options.lower, t.x.first ?? options.lower), upper: min(options.upper, t.x.last ?? options.upper))
    }

    /// Refuses a scan `spec` whose energies cover less than half of `reference`'s range (another edge, or
    /// a scan cut short), saying why it matters (`advice`).
    static func requireSameRange(_ spec: String, _ energy: [Double], as referenceSpec: String, _ reference: [Double], _ advice: String) throws {
        guard let lo = reference.first, let hi = reference.last, hi > lo else { return }
        let overlap = min(hi, energy.last ?? lo) - max(lo, energy.first ?? hi)
        guard overlap >= 0.5 * (hi - lo) else {
            throw RoentgenError.badParameter(String(format: "%@ (%.1f…%.1f eV) covers %.0f %% of %@'s range (%.1f…%.1f eV): %@",
                                                    spec, energy.first ?? .nan, energy.last ?? .nan, max(0, overlap) / (hi - lo) * 100,
                                                    referenceSpec, lo, hi, advice))
        }
    }

    /// `xas merge`: files `FILE[:GROUP]` averaged on the first scan's grid.
    public struct MergeRequest: OperationRequest {
        public var files: [String] = []
        public var mu: String?
        public init() {}
        public static var defaults: MergeRequest { MergeRequest() }
    }

    /// The merged scan and what to write beside it.
    public struct Merged: Encodable, Sendable {
        public var files: [String]
        public var count: Int
        public var energy: [Double]
        public var mu: [Double]
        public var muStd: [Double]
        public var muError: [Double]
        /// Namespaced XDI header fields carried from the first file plus `Merge.*`.
        public var comments: [String: String]
        enum CodingKeys: String, CodingKey { case files, count, energy, mu, muStd = "mu_std", muError = "mu_error" }

        /// The merged scan as XDI 1.0.
        public func xdi() -> String {
            XASOperations.xdiText(energy: energy, columns: [("mu", mu), ("mu_std", muStd), ("mu_error", muError)], comments: comments)
        }
    }

    public static func merge(_ r: MergeRequest) throws -> Merged {
        guard !r.files.isEmpty else { throw RoentgenError.badParameter("give at least one file to merge") }
        let loaded = try r.files.map { spec -> LoadedSpectrum in
            let (p, g) = SpectrumLoading.splitFileGroup(spec); return try SpectrumLoading.load(p, group: g, mu: r.mu)
        }
        // Scans of another edge or range share only a few points with the first: refused, not averaged.
        for (spec, scan) in zip(r.files, loaded).dropFirst() {
            try requireSameRange(spec, scan.spectrum.energy, as: r.files[0], loaded[0].spectrum.energy, "merge scans of the same edge and range")
        }
        let merged = try Preprocessing.merge(loaded.map { EnergyScan(energy: $0.spectrum.energy, mu: $0.spectrum.mu ?? []) })
        let comments = carriedMetadata(loaded[0].spectrum).merging(["Merge.count": "\(merged.count)", "Merge.files": r.files.joined(separator: " ")]) { $1 }
        return Merged(files: r.files, count: merged.count, energy: merged.energy, mu: merged.mu, muStd: merged.muStd,
                      muError: merged.muError, comments: comments)
    }

    /// `xas align`: the energy shift that aligns a scan's dμ/dE to a reference's.
    public struct AlignRequest: OperationRequest {
        public var file: String
        public var reference: String
        public var mu: String?
        public var referenceMu: String?
        public init(file: String, reference: String) { self.file = file; self.reference = reference }
        public static var defaults: AlignRequest { AlignRequest(file: "", reference: "") }
    }

    /// The shift (eV, added to the scan's energies) and the shifted scan.
    public struct Aligned: Sendable {
        public var shift: Double
        public var energy: [Double]
        public var mu: [Double]
        public var comments: [String: String]
        /// The `--json` document: `{"shift": …}`.
        public var json: [String: Double] { ["shift": shift] }
        public func xdi() -> String { XASOperations.xdiText(energy: energy, columns: [("mu", mu)], comments: comments) }
    }

    public static func align(_ r: AlignRequest) throws -> Aligned {
        let (p, g) = SpectrumLoading.splitFileGroup(r.file), (rp, rg) = SpectrumLoading.splitFileGroup(r.reference)
        let scan = try SpectrumLoading.load(p, group: g, mu: r.mu)
        let ref = try SpectrumLoading.load(rp, group: rg, mu: r.referenceMu)
        try requireSameRange(r.file, scan.spectrum.energy, as: r.reference, ref.spectrum.energy, "align a scan to a reference of the same edge")
        let refResult = try SpectrumLoading.analyse(ref)
        let shift = try Preprocessing.alignmentShift(EnergyScan(energy: scan.spectrum.energy, mu: scan.spectrum.mu ?? []),
                                                     to: EnergyScan(energy: ref.spectrum.energy, mu: ref.spectrum.mu ?? []),
                                                     referenceE0: refResult.preEdge.e0)
        return Aligned(shift: shift, energy: scan.spectrum.energy.map { $0 + shift }, mu: scan.spectrum.mu ?? [],
                       comments: carriedMetadata(scan.spectrum).merging(["Align.shift_eV": String(format: "%.4f", shift), "Align.reference": r.reference]) { $1 })
    }

    /// `xas deglitch`: single-point glitches removed from μ(E).
    public struct DeglitchRequest: OperationRequest {
        public var file: String
        public var mu: String?
        public var threshold: Double = 8
        public init(file: String) { self.file = file }
        public static var defaults: DeglitchRequest { DeglitchRequest(file: "") }
    }

    /// The `--json` document of `xas deglitch`: `removed` indices and the cleaned scan.
    public struct Deglitched: Encodable, Sendable {
        public var removed: [Int]
        public var energy: [Double]
        public var mu: [Double]
        public var comments: [String: String]
        enum CodingKeys: String, CodingKey { case removed, energy, mu }
        public func xdi() -> String { XASOperations.xdiText(energy: energy, columns: [("mu", mu)], comments: comments) }
    }

    public static func deglitch(_ r: DeglitchRequest) throws -> Deglitched {
        let (p, g) = SpectrumLoading.splitFileGroup(r.file)
        let scan = try SpectrumLoading.load(p, group: g, mu: r.mu)
        let cleaned = try Preprocessing.deglitch(EnergyScan(energy: scan.spectrum.energy, mu: scan.spectrum.mu ?? []), threshold: r.threshold)
        return Deglitched(removed: cleaned.removed, energy: cleaned.scan.energy, mu: cleaned.scan.mu,
                          comments: carriedMetadata(scan.spectrum).merging(["Deglitch.removed": cleaned.removed.map(String.init).joined(separator: " ")]) { $1 })
    }

    /// The XDI namespaces a processed scan keeps from its source file (element, edge, mono …).
    public static func carriedMetadata(_ spectrum: Spectrum) -> [String: String] {
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
    public static func xdiText(energy: [Double], columns: [(String, [Double])], comments: [String: String]) -> String {
        var table: OrderedDictionary<String, [Double]> = ["energy": energy]
        for (name, values) in columns { table[name] = values }
        var metadata = Metadata()
        for (key, value) in comments.sorted(by: { $0.key < $1.key }) { metadata[key] = value }
        return XDIWriter.write(Scan(name: "roentgen", kind: .absorption, columns: table, units: ["energy": "eV"], metadata: metadata))
    }
}
