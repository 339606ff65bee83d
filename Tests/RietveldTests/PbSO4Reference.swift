import Foundation
import Testing
import Diffraction
import Refinement
import TestSupport
import XrayCore
import XrayFormats

/// GSAS-II 5.7.9's answer for the PbSO4 case (`../shared/data/xrd/rietveld/reference/pbso4_xray.json`).
struct PbSO4Reference {
    struct Site { var label: String; var xyz: [Double]; var xyzEsd: [Double?]; var uiso: Double; var uisoEsd: Double }
    var twoTheta: [Double], yobs: [Double], ycalc: [Double], background: [Double], weight: [Double]
    var instrument: [String: (value: Double, esd: Double?)]
    var scale: (value: Double, esd: Double), displacement: (value: Double, esd: Double)
    var backgroundCoefficients: [Double], backgroundEsd: [Double]
    var cell: [(value: Double, esd: Double)]
    var sites: [Site]
    var rwp: Double, rp: Double, rexp: Double, gof: Double, chi2: Double
    var nReflections: Int

    static let folder = "xrd/rietveld/pbso4_xray"

    static func load() throws -> PbSO4Reference? {
        guard let url = SharedData.url("xrd/rietveld/reference/pbso4_xray.json") else { return nil }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let pattern = json["pattern"] as! [String: Any]
        func array(_ key: String) -> [Double] { (pattern[key] as! [Any]).map { ($0 as! NSNumber).doubleValue } }
        func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        var instrument: [String: (Double, Double?)] = [:]
        for (key, entry) in json["instrument"] as! [String: Any] {
            let e = entry as! [String: Any]
            instrument[key] = (number(e["value"])!, number(e["esd"]))
        }
        let sample = json["sample"] as! [String: Any]
        func valueEsd(_ d: Any?) -> (Double, Double) {
            let e = d as! [String: Any]
            return (number(e["value"])!, number(e["esd"]) ?? 0)
        }
        let bg = json["background"] as! [String: Any]
        let phase = (json["phases"] as! [Any])[0] as! [String: Any]
        let cellJSON = phase["cell"] as! [String: Any]
        let cell = ["length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"].map { valueEsd(cellJSON[$0]) }
        let sites = (phase["atoms"] as! [Any]).map { any -> Site in
            let a = any as! [String: Any]
            return Site(label: a["label"] as! String, xyz: (a["xyz"] as! [Any]).map { number($0)! },
                        xyzEsd: (a["xyz_esd"] as! [Any]).map { number($0) }, uiso: number(a["Uiso"])!,
                        uisoEsd: number(a["Uiso_esd"])!)
        }
        let r = json["R_factors"] as! [String: Any]
        return PbSO4Reference(
            twoTheta: array("two_theta"), yobs: array("yobs"), ycalc: array("ycalc"), background: array("background"),
            weight: array("weight"), instrument: instrument, scale: valueEsd(sample["scale_gsas_histogram"]),
            displacement: valueEsd(sample["displacement_um"]),
            backgroundCoefficients: (bg["coefficients"] as! [Any]).map { number($0)! },
            backgroundEsd: (bg["esd"] as! [Any]).map { number($0)! }, cell: cell, sites: sites,
            rwp: number(r["Rwp_percent"])!, rp: number(r["Rp_percent"])!, rexp: number(r["Rexp_percent"])!,
            gof: number(r["GoF"])!, chi2: number(r["chi2"])!, nReflections: (phase["n_reflections"] as! NSNumber).intValue)
    }

    /// International Tables vol. C Table 4.2.6.8 (Cromer–Liberman) f′, f″ at Cu Kα1 for the PbSO4 atoms,
    /// the values GSAS-II uses (its own Cromer–Liberman calculation); Chantler's Pb f′ differs by 0.1 e.
    static let anomalous: [String: AnomalousScatteringFactor] = [
        "Pb": .init(fPrime: -4.0753, fDoublePrime: 8.5060),
        "S": .init(fPrime: 0.3331, fDoublePrime: 0.5567),
        "O": .init(fPrime: 0.0492, fDoublePrime: 0.0322),
    ]

    /// The recipe's model: data 9.99–159.98°, Cu Kα1/Kα2 1.5405/1.5443 Å ratio 0.5, K = 0.7, R = 200 mm,
    /// 6 Chebyshev terms, the Wyckoff CIF.
    static func model() throws -> RietveldModel? {
        guard let data = SharedData.url("\(folder)/PBSO4.XRA"), let cif = SharedData.url("\(folder)/PbSO4-Wyckoff.cif") else {
            return nil
        }
        let file = try FormatRegistry.read(data, instrument: SharedData.url("\(folder)/INST_XRY.PRM"))
        let pattern = try #require(file.scans.first?.diffractionPattern)
        var structure = try CIF.readStructure(url: cif)
        for i in structure.sites.indices { structure.sites[i].uIso = 0.010 }
        let phase = RietveldPhase(name: "PbSO4", structure: structure, anomalous: anomalous)
        return try RietveldModel(twoTheta: pattern.twoTheta, observed: pattern.intensity, range: 9.99...159.98,
                                 instrument: RietveldInstrument(lambda1: 1.5405, lambda2: 1.5443, intensityRatio: 0.5,
                                                                polarization: 0.7, goniometerRadius: 200),
                                 phases: [phase], backgroundTerms: 6)
    }
}
