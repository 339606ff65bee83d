/// Conversion between photo-electron energy above the edge (eV) and wavenumber k (Å⁻¹): E = k²·`ktoe`.
///
/// The values are those Larch 2026.3 uses (from scipy.constants): ħ²/(2mₑ) in eV·Å².
public enum XASConstants {
    /// eV per Å⁻²: E − E0 = KTOE · k².
    public static let ktoe = 3.8099821109685847
    /// Å⁻² per eV: k = √(ETOK · (E − E0)).
    public static let etok = 0.26246842396479836
    /// The smallest energy step tolerated between successive points, in eV (Larch's TINY_ENERGY).
    public static let tinyEnergy = 0.0005
}
