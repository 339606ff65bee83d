import Foundation

/// How pixels are shared between bins (pyFAI's `split` of the integration method).
public enum PixelSplitting: String, Sendable, CaseIterable {
    /// Each pixel goes whole into the bin of its centre (pyFAI `("no", "histogram", "cython")`).
    case no
    /// Each pixel is spread over the bins its bounding box (centre ± half-extent) covers, in
    /// proportion to the overlap (pyFAI `("bbox", "csr", "cython")`).
    case bbox
    /// Each pixel, as the quadrilateral of its four corners in (radial, χ), is spread over the
    /// radial bins (and χ bins of a cake) in proportion to its area in each (pyFAI
    /// `("full", "csr", "cython")`; `FullPixelSplit`).
    case full
}

/// The error propagated into each bin.
public enum ErrorModel: String, Sendable {
    /// No error: sigma is not computed.
    case none
    /// Poisson: a pixel's variance is max(raw, 1), of the raw frame also when a dark is subtracted
    /// (the dark is taken as noiseless, as pyFAI 2026.9 computes it);
    /// σ = √(Σ c²·var) / Σ c·norm (pyFAI's "sem").
    case poisson
    /// From the spread of the normalised pixel values x = signal/norm in the bin about its
    /// weighted mean, as pyFAI's `error_model="azimuthal"` (its online update in pixel order,
    /// `AzimuthalIntegrator.azimuthalVariance`); σ = √V / Σ c·norm.
    case azimuthal
    /// pyFAI's `error_model="hybrid"`: sigma clipping cuts on the azimuthal spread (as `azimuthal`)
    /// and the σ of the kept pixels is Poisson's; without clipping it is `poisson` (measured, pyFAI
    /// 2026.9's `integrate1d`: σ equal to Poisson's in every bin).
    case hybrid
}

/// pyFAI's `sigma_clip` (its `sigma_clip_ng`, CSR without pixel splitting): each radial bin
/// keeps only the pixels whose normalised value x = signal / norm lies within
/// k·σ of the bin's weighted mean, re-averaging after each pass, with
/// k = max(`threshold`, √(2 ln(n / √(2π)))) for the bin's n kept pixels (Chauvenet's criterion,
/// n at least 3) and σ the per-pixel spread of the error model (Poisson: √(Σ c²·var) / √(Σ (c·norm)²);
/// azimuthal: the bin's own spread). It takes Bragg spots, hot pixels and streaks out of an
/// isotropic ring pattern (solvent, amorphous, powder background).
public struct SigmaClip: Sendable, Equatable {
    /// pyFAI's `thres`: the smallest cut-off in standard deviations (≥ 0; 0: Chauvenet's alone).
    public var threshold: Double
    /// pyFAI's `max_iter`: passes of clipping at most (each stops early when it removes nothing).
    public var maxIterations: Int
    public init(threshold: Double = 5, maxIterations: Int = 5) {
        self.threshold = threshold
        self.maxIterations = maxIterations
    }
}

/// Everything that, with the geometry and the mask, decides the bins and their weights.
public struct IntegrationOptions: Sendable {
    /// Number of radial bins.
    public var npt: Int = 1000
    public var unit: RadialUnit = .twoThetaDegrees
    public var splitting: PixelSplitting = .no
    /// Radial range in `unit` (default: pyFAI's, from the pixel positions).
    public var radialRange: ClosedRange<Double>?
    /// Azimuthal range in degrees (χ, −180…180): the cake's χ bins span it (default: from the pixel
    /// positions); a 1-D pattern integrates only that sector (see `SplitMatrix`).
    public var azimuthRange: ClosedRange<Double>?
    /// Number of azimuthal bins for `integrate2d`.
    public var nptAzimuthal: Int = 360
    /// Polarisation fraction P (nil: no polarisation correction).
    public var polarizationFactor: Double?
    /// Divide by the relative solid angle.
    public var correctSolidAngle: Bool = true
    public var errorModel: ErrorModel = .poisson
    /// Sigma clipping of each bin's pixels before averaging (pyFAI's `sigma_clip`); nil: none.
    public var sigmaClip: SigmaClip?
    /// Threads for each frame's sparse product (1 or 2 help on this machine).
    public var threads: Int = 2
    /// A grazing-incidence / fiber map (2-D: in-plane × out-of-plane, `npt` × `nptAzimuthal` bins, `radialRange`
    /// the in-plane range) instead of a radial × χ one; nil for azimuthal integration.
    public var fiber: FiberIntegration?

    public init() {}
}
