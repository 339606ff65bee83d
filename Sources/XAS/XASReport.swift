import Foundation
import XrayCore

/// The JSON document of `roentgen xas FILE --json`. Its keys are a contract (scripts compare them
/// with Larch's group attributes): `e0`, `edge_step`, `pre_slope`, `pre_offset`, `energy`, `mu`,
/// `norm`, `flat`, `k`, `chi`, `bkg`, `r`, `chir_mag`, `chir_re`, `chir_im`, `element`, `edge`,
/// `parameters`, `provenance`. EXAFS arrays are empty when EXAFS was skipped (`exafs_skipped`).
public struct XASReport: Sendable, Codable {
    /// Every parameter actually used, defaults resolved, named like the CLI options.
    public struct Parameters: Sendable, Codable, Hashable {
        public var mu: String?
        public var e0: Double
        public var pre1: Double, pre2: Double, norm1: Double, norm2: Double
        public var nnorm: Int, nvict: Int
        public var rbkg: Double?
        public var bkgKweight: Double?, bkgKmin: Double?, bkgKmax: Double?, bkgDk: Double?
        public var bkgWindow: String?
        public var nknots: Int?, nclamp: Int?
        public var clampLo: Double?, clampHi: Double?
        public var kstep: Double?
        public var kmin: Double?, kmax: Double?, dk: Double?, dk2: Double?
        public var window: String?
        public var kweight: Double?
        public var rmaxOut: Double?
        public var nfft: Int?

        enum CodingKeys: String, CodingKey {
            case mu, e0, pre1, pre2, norm1, norm2, nnorm, nvict, rbkg
            case bkgKweight = "bkg_kweight", bkgKmin = "bkg_kmin", bkgKmax = "bkg_kmax", bkgDk = "bkg_dk", bkgWindow = "bkg_window"
            case nknots, nclamp, clampLo = "clamp_lo", clampHi = "clamp_hi", kstep
            case kmin, kmax, dk, dk2, window, kweight, rmaxOut = "rmax_out", nfft
        }
    }

    public var e0: Double
    public var edgeStep: Double
    public var preSlope: Double
    public var preOffset: Double
    public var energy: [Double]
    public var mu: [Double]
    public var norm: [Double]
    public var flat: [Double]
    public var k: [Double]
    public var chi: [Double]
    public var bkg: [Double]
    public var r: [Double]
    public var chirMag: [Double]
    public var chirRe: [Double]
    public var chirIm: [Double]
    public var element: String?
    public var edge: String?
    public var exafsSkipped: String?
    public var parameters: Parameters
    public var provenance: Provenance

    enum CodingKeys: String, CodingKey {
        case e0, edgeStep = "edge_step", preSlope = "pre_slope", preOffset = "pre_offset"
        case energy, mu, norm, flat, k, chi, bkg, r
        case chirMag = "chir_mag", chirRe = "chir_re", chirIm = "chir_im"
        case element, edge, exafsSkipped = "exafs_skipped", parameters, provenance
    }

    /// Always writes every contract key (null where absent).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(e0, forKey: .e0); try c.encode(edgeStep, forKey: .edgeStep)
        try c.encode(preSlope, forKey: .preSlope); try c.encode(preOffset, forKey: .preOffset)
        try c.encode(energy, forKey: .energy); try c.encode(mu, forKey: .mu)
        try c.encode(norm, forKey: .norm); try c.encode(flat, forKey: .flat)
        try c.encode(k, forKey: .k); try c.encode(chi, forKey: .chi); try c.encode(bkg, forKey: .bkg); try c.encode(r, forKey: .r)
        try c.encode(chirMag, forKey: .chirMag); try c.encode(chirRe, forKey: .chirRe); try c.encode(chirIm, forKey: .chirIm)
        try c.encode(element, forKey: .element); try c.encode(edge, forKey: .edge)
        try c.encode(exafsSkipped, forKey: .exafsSkipped)
        try c.encode(parameters, forKey: .parameters); try c.encode(provenance, forKey: .provenance)
    }

    /// The report of `result`; `provenance` names the file, its checksum, reader and group.
    public init(result: XASResult, provenance: Provenance, muExpression: String? = nil) {
        let pre = result.preEdge
        e0 = pre.e0; edgeStep = pre.edgeStep; preSlope = pre.preSlope; preOffset = pre.preOffset
        energy = result.energy; mu = result.mu; norm = pre.norm; flat = pre.flat
        k = result.autobk?.k ?? []; chi = result.autobk?.chi ?? []; bkg = result.autobk?.bkg ?? []
        r = result.transform?.r ?? []; chirMag = result.transform?.chirMag ?? []
        chirRe = result.transform?.chirRe ?? []; chirIm = result.transform?.chirIm ?? []
        element = result.edge?.symbol; edge = result.edge?.edge
        exafsSkipped = result.exafsSkippedReason
        let p = result.parameters
        let ab = result.autobk
        parameters = Parameters(mu: muExpression, e0: pre.e0, pre1: pre.pre1, pre2: pre.pre2, norm1: pre.norm1, norm2: pre.norm2,
                                nnorm: pre.nnorm, nvict: pre.nvict,
                                rbkg: ab?.rbkg, bkgKweight: ab == nil ? nil : p.autobk.kweight, bkgKmin: ab?.kmin, bkgKmax: ab?.kmax,
                                bkgDk: ab == nil ? nil : p.autobk.dk, bkgWindow: ab == nil ? nil : p.autobk.window.rawValue,
                                nknots: ab?.nspl, nclamp: ab == nil ? nil : p.autobk.nclamp,
                                clampLo: ab == nil ? nil : p.autobk.clampLo, clampHi: ab == nil ? nil : p.autobk.clampHi,
                                kstep: ab == nil ? nil : p.autobk.kstep,
                                kmin: ab == nil ? nil : p.transform.kmin, kmax: ab == nil ? nil : p.transform.kmax,
                                dk: ab == nil ? nil : p.transform.dk, dk2: ab == nil ? nil : (p.transform.dk2 ?? p.transform.dk),
                                window: ab == nil ? nil : p.transform.window.rawValue, kweight: ab == nil ? nil : p.transform.kweight,
                                rmaxOut: ab == nil ? nil : p.transform.rmaxOut, nfft: ab == nil ? nil : p.transform.nfft)
        self.provenance = provenance
    }
}
