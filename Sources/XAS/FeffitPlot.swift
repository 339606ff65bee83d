import Foundation
import XrayCore

/// Data and fit of each data set in k (kʷ·χ(k) with the k window) and in R (|χ(R)| with the R range).
public enum FeffitPlot {
    public static func svg(_ result: FeffitResult, title: String) -> String {
        var panels: [SVGLinePlot.Panel] = []
        for ds in result.datasets {
            let w = ds.transform.kweights.first ?? 2
            let kw = ds.k.map { pow($0, w) }
            let scale = zip(ds.chi, kw).map { abs($0 * $1) }.max() ?? 1
            panels.append(.init(title: "\(ds.id): k-weight \(String(format: "%g", w)), k \(String(format: "%g–%g", ds.transform.kmin, ds.transform.kmax)) Å⁻¹",
                                xLabel: "k (Å⁻¹)", yLabel: "kʷ·χ(k)",
                                series: [.init(label: "data", x: ds.k, y: zip(ds.chi, kw).map { $0 * $1 }),
                                         .init(label: "fit", x: ds.k, y: zip(ds.chiModel, kw).map { $0 * $1 }),
                                         .init(label: "k window", x: ds.k, y: ds.kwin.map { $0 * scale }, color: "#999999")]))
            let rscale = ds.chirMag.max() ?? 1
            let inRange = ds.r.map { $0 >= ds.transform.rmin && $0 <= ds.transform.rmax ? rscale : 0 }
            panels.append(.init(title: "\(ds.id): R \(String(format: "%g–%g", ds.transform.rmin, ds.transform.rmax)) Å (\(ds.transform.fitspace.rawValue) space fit)",
                                xLabel: "R (Å)", yLabel: "|χ(R)| (Å^-(w+1))",
                                series: [.init(label: "data", x: ds.r, y: ds.chirMag),
                                         .init(label: "fit", x: ds.r, y: ds.chirMagModel),
                                         .init(label: "fit range", x: ds.r, y: inRange, color: "#999999")],
                                xRange: 0...min(8, ds.r.last ?? 8)))
        }
        return SVGLinePlot(title: title, panels: panels).svg()
    }
}
