import Foundation

extension AzimuthalIntegrator {
    /// pyFAI's `error_model="azimuthal"` variance per bin: the spread of the normalised pixel
    /// values x = signal / norm about the bin's weighted mean, accumulated online in pixel order
    /// as pyFAI's Cython engines do (histogram and CSR; pyFAI 2026.9 `statistics` documentation,
    /// "azimuthal" model, after Schubert & Gertz, SSDBM 2018, weighted Welford update):
    ///
    ///     ω_b = c·norm, Ω_{A∪b} = Ω_A + ω_b,
    ///     V_{A∪b} = V_A + ω_b²·(x_b − ⟨A⟩)·(x_b − ⟨A∪b⟩),  ⟨A⟩ = Σ c·signal / Ω_A,
    ///
    /// with V = 0 after a bin's first pixel. It approximates Σ ω²·(x − x̄)² (the two-pass form
    /// pyFAI's Python engines use) and is what pyFAI reports; σ = √V / Ω ("sem").
    /// Pixels run in index order on one thread (the update depends on the order).
    func azimuthalVariance(_ frame: [Double], dark: [Double]?, validity: ValidityRule) -> [Double] {
        let bins = split.radialBins * split.azimuthBins
        var signal = [Double](repeating: 0, count: bins), omega = signal, omega2 = signal, variance = signal
        let matrix = split.matrix
        let maskNegative = validity.maskNegative
        for p in 0..<(rows * columns) {
            let e0 = matrix.rowStart[p], e1 = matrix.rowStart[p + 1]
            if e0 == e1 { continue }
            let v = frame[p]
            if v.isNaN || (maskNegative && v < 0) || validity.isDummy(v) { continue }
            let s = v - (dark?[p] ?? 0)
            let np = normalization[p]
            guard np != 0 else { continue }
            let x = s / np
            for e in e0..<e1 {
                let b = Int(matrix.columnIndex[e])
                let c = Double(matrix.values[e])
                let w = c * np
                if omega2[b] > 0 {
                    let before = signal[b] / omega[b] - x
                    signal[b] += c * s
                    omega[b] += w
                    omega2[b] += w * w
                    let after = signal[b] / omega[b] - x
                    variance[b] += w * w * before * after
                } else {
                    signal[b] = c * s
                    omega[b] = w
                    omega2[b] = w * w
                }
            }
        }
        return variance
    }
}
