import Foundation

/// The fixed description of a constant-wavelength Bragg–Brentano diffractometer for a Rietveld model;
/// the refinable instrument terms (zero, displacement, U V W X Y, SH/L, Kα2 ratio) are parameters.
public struct RietveldInstrument: Sendable, Equatable {
    /// Primary wavelength λ1 (Kα1) in Å.
    public var lambda1: Double
    /// Second wavelength λ2 (Kα2) in Å, nil for monochromatic radiation.
    public var lambda2: Double?
    /// Starting I(λ2)/I(λ1); the `ka2_ratio` parameter refines it.
    public var intensityRatio: Double
    /// Polarisation K in P(2θ) = K + (1 − K) cos² 2θ (0.5 unpolarised; GSAS's POLA / GSAS-II's `Polariz.`).
    public var polarization: Double
    /// Goniometer radius R in mm (specimen displacement shift −(0.36/π) s cos θ / R degrees, s in µm).
    public var goniometerRadius: Double

    public init(lambda1: Double, lambda2: Double? = nil, intensityRatio: Double = 0.5, polarization: Double = 0.5,
                goniometerRadius: Double = 200) {
        self.lambda1 = lambda1
        self.lambda2 = lambda2
        self.intensityRatio = intensityRatio
        self.polarization = polarization
        self.goniometerRadius = goniometerRadius
    }
}
