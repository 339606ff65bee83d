import OrderedCollections

/// An absorption measurement: an energy axis and named channels sampled on it.
///
/// `energy` is in eV. `channels` keeps the file's column labels and order
/// (`i0`, `itrans`, `ifluor`, `mutrans` …); every channel has `energy.count` values.
/// `mu` is the chosen absorption coefficient μ(E), when one has been chosen or computed.
public struct Spectrum: Sendable, Hashable {
    /// A name for the scan (file stem, Athena group label, SPEC scan number …).
    public var name: String
    /// Energy in eV, in the order the file gives.
    public var energy: [Double]
    /// Named channels on the energy grid, in file order.
    public var channels: OrderedDictionary<String, [Double]>
    /// Units per channel where the file says (`"energy": "eV"`).
    public var units: [String: String]
    /// μ(E), if selected (see `muExpression`).
    public var mu: [Double]?
    /// How `mu` was obtained, e.g. `"ln(i0/itrans)"` or `"mutrans"`.
    public var muExpression: String?
    /// Every metadata field the file carries.
    public var metadata: Metadata

    public init(name: String, energy: [Double], channels: OrderedDictionary<String, [Double]> = [:],
                units: [String: String] = [:], mu: [Double]? = nil, muExpression: String? = nil,
                metadata: Metadata = [:]) {
        self.name = name
        self.energy = energy
        self.channels = channels
        self.units = units
        self.mu = mu
        self.muExpression = muExpression
        self.metadata = metadata
    }
}
