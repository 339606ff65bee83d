import Foundation
import XrayCore
import XrayNumerics

/// One scan for merging or aligning: energy (eV) and μ.
public struct EnergyScan: Sendable, Hashable {
    public var energy: [Double]
    public var mu: [Double]
    public init(energy: [Double], mu: [Double]) { self.energy = energy; self.mu = mu }
}

/// The mean of several scans on the first scan's grid, with the spread between them.
public struct MergedScan: Sendable, Hashable, Codable {
    public var energy: [Double]
    /// Mean μ of the scans at each energy.
    public var mu: [Double]
    /// Standard deviation between scans at each energy (population, as numpy's `std`).
    public var muStd: [Double]
    /// Standard error of the mean: muStd/√(count − 1) (0 for a single scan).
    public var muError: [Double]
    public var count: Int
}

/// Pre-processing of scans before analysis: merge, align, deglitch, rebin.
public enum Preprocessing {
    /// Merges scans: each is tidied (`EnergyGrid.prepare`), interpolated with a not-a-knot cubic
    /// spline onto the first scan's grid trimmed to the energy range all scans share, and averaged.
    public static func merge(_ scans: [EnergyScan]) throws -> MergedScan {
        guard !scans.isEmpty else { throw RoentgenError.badParameter("merge needs at least one scan") }
        let prepared = try scans.map { try EnergyGrid.prepare(energy: $0.energy, mu: $0.mu) }
        let lo = prepared.map { $0.energy[0] }.max()!, hi = prepared.map { $0.energy[$0.energy.count - 1] }.min()!
        guard lo < hi else { throw RoentgenError(.badData, "the scans share no energy range (latest start \(lo) eV, earliest end \(hi) eV)") }
        let grid = prepared[0].energy.filter { $0 >= lo && $0 <= hi }
        guard grid.count >= 2 else { throw RoentgenError(.badData, "fewer than 2 points of the first scan lie in the common energy range") }
        var rows: [[Double]] = []
        for s in prepared {
            guard let spline = NotAKnotCubicSpline(nodes: s.energy) else { throw RoentgenError(.badData, "scan energies are not increasing") }
            rows.append(spline.evaluate(y: s.mu, at: grid))
        }
        let n = Double(rows.count)
        var mean = [Double](repeating: 0, count: grid.count), std = mean, err = mean
        for i in 0..<grid.count {
            let m = rows.reduce(0) { $0 + $1[i] } / n
            let v = rows.reduce(0) { $0 + ($1[i] - m) * ($1[i] - m) } / n
            mean[i] = m; std[i] = v.squareRoot(); err[i] = rows.count > 1 ? std[i] / (n - 1).squareRoot() : 0
        }
        return MergedScan(energy: grid, mu: mean, muStd: std, muError: err, count: rows.count)
    }

    /// The energy shift (eV) to add to `scan`'s energies so that its dμ/dE matches `reference`'s
    /// over [referenceE0 + emin, referenceE0 + emax] (a scale factor is fitted along; Levenberg–Marquardt).
    public static func alignmentShift(_ scan: EnergyScan, to reference: EnergyScan, referenceE0: Double,
                                      emin: Double = -15, emax: Double = 35) throws -> Double {
        let s = try EnergyGrid.prepare(energy: scan.energy, mu: scan.mu)
        let r = try EnergyGrid.prepare(energy: reference.energy, mu: reference.mu)
        let ds = derivative(s.mu, s.energy), dr = derivative(r.mu, r.energy)
        let i1 = indexOf(r.energy, referenceE0 + emin), i2 = indexOf(r.energy, referenceE0 + emax)
        guard i2 - i1 >= 4 else {
            throw RoentgenError.badParameter("alignment window E0\(emin) … E0+\(emax) eV holds \(i2 - i1) reference points; expected at least 4")
        }
        let xr = Array(r.energy[i1..<i2]), yr = Array(dr[i1..<i2])
        guard let spline = NotAKnotCubicSpline(nodes: s.energy) else { throw RoentgenError(.badData, "scan energies are not increasing") }
        let peak = yr.map(abs).max() ?? 1
        let fit = levenbergMarquardt(initial: [0, 1]) { p in
            let shifted = spline.evaluate(y: ds, at: xr.map { $0 - p[0] })
            return (0..<xr.count).map { (shifted[$0] * p[1] - yr[$0]) / peak }
        }
        guard fit.parameters[0].isFinite, abs(fit.parameters[0]) < 100 else {
            throw RoentgenError(.badData, "alignment did not converge (shift \(fit.parameters[0]) eV)")
        }
        return fit.parameters[0]
    }

    /// Removes glitches one at a time: each interior point is predicted by the cubic through its two
    /// neighbours on either side; while the largest departure exceeds `threshold` robust standard
    /// deviations (1.4826 × median absolute departure) and twice the spread of those four neighbours, that point is dropped and the rest re-checked
    /// (at most a tenth of the points). Returns the cleaned scan and the original indices removed.
    public static func deglitch(_ scan: EnergyScan, threshold: Double = 8) throws -> (scan: EnergyScan, removed: [Int]) {
        guard threshold > 0, threshold.isFinite else { throw RoentgenError.badParameter("deglitch threshold \(threshold); expected a finite value > 0") }
        let s = try EnergyGrid.prepare(energy: scan.energy, mu: scan.mu)
        var e = s.energy, m = s.mu, index = Array(0..<e.count)
        var removed: [Int] = []
        while removed.count < s.energy.count / 10 && e.count >= 7 {
            var departures = [Double](repeating: 0, count: e.count)
            for i in 2..<(e.count - 2) {
                let xs = [e[i - 2], e[i - 1], e[i + 1], e[i + 2]], ys = [m[i - 2], m[i - 1], m[i + 1], m[i + 2]]
                var predicted = 0.0
                for a in 0..<4 {
                    var l = 1.0
                    for b in 0..<4 where b != a { l *= (e[i] - xs[b]) / (xs[a] - xs[b]) }
                    predicted += l * ys[a]
                }
                departures[i] = m[i] - predicted
            }
            let inner = departures[2..<(e.count - 2)].map(abs).sorted()
            let sigma = 1.4826 * inner[inner.count / 2]
            // A glitch also stands out from the spread of its own neighbours (steep edges do not).
            func standsOut(_ i: Int) -> Bool {
                let span = [m[i - 2], m[i - 1], m[i + 1], m[i + 2]]
                return abs(departures[i]) > threshold * sigma && abs(departures[i]) > 2 * (span.max()! - span.min()!)
            }
            guard sigma > 0, let worst = (2..<(e.count - 2)).filter(standsOut).max(by: { abs(departures[$0]) < abs(departures[$1]) }) else { break }
            removed.append(index[worst])
            e.remove(at: worst); m.remove(at: worst); index.remove(at: worst)
        }
        return (EnergyScan(energy: e, mu: m), removed.sorted())
    }

    /// Larch's "standard 3-region XAFS scan" grid: `preStep` below E0+`pre2`, `xanesStep`
    /// (default 0.05·max(1, int(E0/1250)) eV) up to E0+`exafs1`, then uniform steps of `exafsKStep` in k.
    public static func xafsGrid(energy: [Double], e0: Double, pre2: Double = -30, preStep: Double = 2,
                                xanesStep: Double? = nil, exafs1: Double = 15, exafsKStep: Double = 0.05) throws -> [Double] {
        guard let first = energy.first, let last = energy.last, e0 > first, e0 < last else {
            throw RoentgenError.badParameter("E0 = \(e0) eV must lie inside the data for rebinning")
        }
        guard preStep > 0, exafsKStep > 0 else { throw RoentgenError.badParameter("rebin steps must be positive") }
        let xs = xanesStep ?? 0.05 * Double(max(1, Int(e0 / 1250)))
        var grid: [Double] = []
        var e = first
        while e < e0 + pre2 { grid.append(e); e += preStep }
        e = e0 + pre2
        while e < e0 + exafs1 { grid.append(e); e += xs }
        var k = (XASConstants.etok * exafs1).squareRoot()
        while true {
            let en = e0 + k * k / XASConstants.etok
            if en > last { break }
            grid.append(en); k += exafsKStep
        }
        return grid
    }

    /// Boxcar rebinning: μ averaged over the input points in each bin (bin edges half-way between
    /// grid points); empty bins take the linear interpolation of the input.
    public static func rebin(_ scan: EnergyScan, onto grid: [Double]) throws -> EnergyScan {
        let s = try EnergyGrid.prepare(energy: scan.energy, mu: scan.mu)
        guard grid.count >= 2 else { throw RoentgenError.badParameter("rebin grid needs at least 2 points") }
        for i in 1..<grid.count where !(grid[i] > grid[i - 1]) { throw RoentgenError.badParameter("rebin grid must be strictly increasing") }
        let fallback = interpolateLinear(x: s.energy, y: s.mu, at: grid)
        var out = [Double](repeating: 0, count: grid.count)
        var j = 0
        for i in 0..<grid.count {
            let lo = i == 0 ? -Double.infinity : 0.5 * (grid[i - 1] + grid[i])
            let hi = i == grid.count - 1 ? Double.infinity : 0.5 * (grid[i] + grid[i + 1])
            while j < s.energy.count && s.energy[j] < lo { j += 1 }
            var sum = 0.0, count = 0, k = j
            while k < s.energy.count && s.energy[k] < hi { sum += s.mu[k]; count += 1; k += 1 }
            out[i] = count > 0 ? sum / Double(count) : fallback[i]
        }
        return EnergyScan(energy: grid, mu: out)
    }
}
