import Foundation
import Testing
import Diffraction
import Refinement
import TestSupport
import XrayCore

/// PbSO4 refined from the recipe's start values with its release order, against GSAS-II 5.7.9's answer.
@Suite struct PbSO4RefinementTests {
    /// The recipe's strategy (recipe.json "strategy"), in Roentgen's parameter names.
    static func steps(_ model: RietveldModel) -> [RefinementStep] {
        let sites = model.siteKeys(phase: 0)
        return [
            RefinementStep("scale+background", release: ["scale"] + (0..<6).map { "bkg_\($0)" }),
            RefinementStep("cell+displacement", release: model.freeCellNames(phase: 0) + ["displacement"]),
            RefinementStep("W,X,Y", release: ["W", "X", "Y"]),
            RefinementStep("xyz+Uiso", release: model.freeCoordinateNames(phase: 0) + sites.map { "PbSO4_\($0)_uiso" }),
            RefinementStep("SH/L", release: ["SH_L"]),
            RefinementStep("U,V", release: ["U", "V"]),
        ]
    }

    @Test func refinesToGSASIIAnswer() throws {
        guard let ref = try PbSO4Reference.load(), let model = try PbSO4Reference.model() else {
            print(SharedData.missing("xrd/rietveld/pbso4_xray")); return
        }
        let set = try model.defaultParameters()
        var options = RefinementOptions()
        options.ftol = 1e-8
        let start = Date()
        let result = try RietveldRefinement.run(model, parameters: set, steps: Self.steps(model), options: options)
        print("PbSO4 refinement: \(String(format: "%.2f", Date().timeIntervalSince(start))) s, \(result.refinement.evaluations) evaluations, \(result.refinement.message)")
        let r = result.refinement
        #expect(r.nVarys == 33)
        #expect(result.statistics.nPoints == 6000)
        print("Rwp \(result.statistics.rwp) (GSAS-II \(ref.rwp)), Rp \(result.statistics.rp), Rexp \(result.statistics.rexp), GoF \(result.statistics.gof) (\(ref.gof))")
        #expect(abs(result.statistics.rwp - ref.rwp) < 0.3)
        var worst = (name: "", sigmas: 0.0)
        func check(_ name: String, _ expected: Double, _ esd: Double?, relative: Double? = nil) {
            guard let v = r.value(name) else { Issue.record("no parameter \(name)"); return }
            let e = esd ?? 0
            let n = e > 0 ? abs(v - expected) / e : 0
            if n > worst.sigmas { worst = (name, n) }
            print("\(name): \(v) ± \(r.esd[name] ?? 0)   GSAS-II \(expected) ± \(e)   (\(String(format: "%.2f", n)) esd)")
            if let relative { #expect(abs(v - expected) / abs(expected) < relative, "\(name)") }
            #expect(n <= 3, "\(name) is \(n) GSAS-II esds away")
            // Esds scaled the same way as GSAS-II's (√χ²ᵥ) agree with them within a factor 1.5.
            if e > 0, let mine = r.esd[name] { #expect(mine / e > 0.67 && mine / e < 1.5, "\(name) esd \(mine) vs \(e)") }
        }
        for (i, axis) in ["a", "b", "c"].enumerated() {
            check("PbSO4_\(axis)", ref.cell[i].value, ref.cell[i].esd, relative: 2e-4)
        }
        check("scale", ref.scale.value, ref.scale.esd)
        check("displacement", ref.displacement.value, ref.displacement.esd)
        for key in ["U", "V", "W", "X", "Y"] { check(key, ref.instrument[key]!.value, ref.instrument[key]!.esd) }
        check("SH_L", ref.instrument["SH/L"]!.value, ref.instrument["SH/L"]!.esd)
        for n in 0..<6 { check("bkg_\(n)", ref.backgroundCoefficients[n], ref.backgroundEsd[n]) }
        for site in ref.sites {
            for (i, axis) in ["x", "y", "z"].enumerated() {
                if let e = site.xyzEsd[i] { check("PbSO4_\(site.label)_\(axis)", site.xyz[i], e) }
                else { #expect(abs((r.value("PbSO4_\(site.label)_\(axis)") ?? .nan) - site.xyz[i]) < 1e-9) }
            }
            check("PbSO4_\(site.label)_uiso", site.uiso, site.uisoEsd)
        }
        print("largest deviation: \(worst.name) at \(worst.sigmas) esd")
        #expect(result.weightFractions.count == 1 && abs(result.weightFractions[0].value - 1) < 1e-12)
        // Rietveld-partitioned intensities exist for every line and sum close to the calculated ones.
        let obs = result.observedIntensities[0], calc = result.calculation.lines[0].map(\.intensity)
        #expect(obs.count == calc.count)
        let ratio = obs.reduce(0, +) / calc.reduce(0, +)
        #expect(abs(ratio - 1) < 0.05)
    }
}
