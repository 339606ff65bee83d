import Foundation
import Testing
import TestSupport
import XAS
import XrayCore

/// LCF against ../shared/data/xas/lcf. Larch's numbers below were printed by
/// Benchmarks/xas/larch_lcf_reference.py (xraylarch 2026.3.1, lincombo_fit, arrayname='norm').
@Suite("Linear combination fitting")
struct LinearCombinationFitTests {
    static let lcfPresent = SharedData.url("xas/lcf/fe_synthetic_inputs.json") != nil

    func standards(_ json: [String: Any], key: String = "standards", name: String) -> [LCFStandard] {
        (json[key] as! [[String: Any]]).map { LCFStandard(name: $0[name] as! String, x: $0["energy"] as! [Double], y: $0["norm"] as! [Double]) }
    }

    @Test(.enabled(if: lcfPresent, "../shared/data/xas/lcf is absent"))
    func syntheticFeMixture() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.url("xas/lcf/fe_synthetic_inputs.json")!)) as! [String: Any]
        let stds = standards(json, name: "label")
        let text = try String(contentsOf: SharedData.url("xas/lcf/fe_mixture_synthetic.dat")!, encoding: .utf8)
        var e: [Double] = [], y: [Double] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            if parts.count >= 2 { e.append(parts[0]); y.append(parts[1]) }
        }
        let range = (json["fit_setup"] as! [String: Any])["fit_range_eV"] as! [Double]
        let bounded = try linearCombinationFit(x: e, y: y, standards: stds, options: LCFOptions(lower: range[0], upper: range[1]))
        print("Fe synthetic (sum-to-one, non-negative):", (0..<3).map { "\(bounded.standards[$0])=\(String(format: "%.4f±%.4f", bounded.weights[$0], bounded.weightErrors[$0]))" })
        // The true mixture fractions 0.2 / 0.3 / 0.5 within 0.01.
        for (w, truth) in zip(bounded.weights, [0.2, 0.3, 0.5]) { #expect(abs(w - truth) < 0.01) }
        // Larch: 0.19715 ± 0.00246, 0.30139 ± 0.00249, 0.50146 ± 0.00184; χ² 0.0038709, ndata 162.
        for (w, larch) in zip(bounded.weights, [0.19715154017880715, 0.30139285787109904, 0.5014556019500939]) { #expect(abs(w - larch) < 1e-3) }
        for (s, larch) in zip(bounded.weightErrors, [0.002459472937171989, 0.0024906853912513016, 0.0018375494756600144]) { #expect(abs(s - larch) / larch < 0.1) }
        #expect(bounded.ndata == 162)
        #expect(abs(bounded.chiSquare - 0.003870905929451046) / 0.003870905929451046 < 0.02)
        #expect(abs(bounded.rFactor - 3.3292289494238564e-05) / 3.3292289494238564e-05 < 0.02)
        let free = try linearCombinationFit(x: e, y: y, standards: stds, options: LCFOptions(lower: range[0], upper: range[1], nonNegative: false, sumToOne: false))
        for (w, larch) in zip(free.weights, [0.19625519934034713, 0.30186897001460855, 0.5015904401447072]) { #expect(abs(w - larch) < 1e-3) }
        #expect(abs(bounded.weights.reduce(0, +) - 1) < 1e-12)
        // All combinations: the three-standard fit ranks first.
        let ranked = try linearCombinationFitAll(x: e, y: y, standards: stds, maxStandards: 3, options: LCFOptions(lower: range[0], upper: range[1]))
        #expect(ranked.count == 4)
        #expect(ranked.first?.standards.count == 3)
        #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.reducedChiSquare <= $1.reducedChiSquare })
    }

    @Test(.enabled(if: lcfPresent, "../shared/data/xas/lcf is absent"))
    func gold() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.url("xas/lcf/au_cyanobacteria_inputs.json")!)) as! [String: Any]
        let stds = standards(json, name: "group")
        // Larch (sum_to_one, bounded [0, 1]): weights and standard errors for Au_foil, Au3_Cl_aq, Au_sulphide.
        let larch: [String: [(Double, Double)]] = [
            "d_4_73": [(0.21072354141679278, 0.03500988528481257), (0.4764809658983007, 0.007100668531335685), (0.3127954926849066, 0.03428984710794933)],
            "d_720": [(0.5356110887948328, 0.026049000786029897), (0.26364959026656065, 0.005293800577468373), (0.20073932093860658, 0.025427216037019876)],
        ]
        for sample in json["samples"] as! [[String: Any]] {
            let name = sample["group"] as! String
            let range = sample["fit_range_eV"] as! [Double]
            for nonNegative in [true, false] {
                let r = try linearCombinationFit(x: sample["energy"] as! [Double], y: sample["norm"] as! [Double], standards: stds,
                                                 options: LCFOptions(lower: range[0], upper: range[1], nonNegative: nonNegative))
                print("Au \(name) nonNegative=\(nonNegative):", r.weights, r.weightErrors, "chi2", r.chiSquare, "ndata", r.ndata)
                #expect(r.ndata == 118)
                for (i, (w, s)) in larch[name]!.enumerated() {
                    #expect(abs(r.weights[i] - w) < 2 * s, "\(name) \(r.standards[i])")
                    #expect(abs(r.weightErrors[i] - s) / s < 0.1, "\(name) \(r.standards[i]) stderr")
                }
            }
        }
    }

    @Test func badInputsThrow() {
        let x = (0..<50).map { 7000 + Double($0) }
        let s = LCFStandard(name: "a", x: x, y: x.map { sin($0) })
        #expect(performing: { _ = try linearCombinationFit(x: x, y: x, standards: [s], options: LCFOptions(lower: 9000, upper: 9100)) }, throws: { ($0 as? RoentgenError) != nil })
        #expect(performing: { _ = try linearCombinationFit(x: x, y: x, standards: []) }, throws: { ($0 as? RoentgenError) != nil })
        #expect(performing: { _ = try linearCombinationFit(x: x, y: x, standards: [s], options: LCFOptions(lower: 7010.2, upper: 7010.7)) }, throws: { ($0 as? RoentgenError) != nil })
    }
}
