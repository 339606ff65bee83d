import Foundation
import Refinement
import Testing
import TestSupport
@testable import XAS

@Suite("feffit Jacobian")
struct FeffitJacobianTests {
    /// The model's analytic ∂r/∂(path parameter) (k-space derivatives of the path sum taken through
    /// the same partial transforms as the residual) agree with central differences of the residual,
    /// for every parameter the paths read, at the recipe's start values: cu_1shell (R space), the 13
    /// Cu paths (R space, three k-weights, multiple scattering) and FeO in q space.
    @Test(arguments: [("cu_1shell", "main"), ("cu_13paths_ms", "main"), ("feo_2path", "q")])
    func analyticMatchesCentralDifferences(_ name: String, _ variant: String) throws {
        guard let loader = try RecipeLoader(name) else { return }
        let datasets = try loader.datasets(variant: loader.variants.contains(variant) ? variant : loader.variants[0])
        let paths = try PathExpressions(datasets: datasets, parameters: loader.parameters(), functions: Feffit.functions)
        let prepared = try datasets.enumerated().map { d, ds in try PreparedDataSet(ds, parameterNames: paths.names[d]) }
        let model = FeffitModel(datasets: prepared)
        let p = try paths.parameters.evaluated(functions: paths.functions)
        let names = model.pathParameter.keys.sorted()
        let columns = try #require(try model.derivatives(p, for: names))
        #expect(columns.count == names.count)
        for (c, name) in names.enumerated() {
            let slot = try #require(p.index(of: name))
            let kind = model.pathParameter[name]![0].2  // index in PathParameterValues.names
            let value = p.values[slot]
            let h = kind == 6 ? 1e-9 : kind == 5 ? 1e-8 : max(1e-6, 1e-5 * abs(value))
            var up = p, down = p
            up.values[slot] += h
            down.values[slot] -= h
            let ru = try model.residuals(up), rd = try model.residuals(down)
            let numeric = zip(ru, rd).map { ($0 - $1) / (2 * h) }
            let scale = numeric.map(abs).max() ?? 0
            let worst = zip(columns[c], numeric).map { abs($0 - $1) }.max() ?? .infinity
            #expect(scale > 0, "\(name): no effect on the residual")
            #expect(worst <= 1e-5 * scale, "\(name): analytic and central-difference columns differ by \(worst) (scale \(scale))")
        }
    }
}
