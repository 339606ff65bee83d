import Foundation
import TestSupport
import Testing
import XAS
import XrayNumerics

/// One spectrum of ../shared/data/xas/reference: the input arrays and Larch's outputs.
struct LarchReference {
    struct Profile {
        var name: String
        var autobk: AutobkParameters
        var transform: ForwardTransformParameters
        var k: [Double], chi: [Double], bkg: [Double]
        var r: [Double], chirMag: [Double]
        var nspl: Int
        var larchChiSquare: Double
    }
    var id: String
    var energy: [Double]
    var mu: [Double]
    var e0: Double
    var edgeStep: Double
    var norm: [Double]
    var flat: [Double]
    var element: String
    var edge: String
    var kmaxData: Double?
    var profiles: [Profile]
    /// Profiles where Larch itself failed (name → Larch's error).
    var larchErrors: [String: String]

    static var ids: [String] {
        guard let url = SharedData.url("xas/reference/index.json"),
              let data = try? Data(contentsOf: url),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let spectra = json["spectra"] as? [[String: Any]] else { return [] }
        return spectra.compactMap { $0["id"] as? String }
    }

    static func load(_ id: String) throws -> LarchReference {
        let url = try #require(SharedData.url("xas/reference/\(id).json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let input = json["input"] as! [String: Any]
        let pre = json["pre_edge"] as! [String: Any]
        let preArrays = pre["arrays"] as! [String: Any]
        let sample = json["sample"] as! [String: Any]
        var profiles: [Profile] = []
        var errors: [String: String] = [:]
        if let exafs = json["exafs"] as? [String: Any] {
            for name in ["defaults", "kw2"] {
                guard let prof = exafs[name] as? [String: Any], let ab = prof["autobk"] as? [String: Any] else { continue }
                if let err = ab["error"] as? String { errors[name] = err; continue }
                let ap = ab["params"] as! [String: Any]
                var a = AutobkParameters()
                a.rbkg = ap["rbkg"] as! Double
                a.kmin = ap["kmin"] as! Double
                a.kmax = ap["kmax"] as? Double
                a.kweight = (ap["kweight"] as! NSNumber).doubleValue
                a.dk = ap["dk"] as! Double
                a.window = TaperShape(name: ap["win"] as! String)!
                a.nclamp = (ap["nclamp"] as! NSNumber).intValue
                a.clampLo = (ap["clamp_lo"] as! NSNumber).doubleValue
                a.clampHi = (ap["clamp_hi"] as! NSNumber).doubleValue
                let xf = prof["xftf"] as! [String: Any]
                let xp = xf["params"] as! [String: Any]
                let t = ForwardTransformParameters(kmin: (xp["kmin"] as! NSNumber).doubleValue, kmax: (xp["kmax"] as! NSNumber).doubleValue,
                                                   dk: (xp["dk"] as! NSNumber).doubleValue, dk2: (xp["dk2"] as? NSNumber)?.doubleValue,
                                                   kweight: (xp["kweight"] as! NSNumber).doubleValue,
                                                   window: TaperShape(name: xp["window"] as! String)!,
                                                   rmaxOut: (xp["rmax_out"] as! NSNumber).doubleValue)
                let aa = ab["arrays"] as! [String: Any]
                let xa = xf["arrays"] as! [String: Any]
                let resolved = ab["resolved"] as! [String: Any]
                profiles.append(Profile(name: name, autobk: a, transform: t, k: aa["k"] as! [Double], chi: aa["chi"] as! [Double],
                                        bkg: aa["bkg"] as! [Double], r: xa["r"] as! [Double], chirMag: xa["chir_mag"] as! [Double],
                                        nspl: (resolved["nspl"] as! NSNumber).intValue,
                                        larchChiSquare: (resolved["chisqr"] as! NSNumber).doubleValue))
            }
        }
        return LarchReference(id: id, energy: input["energy"] as! [Double], mu: input["mu"] as! [Double],
                              e0: pre["e0"] as! Double, edgeStep: pre["edge_step"] as! Double,
                              norm: preArrays["norm"] as! [Double], flat: preArrays["flat"] as! [Double],
                              element: sample["element"] as! String, edge: sample["edge"] as! String,
                              kmaxData: json["kmax_data"] as? Double, profiles: profiles, larchErrors: errors)
    }
}

/// √(Σ(a−b)²/Σb²) over the indices where `include(x)` holds.
func relativeRMS(_ a: [Double], _ b: [Double], x: [Double], weight: (Double) -> Double = { _ in 1 }, include: (Double) -> Bool) -> Double {
    var num = 0.0, den = 0.0
    for i in 0..<min(a.count, b.count, x.count) where include(x[i]) {
        let w = weight(x[i])
        num += (a[i] - b[i]) * (a[i] - b[i]) * w * w
        den += b[i] * b[i] * w * w
    }
    return den > 0 ? (num / den).squareRoot() : .infinity
}
