import Foundation
import Refinement
import Testing
import TestSupport
import XAS

@Suite("feffit against Larch")
struct FeffitConformanceTests {
    /// cu_1shell from its recipe's start values: Larch 2026.3.1's answer (reference/cu_1shell.json):
    /// each value within 0.1 of its stderr, each stderr within 5 %, χ² and R-factor within 1 %, n_idp exact.
    @Test func cu1shellMatchesLarch() throws {
        guard let loader = try RecipeLoader("cu_1shell"), let ref = try FeffitReference.json("reference/cu_1shell.json") else { return }
        let result = try Feffit.fit(datasets: loader.datasets(), parameters: loader.parameters())
        let main = (ref["results"] as! [String: Any])["main"] as! [String: Any]
        let stats = main["statistics"] as! [String: Any]
        let s = result.statistics
        print("cu_1shell: chi2 \(s.chiSquare) reduced \(s.chi2Reduced) rfactor \(s.rfactor) nidp \(s.nIndependent) npts \(s.nDataPoints) nfev \(s.nFunctionCalls)")
        // n_idp exactly: read as text, since JSONSerialization can round the last bit of a decimal.
        let text = try String(contentsOf: try #require(FeffitReference.url("reference/cu_1shell.json")), encoding: .utf8)
        let nIdpText = try #require(text.firstMatch(of: /"n_independent": *([0-9.eE+-]+)/)?.1)
        #expect(s.nIndependent == Double(String(nIdpText)))
        #expect(result.datasets[0].nIndependent == s.nIndependent)
        let ds = (main["datasets"] as! [[String: Any]])[0]
        #expect(s.nDataPoints == stats["n_data_points"] as! Int)
        #expect(s.nVarys == stats["n_varys"] as! Int)
        #expect(abs(s.chiSquare / (stats["chi_square"] as! Double) - 1) < 0.01)
        #expect(abs(s.chi2Reduced / (stats["chi2_reduced"] as! Double) - 1) < 0.01)
        #expect(abs(s.rfactor / (stats["rfactor"] as! Double) - 1) < 0.01)
        #expect(abs(result.datasets[0].epsilonK[0] / (ds["epsilon_k"] as! Double) - 1) < 1e-6)
        #expect(abs(result.datasets[0].epsilonR[0] / (ds["epsilon_r"] as! Double) - 1) < 1e-6)
        let params = main["params"] as! [String: [String: Any]]
        for (name, p) in params {
            let value = p["value"] as! Double, stderr = p["stderr"] as! Double
            let got = try #require(result.refinement.parameters[name]?.value)
            let gotErr = try #require(result.refinement.esd[name])
            print("  \(name): \(got) ± \(gotErr)   Larch \(value) ± \(stderr)")
            #expect(abs(got - value) <= max(0.1 * stderr, 1e-3 * abs(value)), "\(name)")
            #expect(abs(gotErr / stderr - 1) <= 0.05, "\(name) stderr")
        }
        for c in main["correlations_above_0.5"] as! [[String: Any]] {
            let pair = Set([c["a"] as! String, c["b"] as! String])
            let got = try #require(result.correlations.first { Set([$0.first, $0.second]) == pair })
            #expect(abs(got.value - (c["value"] as! Double)) < 0.01)
        }
    }
}

@Suite("feffit: the other cases of xas/feffit")
struct FeffitCasesTests {
    /// Larch's answers for these are kept back: each fits from its recipe's start values, converges,
    /// has Larch's n_idp and N, and gives physically sane values with finite esds.
    @Test(arguments: ["cu_3shell_c3", "cu_13paths_ms", "cu_3temp_einstein", "feo_2path", "znse_1shell"])
    func caseFits(_ name: String) throws {
        guard let loader = try RecipeLoader(name) else { return }
        for variant in loader.variants {
            let datasets = try loader.datasets(variant: variant)
            let start = Date()
            let result = try Feffit.fit(datasets: datasets, parameters: loader.parameters())
            let s = result.statistics
            let expectedIdp = datasets.reduce(0.0) { $0 + 1 + 2 * ($1.transform.rmax - $1.transform.rmin) * ($1.transform.kmax - $1.transform.kmin) / Double.pi }
            print("\(name)/\(variant): χ² \(s.chiSquare) χ²ν \(s.chi2Reduced) R \(s.rfactor) N_idp \(s.nIndependent) N \(s.nDataPoints) nvarys \(s.nVarys) nfev \(s.nFunctionCalls) \(String(format: "%.1f ms", Date().timeIntervalSince(start) * 1000))")
            for (p, e) in result.variables { print("    \(p.name) = \(p.value) ± \(e ?? .nan)\(p.expression.map { " = '\($0)'" } ?? "")") }
            #expect(s.converged, "\(name)/\(variant): \(s.message)")
            #expect(s.nIndependent == expectedIdp)
            // In k space the residual also holds the shells beyond rmax that two paths do not model.
            #expect(s.rfactor > 0 && s.rfactor < (datasets[0].transform.fitspace == .k ? 0.25 : 0.05), "\(name)/\(variant) R-factor \(s.rfactor)")
            #expect(s.chi2Reduced > 0 && s.chi2Reduced.isFinite)
            for (p, e) in result.variables where p.isVaried {
                #expect(e.map { $0 > 0 && $0.isFinite } == true, "\(name)/\(variant): \(p.name) esd \(String(describing: e))")
            }
            for ds in result.datasets {
                for path in ds.paths {
                    let v = path.values
                    #expect(v.sigma2 > 0 && v.sigma2 < 0.03, "\(name)/\(variant) \(path.label) sigma2 \(v.sigma2)")
                    #expect(abs(v.e0) < 15, "\(name)/\(variant) \(path.label) e0 \(v.e0)")
                    #expect(abs(v.deltar) < 0.15, "\(name)/\(variant) \(path.label) deltar \(v.deltar)")
                    #expect(v.s02 * v.degen > 0)
                }
            }
        }
    }
}
