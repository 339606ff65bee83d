import Foundation

/// One atom site of a crystal structure (asymmetric unit or expanded cell).
///
/// Coordinates are fractional. Displacement parameters are in Å²: `uIso` (B = 8π²U) and the
/// anisotropic tensor `uAniso` = [U11, U22, U33, U12, U13, U23] where the file gives it.
public struct AtomSite: Sendable, Hashable, Codable {
    /// Site label as in the file (`"Al1"`).
    public var label: String
    /// Scattering type as in the file, may carry a charge (`"Al3+"`, `"O2-"`).
    public var typeSymbol: String
    /// The element.
    public var element: Element
    /// Formal charge parsed from `typeSymbol` (0 if none).
    public var charge: Int
    /// Fractional coordinates x, y, z.
    public var fract: SIMD3<Double>
    /// Site occupancy, 0…1.
    public var occupancy: Double
    /// Isotropic displacement U_iso in Å², if given (or derived from B_iso or U_aniso).
    public var uIso: Double?
    /// Anisotropic displacement [U11, U22, U33, U12, U13, U23] in Å², if given.
    public var uAniso: [Double]?

    public init(label: String, typeSymbol: String, element: Element, charge: Int = 0, fract: SIMD3<Double>,
                occupancy: Double = 1, uIso: Double? = nil, uAniso: [Double]? = nil) {
        self.label = label
        self.typeSymbol = typeSymbol
        self.element = element
        self.charge = charge
        self.fract = fract
        self.occupancy = occupancy
        self.uIso = uIso
        self.uAniso = uAniso
    }

    /// Isotropic B = 8π²U in Å², if U_iso is known.
    public var bIso: Double? { uIso.map { 8 * Double.pi * Double.pi * $0 } }
}
