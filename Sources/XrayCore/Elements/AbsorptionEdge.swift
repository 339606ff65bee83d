/// An absorption edge of an element: its energy and the facts XAS needs (from XrayDB).
public struct AbsorptionEdge: Sendable, Hashable, Codable {
    /// Atomic number Z.
    public let atomicNumber: Int
    /// Element symbol, e.g. `"Fe"`.
    public let symbol: String
    /// IUPAC edge name: `"K"`, `"L1"`, `"L2"`, `"L3"`, `"M1"` … `"M5"`, …
    public let edge: String
    /// Edge energy in eV.
    public let energy: Double
    /// Fluorescence yield of the core hole (0 … 1).
    public let fluorescenceYield: Double
    /// Absorption jump ratio across the edge.
    public let jumpRatio: Double

    public init(atomicNumber: Int, symbol: String, edge: String, energy: Double, fluorescenceYield: Double, jumpRatio: Double) {
        self.atomicNumber = atomicNumber
        self.symbol = symbol
        self.edge = edge
        self.energy = energy
        self.fluorescenceYield = fluorescenceYield
        self.jumpRatio = jumpRatio
    }

    /// The edge `edge` of the element `symbol` (case-insensitive), if tabulated.
    public static func named(_ symbol: String, _ edge: String) -> AbsorptionEdge? {
        let s = symbol.lowercased(), e = edge.lowercased()
        return all.first { $0.symbol.lowercased() == s && $0.edge.lowercased() == e }
    }

    /// The element and edge most likely to give an edge at `energy` (eV), by XrayDB's `guess_edge` rule:
    /// among K, L3, L2, L1, M5, the nearest tabulated energy, with errors below the table value
    /// counted double, Z < 10 or Z > 92 penalised ×2, K preferred (×¼), L1 and M5 penalised ×2.
    public static func guess(energy: Double, edges: [String] = ["K", "L3", "L2", "L1", "M5"]) -> AbsorptionEdge? {
        let maxZ = all.map(\.atomicNumber).max() ?? 0
        var candidates: [(edge: String, z: Int, diff: Double)] = []
        var minDiff = 1e9
        for edge in edges {
            // Energies indexed by Z (index 0 unused, -1000 where the element lacks the edge),
            // truncated to maxZ entries as XrayDB does.
            var energies = [Double](repeating: -1000, count: maxZ)
            for e in all where e.edge.lowercased() == edge.lowercased() && e.atomicNumber < maxZ { energies[e.atomicNumber] = e.energy }
            var iz = 0, best = Double.infinity
            for (z, en) in energies.enumerated() where abs(en - energy) < best { best = abs(en - energy); iz = z }
            var diff = energy - energies[iz]
            if diff < 0 { diff = -2 * diff }
            if iz < 10 || iz > 92 { diff *= 2 }
            if edge == "K" { diff *= 0.25 } else if edge == "L1" || edge == "M5" { diff *= 2 }
            minDiff = min(minDiff, diff)
            candidates.append((edge, iz, diff))
        }
        for c in candidates where abs(c.diff - minDiff) < 2 && c.z > 0 {
            return all.first { $0.atomicNumber == c.z && $0.edge == c.edge }
        }
        return nil
    }
}
