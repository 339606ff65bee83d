import Foundation
import Testing
import TestSupport
import XAS
import XrayCore
import XrayFormats
import Refinement

@Suite("FEFF path model (Larch ff2chi)")
struct PathModelTests {
    /// `ff2chi_paths`: every path's χ(k) and Larch's chi_imag, and their sum, on k = 0.05·i (0…18),
    /// within 1e-6 relative of Larch 2026.3.1 (reference/ff2chi_paths.json, rounded to 7 significant
    /// digits, i.e. ≤ 5e-7 relative). The path values are Larch's evaluated path parameters.
    @Test func ff2chiPathsMatchLarch() throws {
        guard let ref = try FeffitReference.json("reference/ff2chi_paths.json") else { return }
        let sets = try #require(ref["sets"] as? [String: Any])
        var checked = 0
        var overall = 0.0
        for (setName, setAny) in sets.sorted(by: { $0.key < $1.key }) {
            let set = try #require(setAny as? [String: Any])
            let k = FeffitReference.doubles(set["k"])
            #expect(k.count == 361)
            let paths = try #require(set["paths"] as? [String: Any])
            var models: [(model: FeffPathModel, values: PathParameterValues)] = []
            for (label, pathAny) in paths.sorted(by: { $0.key < $1.key }) {
                let info = try #require(pathAny as? [String: Any])
                let name = try #require(info["file"] as? String)
                let file = try #require(FeffitReference.url(name))
                let model = try FeffPathModel(path: FeffPathReader.read(file))
                let v = try #require(info["values"] as? [String: Double])
                let degen = try #require(info["degen"] as? Double)
                let values = PathParameterValues(degen: degen, s02: v["s02"]!, e0: v["e0"]!,
                                                 deltar: v["deltar"]!, sigma2: v["sigma2"]!, third: v["third"]!,
                                                 fourth: v["fourth"]!, ei: v["ei"]!)
                #expect(abs(model.path.reducedMass - (info["rmass"] as? Double ?? 0)) < 1e-9 * model.path.reducedMass)
                let (chi, chiImag) = model.chi(k: k, values)
                let worst = zip(chi, FeffitReference.doubles(info["chi"])).map(Self.relativeError).max() ?? 1
                let worstImag = zip(chiImag, FeffitReference.doubles(info["chi_imag"])).map(Self.relativeError).max() ?? 1
                #expect(worst <= 1e-6, "\(setName)/\(label): chi relative error \(worst)")
                #expect(worstImag <= 1e-6, "\(setName)/\(label): chi_imag relative error \(worstImag)")
                overall = max(overall, worst, worstImag)
                models.append((model, values))
                checked += 1
            }
            let sum = sumOfPaths(models, k: k)
            let worst = zip(sum, FeffitReference.doubles(set["chi_sum"])).map(Self.relativeError).max() ?? 1
            #expect(worst <= 1e-6, "\(setName): sum relative error \(worst)")
        }
        #expect(checked == 17)
        print("ff2chi_paths: largest relative difference to Larch over 17 paths (chi, chi_imag): \(overall)")
    }

    /// |a − b|/|b|, with b = 0 compared absolutely (Larch's 7-digit rounding of an exact zero).
    static func relativeError(_ a: Double, _ b: Double) -> Double {
        b == 0 ? abs(a) : abs(a - b) / abs(b)
    }
}

@Suite("Path parameter expressions (ff2chi_paths recipe)")
struct PathExpressionTests {
    /// The recipe's expressions (`alpha*reff`, `de0 + 0.5`, `ss2*1.5`, numbers, degeneracy overrides)
    /// evaluated with its parameters give Larch's path values, and the path sum matches Larch's.
    @Test func recipeExpressionsGiveLarchValues() throws {
        guard let recipe = try FeffitReference.json("ff2chi_paths/recipe.json"),
              let ref = try FeffitReference.json("reference/ff2chi_paths.json") else { return }
        var parameters = ParameterSet()
        for p in recipe["params"] as! [[String: Any]] { try parameters.add(Parameter(p["name"] as! String, p["value"] as! Double, vary: false)) }
        for (setName, setAny) in recipe["sets"] as! [String: Any] {
            let set = setAny as! [String: Any]
            let refSet = (ref["sets"] as! [String: Any])[setName] as! [String: Any]
            let k = FeffitReference.doubles(refSet["k"])
            let paths = try (set["paths"] as! [[String: Any]]).map { p -> FeffitPath in
                var expressions: [String: String] = [:]
                for name in FeffitPath.parameterNames { if let e = p[name] as? String { expressions[name] = e } }
                let file = p["file"] as! String
                return FeffitPath(label: p["label"] as! String, path: try FeffPathReader.read(try #require(FeffitReference.url(file))),
                                  file: file, degen: (p["degen"] as? NSNumber)?.doubleValue, expressions: expressions)
            }
            let (sum, _, values) = try Feffit.sumOfPaths(paths, parameters: parameters, k: k)
            let refPaths = refSet["paths"] as! [String: Any]
            for (fp, v) in zip(paths, values) {
                let expected = (refPaths[fp.label] as! [String: Any])["values"] as! [String: Double]
                for (name, e) in expected { #expect(abs(v[name] - e) <= 1e-12 * max(1, abs(e)), "\(setName)/\(fp.label).\(name): \(v[name]) vs \(e)") }
                #expect(v.degen == (refPaths[fp.label] as! [String: Any])["degen"] as? Double)
            }
            let worst = zip(sum, FeffitReference.doubles(refSet["chi_sum"])).map(PathModelTests.relativeError).max() ?? 1
            #expect(worst <= 1e-6, "\(setName): sum relative error \(worst)")
        }
    }
}

@Suite("Path model derivatives")
struct PathDerivativeTests {
    /// The analytic ∂χ/∂θ used for the fit's Jacobian agree with central differences of χ for every
    /// path parameter (a path with cumulants, Eᵢ and a large E0 shift).
    @Test func analyticDerivativesMatchCentralDifferences() throws {
        guard let url = FeffitReference.url("znse_1shell/Feff_ZnSe/feff_znse.dat") else { print(SharedData.missing("xas/feffit")); return }
        let model = try FeffPathModel(path: FeffPathReader.read(url))
        let k = (0..<300).map { 0.05 * Double($0) }
        let v = PathParameterValues(degen: 4, s02: 0.85, e0: 3.0, deltar: -0.02, sigma2: 0.0045, third: 0.0001, fourth: 0.00004, ei: 0.7)
        let names = PathParameterValues.names
        var out = [[Double]](repeating: [Double](repeating: 0, count: k.count), count: names.count)
        model.chiDerivatives(model.tables(k: k, e0: v.e0, ei: v.ei), v, count: k.count, wanted: Array(names.indices), out: &out)
        for (w, name) in names.enumerated() {
            // Small steps for the cumulants: χ changes by exp(2p⁴C4/3), p⁴ ~ 5·10⁴ at k = 15.
            let h = name == "fourth" ? 1e-9 : name == "third" ? 1e-8 : max(1e-6, 1e-5 * abs(v[name]))
            var up = v, down = v
            up[name] += h; down[name] -= h
            let cu = model.chi(k: k, up).chi, cd = model.chi(k: k, down).chi
            let numeric = zip(cu, cd).map { ($0 - $1) / (2 * h) }
            let scale = numeric[40...].map(abs).max() ?? 1
            // Away from q = 0 (k² = E0·ETOK, where Larch's q has a kink) the two agree closely.
            let worst = (40..<k.count).map { abs(out[w][$0] - numeric[$0]) }.max() ?? 1
            #expect(worst <= 1e-5 * scale, "\(name): analytic vs numeric differ by \(worst) (scale \(scale))")
        }
    }
}

@Suite("σ² models")
struct Sigma2ModelTests {
    /// Larch 2026.3.1 `sigma2_debye(T, θ, path)` and `sigma2_eins(T, θ, path)` for three paths (printed
    /// with the venv of Benchmarks/feffit): (debye 300 K θ 315, eins 300 K θ 250, debye 10 K θ 315).
    static let larch: [(String, Double, Double, Double)] = [
        ("cu_13paths_ms/Feff_Cu/feff0001.dat", 0.009038150232917746, 0.007747557680423881, 0.003159754747233789),
        ("cu_13paths_ms/Feff_Cu/feff0003.dat", 0.010167919012032463, 0.01162133652063582, 0.0035547240906380127),
        ("znse_1shell/Feff_ZnSe/feff_znse.dat", 0.006784883141676012, 0.006882247458959678, 0.0024122758654889806),
    ]

    @Test func einsteinAndCorrelatedDebyeMatchLarch() throws {
        for (file, debye300, eins300, debye10) in Self.larch {
            guard let url = FeffitReference.url(file) else { print(SharedData.missing("xas/feffit/" + file)); return }
            let path = try FeffPathReader.read(url)
            #expect(abs(Sigma2Models.correlatedDebye(temperature: 300, theta: 315, path: path) / debye300 - 1) < 1e-8, "\(file)")
            #expect(abs(Sigma2Models.einstein(temperature: 300, theta: 250, path: path) / eins300 - 1) < 1e-8, "\(file)")
            #expect(abs(Sigma2Models.correlatedDebye(temperature: 10, theta: 315, path: path) / debye10 - 1) < 1e-8, "\(file)")
        }
    }
}
