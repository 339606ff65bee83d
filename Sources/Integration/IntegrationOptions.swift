import Foundation

/// How pixels are shared between bins (pyFAI's `split` of the integration method).
public enum PixelSplitting: String, Sendable, CaseIterable {
    /// Each pixel goes whole into the bin of its centre (pyFAI `("no", "histogram", "cython")`).
    case no
    /// Each pixel is spread over the bins its bounding box (centre ± half-extent) covers, in
    /// proportion to the overlap (pyFAI `("bbox", "csr", "cython")`).
    case bbox
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
    /// Threads for each frame's sparse product (1 or 2 help on this machine).
    public var threads: Int = 2

    public init() {}
}
