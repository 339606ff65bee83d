import OrderedCollections

/// A powder diffraction pattern: intensity against 2θ.
///
/// `twoTheta` is in degrees; `intensity` in counts (or counts/s where the file says so, see
/// `metadata`). `esd` holds standard uncertainties where the file gives them.
public struct DiffractionPattern: Sendable, Hashable {
    /// A name for the scan or range (file stem, range number …).
    public var name: String
    /// Scattering angle 2θ in degrees.
    public var twoTheta: [Double]
    /// Intensity per point.
    public var intensity: [Double]
    /// Estimated standard deviation of each intensity, if the file gives it.
    public var esd: [Double]?
    /// The radiation, as read from the file.
    public var radiation: Radiation?
    /// Every metadata field the file carries.
    public var metadata: Metadata

    public init(name: String, twoTheta: [Double], intensity: [Double], esd: [Double]? = nil,
                radiation: Radiation? = nil, metadata: Metadata = [:]) {
        self.name = name
        self.twoTheta = twoTheta
        self.intensity = intensity
        self.esd = esd
        self.radiation = radiation
        self.metadata = metadata
    }
}
