/// A chemical element with the facts every module needs.
public struct Element: Sendable, Hashable, Codable {
    /// Atomic number Z.
    public let atomicNumber: Int
    /// Symbol as written in formulas, e.g. `"Fe"`.
    public let symbol: String
    /// English name in lower case, e.g. `"iron"`.
    public let name: String
    /// Molar mass in g/mol.
    public let molarMass: Double
    /// Density of the element's standard form in g/cm³.
    public let density: Double

    public init(atomicNumber: Int, symbol: String, name: String, molarMass: Double, density: Double) {
        self.atomicNumber = atomicNumber
        self.symbol = symbol
        self.name = name
        self.molarMass = molarMass
        self.density = density
    }

    /// The element with atomic number `z`, or nil outside 1…118.
    public static func withAtomicNumber(_ z: Int) -> Element? {
        guard z >= 1, z <= all.count else { return nil }
        return all[z - 1]
    }

    /// The element with this symbol (case-insensitive: `"fe"`, `"FE"`), or by English name.
    public static func named(_ text: String) -> Element? {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        return bySymbolOrName[key]
    }

    private static let bySymbolOrName: [String: Element] = {
        var map: [String: Element] = [:]
        for element in all {
            map[element.symbol.lowercased()] = element
            map[element.name.lowercased()] = element
        }
        return map
    }()
}
