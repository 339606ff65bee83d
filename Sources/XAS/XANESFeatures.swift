import Foundation
import XrayCore

/// The matching features of a XANES spectrum: over the library's matching window, normalised μ
/// and its derivative, each centred and scaled to unit length and then by 1/√2, laid end to end.
///
/// With both vectors built this way, the dot product of two feature vectors is the mean of two
/// Pearson correlation coefficients: of normalised μ and of dμ/dE (central differences on the grid).
public enum XANESFeatures {
    /// `values` (on `energy`, increasing) at E0 + grid energies by linear interpolation; NaN outside
    /// the data. Also returns the first and last covered grid indices (last < first when none).
    public static func resample(energy: [Double], values: [Double], e0: Double, grid: XANESGrid) -> (values: [Double], first: Int, last: Int) {
        var out = [Double](repeating: .nan, count: grid.count)
        var first = grid.count, last = -1
        var j = 0
        let n = energy.count
        guard n >= 2 else { return (out, first, last) }
        for i in 0..<grid.count {
            let e = e0 + grid.energy(i)
            guard e >= energy[0], e <= energy[n - 1] else { continue }
            while j + 2 < n, energy[j + 1] < e { j += 1 }
            let span = energy[j + 1] - energy[j]
            let t = span > 0 ? (e - energy[j]) / span : 0
            out[i] = values[j] + t * (values[j + 1] - values[j])
            first = min(first, i); last = max(last, i)
        }
        return (out, first, last)
    }

    /// Feature vector from the matching-window samples `window` (NaN where not measured: filled by
    /// holding the nearest measured value). Nil when fewer than 4 points are measured or the
    /// window is flat.
    public static func vector(window: [Double]) -> [Float]? {
        let n = window.count
        guard let firstValid = window.firstIndex(where: { $0.isFinite }), let lastValid = window.lastIndex(where: { $0.isFinite }),
              lastValid - firstValid >= 3 else { return nil }
        var v = window
        for i in 0..<firstValid { v[i] = v[firstValid] }
        for i in (lastValid + 1)..<n { v[i] = v[lastValid] }
        for i in firstValid...lastValid where !v[i].isFinite { v[i] = v[i - 1] }
        var d = [Double](repeating: 0, count: n)
        for i in 0..<n { d[i] = v[min(n - 1, i + 1)] - v[max(0, i - 1)] }
        guard let a = unitCentred(v), let b = unitCentred(d) else { return nil }
        let s = 1 / 2.0.squareRoot()
        return a.map { Float($0 * s) } + b.map { Float($0 * s) }
    }

    /// `x − mean(x)` scaled to unit length; nil when x is constant.
    static func unitCentred(_ x: [Double]) -> [Double]? {
        let mean = x.reduce(0, +) / Double(x.count)
        let c = x.map { $0 - mean }
        let norm = c.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-12 else { return nil }
        return c.map { $0 / norm }
    }

    /// Features of a library entry from its normalised μ on the whole grid.
    /// - Throws: `RoentgenError.badData` when the entry covers fewer than 4 window points or is flat there.
    static func make(norm: [Double], grid: XANESGrid, name: String) throws -> [Float] {
        let window = Array(norm[grid.windowStart..<(grid.windowStart + grid.windowCount)])
        guard let f = vector(window: window) else {
            throw RoentgenError(.badData, "'\(name)' has fewer than 4 measured points in the matching window \(grid.energy(grid.windowStart))…\(grid.energy(grid.windowStart + grid.windowCount - 1)) eV around E0, or is flat there")
        }
        return f
    }
}
