import XrayNumerics

/// E0, the absorption threshold, as Larch's `find_e0` computes it.
///
/// A first pass takes the point of largest dμ/dE that has high-derivative neighbours on both
/// sides; a second pass repeats this on ±75 points around it with dμ/dE smoothed by a Lorentzian
/// whose width is the mean of the typical energy step and E/25000. The result is an energy
/// of the (de-duplicated) grid, in eV. `energy` must be increasing, `energy.count == mu.count ≥ 10`.
public func findE0(energy: [Double], mu: [Double]) -> Double {
    let n = energy.count
    let first = edgeCandidate(energy: energy, mu: mu, estep: nil, smooth: false)
    var e1 = first.energy
    var istart = max(3, first.index - 75)
    var istop = min(first.index + 75, n - 3)
    if Double(first.index) < 0.05 * Double(n) {
        e1 = energy.reduce(0, +) / Double(n)
        istart = max(3, first.index - 20)
        istop = n - 3
    }
    let clamp = { (v: Double) in max(0.01, v.isNaN ? 1.0 : min(1.0, v)) }
    let estep = 0.5 * (clamp(first.estep) + clamp(e1 / 25000))
    guard istop - istart >= 4 else { return first.energy }
    let second = edgeCandidate(energy: Array(energy[istart..<istop]), mu: Array(mu[istart..<istop]),
                               estep: estep, smooth: true)
    if second.index < 1 { return energy[istart + 2] }
    return second.energy
}

/// Larch's `find_energy_step`: the mean of the smallest steps after ignoring the smallest 1 %.
/// NaN for fewer than 100 points (Larch's slice then is empty), which callers clamp.
/// `count`: use the first `count` values of `en` only (default all).
func typicalEnergyStep(_ en: [Double], count total: Int? = nil) -> Double {
    let total = total ?? en.count
    let nskip = Int(0.01 * Double(total))
    let count = total - 1  // Larch's "ordered" slice drops the last point
    guard nskip > 0, count > 2 * nskip + 1 else { return .nan }
    // Steps of en[nskip ..< count − nskip]; only the smallest nskip + 10 of them matter, so they are
    // kept in a short sorted buffer instead of sorting all steps (the same values, summed in the same order).
    let lo = nskip, hi = count - nskip
    let keep = nskip + 10
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: keep + 1) { smallest -> Double in
        // smallest[0 ..< count] ascending; an insertion into a full buffer pushes the largest out
        // (into slot `keep`, which is then ignored).
        var count = 0
        en.withUnsafeBufferPointer { v in
            for i in (lo + 1)..<hi {
                let d = v[i] - v[i - 1]
                if count == keep && d >= smallest[keep - 1] { continue }
                var at = count
                while at > 0 && smallest[at - 1] > d { smallest[at] = smallest[at - 1]; at -= 1 }
                smallest[at] = d
                if count < keep { count += 1 }
            }
        }
        guard count > nskip else { return .nan }
        var sum = 0.0
        for q in nskip..<count { sum += smallest[q] }
        return sum / Double(count - nskip)
    }
}

private func edgeCandidate(energy: [Double], mu: [Double], estep: Double?, smooth: Bool)
    -> (energy: Double, index: Int, estep: Double) {
    // Larch drops the last point here (its "ordered" index set stops one short): the first n
    // energies and μ values are used (no copies of them).
    let en = EnergyGrid.removeDuplicates(energy, tiny: XASConstants.tinyEnergy)
    let n = en.count - 1
    let step = estep ?? typicalEnergyStep(en, count: n)
    guard n >= 3 else { return (n >= 1 ? en[0] : energy[0], 0, step) }
    let nmin = max(3, Int(Double(n) * 0.02))
    var dmu = derivative(mu, en, count: n)
    if smooth, let s = lorentzianSmooth(x: Array(en[0..<n]), y: dmu, sigma: step, xstep: step) { dmu = s }
    for i in 0..<n where !dmu[i].isFinite { dmu[i] = -1 }
    if n > 2 * nmin {
        dmu.withUnsafeMutableBufferPointer { d in
            // min and max of d[nmin ..< n − nmin] (all finite here), two lanes at a time: the
            // extremes do not depend on the order of comparison.
            let raw = UnsafeRawPointer(d.baseAddress! + nmin), count = n - 2 * nmin
            var lo2 = SIMD2(repeating: d[nmin]), hi2 = lo2
            var i = 0
            while i + 2 <= count {
                let v = raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD2<Double>.self)
                lo2 = pointwiseMin(lo2, v); hi2 = pointwiseMax(hi2, v)
                i += 2
            }
            var lo = min(lo2[0], lo2[1]), hi = max(hi2[0], hi2[1])
            if i < count { lo = min(lo, d[nmin + i]); hi = max(hi, d[nmin + i]) }
            let ptp = max(1e-10, hi - lo)
            for i in 0..<n { d[i] = (d[i] - lo) / ptp }
        }
    }
    var dhigh = n > 20 ? 0.60 : 0.30
    var high = [Bool](repeating: false, count: n)
    func mark() -> Int {
        var c = 0
        for i in 0..<n { high[i] = dmu[i] > dhigh; if high[i] { c += 1 } }
        return c
    }
    var count = mark()
    if count < 3 {
        for _ in 0..<2 {
            if count > 3 { break }
            dhigh *= 0.5
            count = mark()
        }
    }
    if count < 3 { for i in 0..<n { high[i] = dmu[i].isFinite } }
    var imax = 0, dmax = 0.0
    for i in 0..<n where high[i] {
        if i < nmin || i > n - nmin { continue }
        let up = i + 1 < n && high[i + 1]
        let down = i >= 1 && high[i - 1]
        if dmu[i] > dmax && up && down { imax = i; dmax = dmu[i] }
    }
    return (en[imax], imax, step)
}
