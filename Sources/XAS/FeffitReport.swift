import Foundation
import Refinement

/// A text report laid out like Larch's `feffit_report` (statistics, variables, correlations, then
/// each data set and its paths).
public enum FeffitReport {
    /// Larch's `gfmt`-like number: 7 significant digits, exponent form for very large or small values.
    static func g(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if x != 0 && (abs(x) < 1e-4 || abs(x) >= 1e7) { return String(format: "%.7e", x) }
        return String(format: "%.7g", x)
    }

    static func line(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: max(20, label.count), withPad: " ", startingAt: 0) + " = " + value
    }

    public static func text(_ result: FeffitResult, minCorrelation: Double = 0.1, withPaths: Bool = true) -> String {
        let s = result.statistics
        let top = "=================== FEFFIT RESULTS ===================="
        var out = [top, "[[Statistics]]"]
        out.append(line("n_function_calls", "\(s.nFunctionCalls)"))
        out.append(line("n_variables", "\(s.nVarys)"))
        out.append(line("n_data_points", "\(s.nDataPoints)"))
        out.append(line("n_independent", g(s.nIndependent)))
        out.append(line("chi_square", g(s.chiSquare)))
        out.append(line("reduced chi_square", g(s.chi2Reduced)))
        out.append(line("r-factor", g(s.rfactor)))
        out.append(line("Akaike info crit", g(s.aic)))
        out.append(line("Bayesian info crit", g(s.bic)))
        if !s.converged { out.append(line("converged", "no: \(s.message)")) }
        out.append(" ")
        out.append("[[Variables]]")
        for (p, e) in result.variables {
            let err = e.map(g) ?? "unknown"
            if p.isVaried {
                let start = result.refinement.initialValues[p.name].map(g) ?? "?"
                out.append(line(p.name, "\(g(p.value)) +/- \(err)  (init= \(start))"))
            } else if let expr = p.expression {
                out.append(line(p.name, "\(g(p.value)) +/- \(err)  = '\(expr)'"))
            } else if result.fixedUnused.contains(p.name) {
                out.append(line(p.name, "\(g(p.value)) (fixed: not used by any path)"))
            } else {
                out.append(line(p.name, "\(g(p.value)) (fixed)"))
            }
        }
        let shown = result.correlations.filter { abs($0.value) > minCorrelation }
        if !result.refinement.variedNames.isEmpty {
            out.append(" ")
            out.append("[[Correlations]] (unreported correlations are < \(String(format: "%.3f", minCorrelation)))")
            for c in shown { out.append(line("\(c.first), \(c.second)", String(format: "%+.3f", c.value).replacingOccurrences(of: "+", with: " "))) }
        }
        out.append(" ")
        for (i, ds) in result.datasets.enumerated() {
            let t = ds.transform
            out.append("[[Dataset\(result.datasets.count > 1 ? " \(i + 1) of \(result.datasets.count)" : "")]]")
            out.append(line("unique_id", "'\(ds.id)'"))
            out.append(line("fit space", "'\(t.fitspace.rawValue)'"))
            out.append(line("r-range", String(format: "%.3f, %.3f", t.rmin, t.rmax)))
            out.append(line("k-range", String(format: "%.3f, %.3f", t.kmin, t.kmax)))
            out.append(line("k window, dk", "'\(t.window.rawValue)', \(String(format: "%.3f", t.dk))" + (t.dk2.map { String(format: ", %.3f", $0) } ?? "")))
            out.append(line("paths used in fit", "[" + ds.paths.map { "'\($0.file)'" }.joined(separator: ", ") + "]"))
            out.append(line("k-weight", t.kweights.map { String(format: "%g", $0) }.joined(separator: ", ")))
            out.append(line("epsilon_k", ds.epsilonK.map(g).joined(separator: ", ")))
            out.append(line("epsilon_r", ds.epsilonR.map(g).joined(separator: ", ")))
            out.append(line("n_independent", String(format: "%.3f", ds.nIndependent)))
            if withPaths {
                out.append(" ")
                out.append("[[Paths]]")
                for p in ds.paths {
                    out.append(" = Path '\(p.label)' \(p.geometry), reff = \(g(p.reff)), nleg = \(p.nleg)")
                    out.append("    feffdat file = \(p.file)")
                    func value(_ name: String, _ v: Double, shown: String? = nil) {
                        var text = "     " + (shown ?? name).padding(toLength: 7, withPad: " ", startingAt: 0) + "= " + g(v)
                        if let e = p.stderr[name], e > 0 { text += " +/- " + g(e) }
                        if name == "r" {
                            text += "  := 'reff + \(p.expressions["deltar"] ?? "0")'"
                        } else if let expr = p.expressions[name] {
                            text += "  := '\(expr)'"
                        }
                        out.append(text)
                    }
                    value("degen", p.values.degen)
                    value("s02", p.values.s02, shown: "n*s02")
                    value("e0", p.values.e0)
                    value("r", p.r)
                    value("deltar", p.values.deltar)
                    value("sigma2", p.values.sigma2)
                    for name in ["third", "fourth", "ei"] where p.values[name] != 0 { value(name, p.values[name]) }
                    out.append("")
                }
            }
        }
        out.append(String(repeating: "=", count: top.count))
        return out.joined(separator: "\n")
    }
}
