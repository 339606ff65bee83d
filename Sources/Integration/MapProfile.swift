import Foundation

extension IntegrationResult {
    /// A 2-D result summed over one of its axes, as pyFAI's `integrate_radial` (I(χ)) and `integrate_fiber` make their
    /// profiles: per kept bin, Σ signal / Σ normalisation over every bin of the other axis (so over that axis' range),
    /// σ = √(Σ variance) / Σ normalisation, and 0 where no pixel counts. `keepingAzimuthal`: the profile runs along the
    /// second axis (χ, or a fiber map's out-of-plane one), else along the first. Nil for a 1-D result.
    func summed(keepingAzimuthal: Bool) -> IntegrationResult? {
        let nr = radial.count, na = azimuthal.count
        guard na > 0, nr > 0, sumSignal.count == nr * na else { return nil }
        let n = keepingAzimuthal ? na : nr
        var signal = [Double](repeating: 0, count: n), norm = signal, count = signal, variance = signal
        for a in 0..<na {
            for r in 0..<nr {
                let b = a * nr + r, p = keepingAzimuthal ? a : r
                signal[p] += sumSignal[b]
                norm[p] += sumNormalization[b]
                count[p] += self.count[b]
                if b < sumVariance.count { variance[p] += sumVariance[b] }
            }
        }
        var intensity = [Double](repeating: 0, count: n)
        var sigmas = sigma.isEmpty ? [] : [Double](repeating: 0, count: n)
        for p in 0..<n where count[p] != 0 && norm[p] != 0 {
            intensity[p] = signal[p] / norm[p]
            if !sigmas.isEmpty { sigmas[p] = variance[p].squareRoot() / norm[p] }
        }
        var profile = IntegrationResult(radial: keepingAzimuthal ? azimuthal : radial, azimuthal: [], intensity: intensity,
                                        sigma: sigmas, count: count, sumSignal: signal, sumNormalization: norm, sumVariance: variance,
                                        unit: unit, splitting: splitting, maskedPixels: maskedPixels)
        profile.fiber = fiber
        return profile
    }
}
