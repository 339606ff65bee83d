import Foundation

/// A minimal SVG writer for diffraction plots: line curves and stick patterns on 2θ axes.
///
/// Self-contained (no shared plot dependency); the output is plain SVG 1.1 text.
public struct PatternPlot {
    public struct Series {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// Draw as vertical sticks from zero instead of a polyline.
        public var sticks: Bool
        public var color: String
        public init(label: String, x: [Double], y: [Double], sticks: Bool = false, color: String = "#1f77b4") {
            self.label = label; self.x = x; self.y = y; self.sticks = sticks; self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 800.0, height = 450.0

    public init(title: String, xLabel: String = "2θ (degrees)", yLabel: String = "intensity", series: [Series]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
    }

    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// "Nice" tick values covering lo…hi.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    /// The SVG document.
    public func svg() -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let xs = series.flatMap(\.x).filter(\.isFinite), ys = series.flatMap(\.y).filter(\.isFinite)
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, xMin + 1e-9)
        let yMin = min(0, ys.min() ?? 0), yMax = max(ys.max() ?? 1, yMin + 1e-9) * 1.05
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - yMin) / (yMax - yMin) * ph }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(Self.escape(title))</text>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"black\"/>\n"
        for t in Self.ticks(xMin, xMax) {
            s += String(format: "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>", px(t), top + ph, px(t), top + ph + 5)
            s += String(format: "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%@</text>\n", px(t), top + ph + 18, Self.label(t) as NSString)
        }
        for t in Self.ticks(yMin, yMax) {
            s += String(format: "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>", left - 5, py(t), left, py(t))
            s += String(format: "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%@</text>\n", left - 8, py(t) + 4, Self.label(t) as NSString)
        }
        s += "<text x=\"\(left + pw / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16,\(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (n, item) in series.enumerated() {
            if item.sticks {
                var d = ""
                for (x, y) in zip(item.x, item.y) where x.isFinite && y.isFinite {
                    d += String(format: "M%.2f %.2fV%.2f", px(x), py(0), py(y))
                }
                s += "<path d=\"\(d)\" stroke=\"\(item.color)\" stroke-width=\"1.5\" fill=\"none\"/>\n"
            } else {
                var points = ""
                points.reserveCapacity(item.x.count * 16)
                for (x, y) in zip(item.x, item.y) where x.isFinite && y.isFinite {
                    points += String(format: "%.2f,%.2f ", px(x), py(y))
                }
                s += "<polyline points=\"\(points)\" stroke=\"\(item.color)\" stroke-width=\"1\" fill=\"none\"/>\n"
            }
            s += String(format: "<text x=\"%.2f\" y=\"%.2f\" fill=\"%@\">%@</text>\n", left + pw - 150, top + 16 + 16 * Double(n), item.color as NSString, Self.escape(item.label) as NSString)
        }
        s += "</svg>\n"
        return s
    }

    private static func label(_ v: Double) -> String {
        abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? String(format: "%.1e", v) : String(format: "%g", v)
    }
}
