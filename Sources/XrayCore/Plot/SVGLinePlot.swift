import Foundation

/// A small, dependency-free SVG writer for line plots: one or more panels stacked vertically,
/// each with its own axes, labels and any number of series. Reusable by every module.
///
/// ```swift
/// let svg = SVGLinePlot(title: "Fe foil", panels: [
///     .init(xLabel: "E (eV)", yLabel: "μ(E)", series: [.init(label: "μ", x: e, y: mu)]),
/// ]).svg()
/// ```
public struct SVGLinePlot: Sendable {
    /// One curve.
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// CSS colour; nil picks from a fixed palette by position.
        public var color: String?
        /// Draw vertical sticks from zero instead of a line.
        public var sticks: Bool
        public init(label: String, x: [Double], y: [Double], color: String? = nil, sticks: Bool = false) {
            self.label = label; self.x = x; self.y = y; self.color = color; self.sticks = sticks
        }
    }

    /// One set of axes.
    public struct Panel: Sendable {
        public var title: String?
        public var xLabel: String
        public var yLabel: String
        public var series: [Series]
        /// Fixed x range; nil fits the data.
        public var xRange: ClosedRange<Double>?
        public init(title: String? = nil, xLabel: String, yLabel: String, series: [Series], xRange: ClosedRange<Double>? = nil) {
            self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.xRange = xRange
        }
    }

    public var title: String?
    public var panels: [Panel]
    /// Size of the whole figure and of each panel, in pixels.
    public var width: Double
    public var panelHeight: Double

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    public init(title: String? = nil, panels: [Panel], width: Double = 720, panelHeight: Double = 260) {
        self.title = title; self.panels = panels; self.width = width; self.panelHeight = panelHeight
    }

    /// The SVG document.
    public func svg() -> String {
        let top = title == nil ? 10.0 : 34.0
        let height = top + Double(panels.count) * panelHeight + 10
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        if let title { out += "<text x=\"\(fmt(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n" }
        for (i, panel) in panels.enumerated() {
            out += render(panel, originY: top + Double(i) * panelHeight)
        }
        return out + "</svg>\n"
    }

    private func render(_ panel: Panel, originY: Double) -> String {
        let left = 70.0, right = width - 20, plotTop = originY + (panel.title == nil ? 12 : 28), bottom = originY + panelHeight - 42
        let finite = panel.series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite } }
        var xs = panel.xRange.map { ($0.lowerBound, $0.upperBound) } ?? (finite.map(\.0).min() ?? 0, finite.map(\.0).max() ?? 1)
        let inRange = finite.filter { $0.0 >= xs.0 && $0.0 <= xs.1 }
        var ys = (inRange.map(\.1).min() ?? 0, inRange.map(\.1).max() ?? 1)
        if panel.series.contains(where: \.sticks) { ys.0 = min(ys.0, 0) }
        if xs.1 <= xs.0 { xs = (xs.0 - 1, xs.0 + 1) }
        if ys.1 <= ys.0 { ys = (ys.0 - 1, ys.0 + 1) }
        let pad = 0.05 * (ys.1 - ys.0)
        ys = (ys.0 - pad, ys.1 + pad)
        func px(_ x: Double) -> Double { left + (x - xs.0) / (xs.1 - xs.0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - ys.0) / (ys.1 - ys.0) * (bottom - plotTop) }
        var out = "<g>\n"
        if let t = panel.title { out += "<text x=\"\(fmt((left + right) / 2))\" y=\"\(fmt(originY + 18))\" text-anchor=\"middle\">\(escape(t))</text>\n" }
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(plotTop))\" width=\"\(fmt(right - left))\" height=\"\(fmt(bottom - plotTop))\" fill=\"none\" stroke=\"#333\"/>\n"
        for t in ticks(xs.0, xs.1) {
            out += "<line x1=\"\(fmt(px(t)))\" y1=\"\(fmt(bottom))\" x2=\"\(fmt(px(t)))\" y2=\"\(fmt(bottom + 4))\" stroke=\"#333\"/>"
            out += "<text x=\"\(fmt(px(t)))\" y=\"\(fmt(bottom + 16))\" text-anchor=\"middle\">\(label(t))</text>\n"
        }
        for t in ticks(ys.0, ys.1) {
            out += "<line x1=\"\(fmt(left - 4))\" y1=\"\(fmt(py(t)))\" x2=\"\(fmt(left))\" y2=\"\(fmt(py(t)))\" stroke=\"#333\"/>"
            out += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(py(t) + 4))\" text-anchor=\"end\">\(label(t))</text>\n"
        }
        out += "<text x=\"\(fmt((left + right) / 2))\" y=\"\(fmt(bottom + 34))\" text-anchor=\"middle\">\(escape(panel.xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(fmt((plotTop + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(panel.yLabel))</text>\n"
        for (i, s) in panel.series.enumerated() {
            let color = s.color ?? Self.palette[i % Self.palette.count]
            let pts = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite && $0.0 >= xs.0 && $0.0 <= xs.1 }
            if s.sticks {
                for (x, y) in pts { out += "<line x1=\"\(fmt(px(x)))\" y1=\"\(fmt(py(0)))\" x2=\"\(fmt(px(x)))\" y2=\"\(fmt(py(y)))\" stroke=\"\(color)\"/>\n" }
            } else if !pts.isEmpty {
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.3\" points=\""
                out += pts.map { "\(fmt(px($0.0))),\(fmt(py($0.1)))" }.joined(separator: " ")
                out += "\"/>\n"
            }
            out += "<text x=\"\(fmt(right - 8))\" y=\"\(fmt(plotTop + 16 + 15 * Double(i)))\" text-anchor=\"end\" fill=\"\(color)\">\(escape(s.label))</text>\n"
        }
        return out + "</g>\n"
    }

    /// About five "nice" tick values (1, 2, 5 × 10ⁿ) covering [lo, hi].
    private func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step, out: [Double] = []
        while t <= hi + 1e-9 * step && out.count < 20 { out.append(abs(t) < 1e-12 * step ? 0 : t); t += step }
        return out
    }

    private func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.2g", v) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    private func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
