extension IntegrationResult {
    /// The result divided by `factor` (a frame's monitor × a constant factor), as pyFAI's
    /// `normalization_factor`: it multiplies every pixel's normalisation (pyFAI
    /// `engines/preproc.py`: `normalization = zeros + normalization_factor`, then × solid angle ×
    /// polarisation × flat), so Σ normalisation scales by `factor` and the intensity and σ
    /// (Σ signal / Σ norm, √Σ variance / Σ norm) are divided by it. Empty bins stay 0.
    public func normalized(by factor: Double) -> IntegrationResult {
        guard factor != 1 else { return self }
        var r = self
        for i in r.intensity.indices { r.intensity[i] /= factor }
        for i in r.sigma.indices { r.sigma[i] /= factor }
        for i in r.sumNormalization.indices { r.sumNormalization[i] *= factor }
        return r
    }
}
