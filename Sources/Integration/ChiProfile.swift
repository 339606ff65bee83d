import Foundation

extension IntegrationResult {
    /// The label of the x axis: the radial unit's (`2th_deg` …), or `chi_deg` for an I(χ) profile.
    public var axisLabel: String { isChiProfile ? "chi_deg" : unit.label }

    /// The x axis for a NeXus file: name and units.
    public var nexusAxis: (name: String, units: String) { isChiProfile ? ("chi", "degree") : unit.nexusAxis }

    /// The azimuthal profile I(χ) of a cake, as pyFAI's `integrate_radial` makes it: per χ bin,
    /// Σ signal / Σ normalisation over every radial bin of the cake (so over the cake's radial
    /// range), σ = √(Σ variance) / Σ normalisation, and 0 where no pixel counts. Texture and strain
    /// work read a ring's intensity this way. Nil for a 1-D result.
    public func chiProfile() -> IntegrationResult? {
        let nr = radial.count, na = azimuthal.count
        guard na > 0, nr > 0, sumSignal.count == nr * na else { return nil }
        var signal = [Double](repeating: 0, count: na), norm = signal, count = signal, variance = signal
        for a in 0..<na {
            for r in 0..<nr {
                let b = a * nr + r
                signal[a] += sumSignal[b]
                norm[a] += sumNormalization[b]
                count[a] += self.count[b]
                if b < sumVariance.count { variance[a] += sumVariance[b] }
            }
        }
        var intensity = [Double](repeating: 0, count: na)
        var sigmas = sigma.isEmpty ? [] : [Double](repeating: 0, count: na)
        for a in 0..<na where count[a] != 0 && norm[a] != 0 {
            intensity[a] = signal[a] / norm[a]
            if !sigmas.isEmpty { sigmas[a] = variance[a].squareRoot() / norm[a] }
        }
        var profile = IntegrationResult(radial: azimuthal, azimuthal: [], intensity: intensity, sigma: sigmas, count: count,
                                        sumSignal: signal, sumNormalization: norm, sumVariance: variance,
                                        unit: unit, splitting: splitting, maskedPixels: maskedPixels)
        profile.isChiProfile = true
        return profile
    }
}
