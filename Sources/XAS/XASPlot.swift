import XrayCore

/// The three standard XAS views as one SVG: normalised μ(E) (and flattened), χ(k)·k², |χ(R)|.
public enum XASPlot {
    public static func svg(_ result: XASResult, title: String) -> String {
        let pre = result.preEdge
        var panels = [SVGLinePlot.Panel(title: String(format: "E0 = %.2f eV, edge step = %.4g", pre.e0, pre.edgeStep),
                                        xLabel: "energy (eV)", yLabel: "normalised μ(E)",
                                        series: [.init(label: "norm", x: result.energy, y: pre.norm),
                                                 .init(label: "flat", x: result.energy, y: pre.flat)])]
        if let bkg = result.autobk {
            panels.append(.init(xLabel: "k (Å⁻¹)", yLabel: "χ(k)·k² (Å⁻²)",
                                series: [.init(label: "χ·k²", x: bkg.k, y: zip(bkg.k, bkg.chi).map { $0 * $0 * $1 })]))
        }
        if let ft = result.transform {
            panels.append(.init(xLabel: "R (Å)", yLabel: "|χ(R)| (Å⁻³)",
                                series: [.init(label: "|χ(R)|", x: ft.r, y: ft.chirMag), .init(label: "Re χ(R)", x: ft.r, y: ft.chirRe, color: "#bbbbbb")],
                                xRange: 0...6))
        }
        return SVGLinePlot(title: title, panels: panels).svg()
    }
}
