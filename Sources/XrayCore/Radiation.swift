/// The X-ray radiation a diffraction pattern was measured with.
///
/// Laboratory tubes give a Kα1/Kα2 doublet (and Kβ if not filtered); synchrotrons give one
/// wavelength. Wavelengths are in ångström.
public struct Radiation: Sendable, Hashable, Codable {
    /// Anode element symbol for laboratory tubes (`"Cu"`), nil for synchrotron radiation.
    public var anode: String?
    /// Kα1 wavelength (or the single wavelength) in Å.
    public var kAlpha1: Double?
    /// Kα2 wavelength in Å, if the doublet is present.
    public var kAlpha2: Double?
    /// Intensity ratio I(Kα2)/I(Kα1), typically 0.5.
    public var kAlpha2Ratio: Double?
    /// Kβ wavelength in Å, if given.
    public var kBeta: Double?

    public init(anode: String? = nil, kAlpha1: Double? = nil, kAlpha2: Double? = nil,
                kAlpha2Ratio: Double? = nil, kBeta: Double? = nil) {
        self.anode = anode
        self.kAlpha1 = kAlpha1
        self.kAlpha2 = kAlpha2
        self.kAlpha2Ratio = kAlpha2Ratio
        self.kBeta = kBeta
    }

    /// A single wavelength (synchrotron or monochromatised), in Å.
    public static func monochromatic(_ wavelength: Double) -> Radiation {
        Radiation(kAlpha1: wavelength)
    }

    /// The intensity-weighted mean of Kα1 and Kα2 (what "Kα" means in most software), in Å.
    public var meanKAlpha: Double? {
        guard let k1 = kAlpha1 else { return nil }
        guard let k2 = kAlpha2, let ratio = kAlpha2Ratio else { return k1 }
        return (k1 + ratio * k2) / (1 + ratio)
    }
}
