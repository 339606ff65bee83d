import Diffraction
import Foundation
import XrayCore
import XrayFormats

/// The PDF verbs' work: `roentgen pdf reduce | simulate` and the API's `/api/pdf/…`.
public enum PDFOperations {
    /// Named columns of a G(r) result and the `--json` document built from them.
    public struct Columns: @unchecked Sendable {
        public var columns: [(String, [Double])]
        public var header: String
        public var provenance: [String: Any]
        public init(columns: [(String, [Double])], header: String, provenance: [String: Any]) {
            self.columns = columns; self.header = header; self.provenance = provenance
        }
        /// `{provenance, r, g, …}` with null for non-finite numbers.
        public var json: [String: Any] {
            var object: [String: Any] = ["provenance": provenance]
            for (name, values) in columns { object[name] = values.map { JSONDocument.number($0) } }
            return object
        }
        public func column(_ name: String) -> [Double] { columns.first { $0.0 == name }?.1 ?? [] }
    }

    /// `pdf simulate`: G(r) of a CIF (PDFfit2 conventions).
    public struct SimulateRequest: OperationRequest {
        public var cif: String
        public var qmax = 25.0
        public var qdamp = 0.04
        public var uiso: Double?
        public var range = "0.01:20"
        public var rstep = 0.01
        public init(cif: String) { self.cif = cif }
        public static var defaults: SimulateRequest { SimulateRequest(cif: "") }
    }

    public static func simulate(_ r: SimulateRequest) throws -> Columns {
        var options = PDFSimulationOptions()
        let range = try RangeText.parse(r.range, "--range")
        options.rMin = range.lowerBound; options.rMax = range.upperBound; options.rStep = r.rstep
        options.qMax = r.qmax; options.qDamp = r.qdamp; options.uIso = r.uiso
        try options.validate()
        let structure = try CIF.readStructure(url: URL(fileURLWithPath: r.cif))
        let (rs, g) = try PDFSimulator.simulate(structure, options: options)
        return Columns(columns: [("r", rs), ("g", g)],
                       header: "\(structure.name): G(r), qmax \(r.qmax), qdamp \(r.qdamp), uiso \(r.uiso.map { String($0) } ?? "from CIF")",
                       provenance: JSONDocument.provenance(files: [r.cif], parameters: ["qmax": r.qmax, "qdamp": r.qdamp, "uiso": JSONDocument.number(r.uiso),
                                                                                       "rstep": r.rstep, "range": r.range, "weights": "X-ray Z (PDFfit2)"]))
    }

    /// `pdf reduce`: G(r) from measured I(2θ) or I(Q).
    public struct ReduceRequest: OperationRequest {
        public var file: String
        public var composition: String
        public var background: String?
        public var bgscale = 1.0
        public var wavelength: String?
        public var qmax = 26.0
        public var qmaxinst: Double?
        public var qmin = 0.0
        public var rpoly = 0.9
        public var range = "0:30"
        public var rstep = 0.01
        public init(file: String, composition: String) { self.file = file; self.composition = composition }
        public static var defaults: ReduceRequest { ReduceRequest(file: "", composition: "") }
    }

    /// The reduction's options from a request, checked (before any file is read).
    static func reductionOptions(_ r: ReduceRequest) throws -> PDFReductionOptions {
        // PDFgetX3's bgscale is near 1 (the background's share of the measured counts); 100 is far beyond any use.
        guard r.bgscale.isFinite, r.bgscale >= 0, r.bgscale <= 100 else {
            throw RoentgenError.badParameter("--bgscale \(r.bgscale): expected a background scale of 0…100 (typically near 1)")
        }
        var options = PDFReductionOptions()
        options.qMin = r.qmin; options.qMax = r.qmax; options.qMaxInst = r.qmaxinst ?? r.qmax + 0.5; options.rPoly = r.rpoly
        let range = try RangeText.parse(r.range, "--range")
        options.rMin = range.lowerBound; options.rMax = range.upperBound; options.rStep = r.rstep
        try options.validate(qMaxInstDefaulted: r.qmaxinst == nil)
        return options
    }

    public static func reduce(_ r: ReduceRequest) throws -> Columns {
        let options = try reductionOptions(r)
        let sample = try PDFInput.read(r.file)
        let given = try r.wavelength.map(WavelengthSpec.parse)
        // 2θ data need λ; Q data (e.g. pyFAI q_A^-1 without a wavelength) do not.
        let lambda = given ?? sample.wavelength
        guard lambda != nil || sample.isQ else {
            throw RoentgenError.badParameter("the file gives no wavelength: pass --wavelength (e.g. 0.142774 or 87keV)")
        }
        let (q, sampleIntensity) = try sample.qAndIntensity(wavelength: lambda)
        var intensity = sampleIntensity
        if let background = r.background {
            let bg = try PDFInput.read(background)
            if !sample.isQ && !bg.isQ, case .twoTheta(let pattern) = sample, case .twoTheta(let bgPattern) = bg {
                intensity = try PatternArithmetic.subtract(bgPattern, scale: r.bgscale, from: pattern)
            } else {
                // Either is on a Q axis: subtract on Q.
                guard lambda != nil || (sample.isQ && bg.isQ) else {
                    throw RoentgenError.badParameter("the background is on a 2θ axis and no wavelength is known: pass --wavelength")
                }
                let (bq, by) = try bg.qAndIntensity(wavelength: lambda ?? bg.wavelength)
                intensity = try PatternArithmetic.subtract(backgroundX: bq, backgroundY: by, scale: r.bgscale, fromX: q, fromY: intensity, name: background)
            }
        }
        let lambdaText = lambda.map { "\($0) Å" } ?? "not needed (Q axis)"
        // The transform cannot reach beyond the data: a qmax past their last Q would be a Qmax they do not have.
        if let last = q.filter({ $0.isFinite }).max(), r.qmax > last {
            let shown = String(format: "%.3f", (last * 1000).rounded(.down) / 1000)
            throw RoentgenError.badParameter("--qmax \(r.qmax) Å⁻¹ is beyond the data: \(r.file) ends at Q = \(shown) Å⁻¹"
                + (lambda.map { " (at λ \($0) Å)" } ?? "") + "; choose --qmax ≤ \(shown)")
        }
        let result: PDFReduction
        do {
            result = try PDFReducer.reduce(q: q, intensity: intensity, composition: try ChemicalFormula(r.composition), options: options)
        } catch var error as RoentgenError {
            if error.file == nil && error.kind != .badParameter { error.file = r.file }
            throw error
        }
        return Columns(columns: [("r", result.r), ("g", result.g), ("q", result.q), ("sq", result.sq), ("fq", result.fq)],
                       header: "\(r.file): G(r), composition \(r.composition), λ \(lambdaText), qmax \(r.qmax), polynomial degree \(String(format: "%.3f", result.polynomialOrder))",
                       provenance: JSONDocument.provenance(files: [r.file] + (r.background.map { [$0] } ?? []), parameters: [
                        "composition": r.composition, "wavelength": JSONDocument.number(lambda), "bgscale": r.bgscale, "qmin": r.qmin, "qmax": r.qmax,
                        "qmaxinst": options.qMaxInst, "rpoly": r.rpoly, "polynomial_degree": result.polynomialOrder,
                        "range": r.range, "rstep": r.rstep]))
    }
}

/// The measured input of `pdf reduce`: a 2θ pattern, or I(Q) from a file whose abscissa is Q
/// (a `q` column in Å⁻¹ and no `two_theta`).
public enum PDFInput {
    case twoTheta(DiffractionPattern)
    case q([Double], [Double], wavelength: Double?)

    public static func read(_ path: String) throws -> PDFInput {
        let file = try FormatRegistry.read(URL(fileURLWithPath: path))
        if let scan = file.scans.first, scan.columns["two_theta"] == nil, let q = scan.columns["q"], let y = scan.columns["intensity"] {
            return .q(q, y, wavelength: scan.radiation?.kAlpha1)
        }
        return .twoTheta(try XRDOperations.readPattern(path))
    }

    public var isQ: Bool { if case .q = self { return true } else { return false } }

    public var wavelength: Double? {
        switch self {
        case .twoTheta(let p): return p.radiation?.kAlpha1
        case .q(_, _, let w): return w
        }
    }

    /// Q (Å⁻¹) and intensity; 2θ data are converted with `wavelength`, which they need.
    public func qAndIntensity(wavelength: Double?) throws -> ([Double], [Double]) {
        switch self {
        case .q(let q, let y, _): return (q, y)
        case .twoTheta(let p):
            guard let wavelength else { throw RoentgenError.badParameter("a 2θ pattern needs a wavelength: pass --wavelength") }
            return (p.twoTheta.map { DiffractionAxes.q(twoTheta: $0, wavelength: wavelength) }, p.intensity)
        }
    }
}
