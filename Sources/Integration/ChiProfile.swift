import Foundation

extension IntegrationResult {
    /// The label of the x axis: the radial unit's (`2th_deg` …), `chi_deg` for an I(χ) profile, a fiber unit's
    /// (`qip_nm^-1` …) for a fiber map or profile.
    public var axisLabel: String { isChiProfile ? "chi_deg" : fiberAxisUnit?.rawValue ?? unit.label }

    /// The x axis for a NeXus file: name and units.
    public var nexusAxis: (name: String, units: String) { isChiProfile ? ("chi", "degree") : fiberAxisUnit?.nexusAxis ?? unit.nexusAxis }

    /// A 2-D result's second axis: `chi_deg`, or a fiber map's out-of-plane unit.
    public var azimuthalAxisLabel: String { fiber?.outOfPlaneUnit.rawValue ?? "chi_deg" }

    /// A 2-D result's second axis for a NeXus file: name and units.
    public var azimuthalNexusAxis: (name: String, units: String) { fiber?.outOfPlaneUnit.nexusAxis ?? ("chi", "degree") }

    /// The azimuthal profile I(χ) of a cake, as pyFAI's `integrate_radial` makes it: per χ bin,
    /// Σ signal / Σ normalisation over every radial bin of the cake (so over the cake's radial
    /// range), σ = √(Σ variance) / Σ normalisation, and 0 where no pixel counts. Texture and strain
    /// work read a ring's intensity this way. Nil for a 1-D result.
    public func chiProfile() -> IntegrationResult? {
        guard fiber == nil, var profile = summed(keepingAzimuthal: true) else { return nil }
        profile.isChiProfile = true
        return profile
    }
}
