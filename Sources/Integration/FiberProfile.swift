import Foundation

/// The axis a grazing-incidence / fiber profile runs along.
public enum FiberProfileAxis: String, Sendable {
    /// Along the out-of-plane axis, summed over the in-plane range (pyFAI's `vertical_integration=True`, its default).
    case outOfPlane = "oop"
    /// Along the in-plane axis, summed over the out-of-plane range (`vertical_integration=False`).
    case inPlane = "ip"
}

extension IntegrationResult {
    /// A 1-D cut through a fiber map as pyFAI's `FiberIntegrator.integrate_fiber` makes it: per bin of the profile
    /// axis, Σ signal / Σ normalisation over every bin of the other axis of the map (so over that axis' range),
    /// σ = √(Σ variance) / Σ normalisation, and 0 where no pixel counts. The out-of-plane profile of a thin film
    /// near q_ip = 0 shows its layering; the in-plane one near q_oop = 0 its lateral order. Nil unless a fiber map.
    public func fiberProfile(along axis: FiberProfileAxis) -> IntegrationResult? {
        guard fiber != nil, var profile = summed(keepingAzimuthal: axis == .outOfPlane) else { return nil }
        profile.fiberProfileAxis = axis
        return profile
    }

    /// The unit of `radial` for a fiber map or profile (nil otherwise).
    public var fiberAxisUnit: FiberUnit? {
        guard let fiber else { return nil }
        return fiberProfileAxis == .outOfPlane ? fiber.outOfPlaneUnit : fiber.inPlaneUnit
    }
}
