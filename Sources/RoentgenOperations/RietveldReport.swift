import Diffraction
import Foundation
import Refinement
import XrayCore

/// Printing of Rietveld results: the text summary, the `--json` object (keys as issue #14 lists them)
/// and the SVG plot.
public enum RietveldReport {
    public static func text(_ model: RietveldModel, _ r: RietveldResult, seconds: Double) -> String {
        let s = r.statistics
        var out = String(format: "Rwp %.3f %%  Rp %.3f %%  Rexp %.3f %%  GoF %.3f  χ² %.6g  N %d  P %d  (%@, %d evaluations, %.2f s)\n",
                         s.rwp, s.rp, s.rexp, s.gof, s.chi2, s.nPoints, s.nParameters,
                         r.refinement.converged ? "converged" : "NOT converged: \(r.refinement.message)", r.refinement.evaluations, seconds)
        for (i, phase) in model.phases.enumerated() {
            let c = r.structures[i].cell
            out += "\nPhase \(phase.name): a \(fmt(c.a, r, "\(phase.key)_a")) b \(fmt(c.b, r, "\(phase.key)_b")) c \(fmt(c.c, r, "\(phase.key)_c"))"
            out += " α \(fmt(c.alpha, r, "\(phase.key)_alpha")) β \(fmt(c.beta, r, "\(phase.key)_beta")) γ \(fmt(c.gamma, r, "\(phase.key)_gamma"))\n"
            out += String(format: "  weight fraction %.4f ± %.4f, %d reflections\n", r.weightFractions[i].value, r.weightFractions[i].esd,
                          r.calculation.lines[i].count)
        }
        out += "\nParameters (varied ± esd):\n"
        for name in r.refinement.variedNames {
            out += "  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%.6g", r.refinement.value(name) ?? .nan)) ± \(String(format: "%.3g", r.refinement.esd[name] ?? 0))\n"
        }
        let strong = r.refinement.correlations(above: 0.8)
        if !strong.isEmpty {
            out += "Correlations above 0.8: " + strong.map { "\($0.first)/\($0.second) \(String(format: "%.2f", $0.value))" }.joined(separator: ", ") + "\n"
        }
        for warning in r.warnings { out += "warning: \(warning)\n" }
        return out
    }

    static func fmt(_ v: Double, _ r: RietveldResult, _ name: String) -> String {
        if let e = r.refinement.esd[name], e > 0 { return String(format: "%.6f(%.6f)", v, e) }
        return String(format: "%.6g", v)
    }

    public static func json(_ model: RietveldModel, _ r: RietveldResult, provenance: Provenance, seconds: Double) -> [String: Any] {
        let s = r.statistics
        var phases: [[String: Any]] = []
        let cellKeys = ["a", "b", "c", "alpha", "beta", "gamma"]
        for (i, phase) in model.phases.enumerated() {
            let c = r.structures[i].cell
            let values = [c.a, c.b, c.c, c.alpha, c.beta, c.gamma]
            var cell: [String: Any] = [:], cellEsd: [String: Any] = [:]
            for (k, v) in zip(cellKeys, values) {
                cell[k] = v
                cellEsd[k] = r.refinement.esd["\(phase.key)_\(k)"] ?? 0
            }
            let keys = model.siteKeys(phase: i)
            let sites: [[String: Any]] = r.structures[i].sites.enumerated().map { j, site in
                let base = "\(phase.key)_\(keys[j])"
                var d: [String: Any] = ["label": site.label, "x": site.fract.x, "y": site.fract.y, "z": site.fract.z,
                                        "uiso": site.uIso ?? 0, "occupancy": site.occupancy]
                for (key, suffix) in [("x", "x"), ("y", "y"), ("z", "z"), ("uiso", "uiso"), ("occupancy", "occ")] {
                    d["\(key)_esd"] = r.refinement.esd["\(base)_\(suffix)"] ?? 0
                }
                return d
            }
            let lines: [[String: Any]] = r.calculation.lines[i].enumerated().map { l, line in
                ["hkl": line.hkl, "two_theta": line.twoTheta, "d": line.d, "multiplicity": line.multiplicity,
                 "f_squared": line.fSquared, "i_calc": line.intensity, "i_obs": r.observedIntensities[i][l]]
            }
            phases.append(["name": phase.name, "cell": cell, "cell_esd": cellEsd,
                           "weight_fraction": r.weightFractions[i].value, "weight_fraction_esd": r.weightFractions[i].esd,
                           "sites": sites, "reflections": lines])
        }
        var parameters: [String: Any] = [:]
        for p in r.refinement.parameters.all {
            parameters[p.name] = ["value": p.value, "esd": r.refinement.esd[p.name] ?? 0] as [String: Any]
        }
        let correlations = r.refinement.correlations(above: 0.8).map { ["first": $0.first, "second": $0.second, "value": $0.value] as [String: Any] }
        var prov: [String: Any] = ["reader": provenance.reader ?? "", "file": provenance.file ?? "", "sha256": provenance.sha256 ?? "",
                                   "program": "roentgen xrd refine", "seconds": seconds, "evaluations": r.refinement.evaluations, "jacobians": r.jacobianEvaluations,
                                   "message": r.refinement.message]
        prov["steps"] = r.refinement.steps.map { ["name": $0.name, "chi2": $0.chiSquare, "evaluations": $0.evaluations] as [String: Any] }
        return ["rwp": s.rwp, "rp": s.rp, "rexp": s.rexp, "gof": s.gof, "chi2": s.chi2, "n_points": s.nPoints,
                "n_parameters": s.nParameters, "converged": r.refinement.converged, "phases": phases,
                "parameters": parameters, "correlations": correlations, "warnings": r.warnings,
                "pattern": ["two_theta": model.twoTheta, "observed": model.observed, "calculated": r.calculation.calculated,
                            "background": r.calculation.background],
                "provenance": prov]
    }

    /// Observed, calculated and background on top; the difference below; a tick row per phase under the pattern.
    public static func plot(_ model: RietveldModel, _ r: RietveldResult) -> String {
        let x = model.twoTheta
        let diff = zip(model.observed, r.calculation.calculated).map { $0 - $1 }
        let minObs = model.observed.min() ?? 0, maxObs = model.observed.max() ?? 1
        var series: [SVGLinePlot.Series] = [
            .init(label: "observed", x: x, y: model.observed, color: "#1f77b4"),
            .init(label: "calculated", x: x, y: r.calculation.calculated, color: "#d62728"),
            .init(label: "background", x: x, y: r.calculation.background, color: "#7f7f7f"),
        ]
        for (i, phase) in model.phases.enumerated() {
            let positions = r.calculation.lines[i].map(\.twoTheta).filter { $0 >= x.first! && $0 <= x.last! }
            let base = minObs - Double(i + 1) * 0.04 * (maxObs - minObs)
            var tx: [Double] = [], ty: [Double] = []
            for p in positions { tx.append(p); ty.append(base) }
            series.append(.init(label: "\(phase.name) reflections", x: tx, y: ty, color: SVGLinePlot.palette[(i + 2) % 8], sticks: true))
        }
        let panels = [
            SVGLinePlot.Panel(title: String(format: "Rietveld fit: Rwp %.2f %%, GoF %.2f", r.statistics.rwp, r.statistics.gof),
                              xLabel: "2θ (°)", yLabel: "counts", series: series),
            SVGLinePlot.Panel(xLabel: "2θ (°)", yLabel: "obs − calc", series: [.init(label: "difference", x: x, y: diff, color: "#2ca02c")]),
        ]
        return SVGLinePlot(panels: panels, width: 900, panelHeight: 300).svg()
    }
}
