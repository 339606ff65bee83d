import Foundation

/// One scattering path computed by FEFF (a `feffNNNN.dat` file): its geometry and the k tables of
/// the effective scattering amplitude, phase shifts, mean free path and complex momentum.
///
/// Field names follow the file's own column names and Larch's `FeffDatFile` (`xafs/feffdat.py`):
/// `real[2*phc]`, `mag[feff]`, `phase[feff]`, `red factor`, `lambda`, `real[p]`.
public struct FeffPath: Sendable, Codable, Hashable {
    /// A scattering potential of the FEFF run (`Abs …` / `Pot N …` header lines).
    public struct Potential: Sendable, Codable, Hashable {
        /// Potential index (0 = the absorber).
        public var ipot: Int
        /// Atomic number.
        public var z: Int
        /// Muffin-tin radius, bohr.
        public var rmt: Double
        /// Norman radius, bohr.
        public var rnm: Double
        public init(ipot: Int, z: Int, rmt: Double, rnm: Double) {
            self.ipot = ipot; self.z = z; self.rmt = rmt; self.rnm = rnm
        }
    }

    /// An atom of the path, in the order the photo-electron visits them (the absorber first).
    public struct Atom: Sendable, Codable, Hashable {
        /// Label written in the file (an element symbol), or the symbol of `z`.
        public var symbol: String
        /// Atomic number.
        public var z: Int
        /// Potential index.
        public var ipot: Int
        /// Atomic mass in amu (XrayDB's, as Larch uses).
        public var mass: Double
        /// Cartesian position in Å.
        public var x: Double
        public var y: Double
        public var zPosition: Double
        public init(symbol: String, z: Int, ipot: Int, mass: Double, x: Double, y: Double, zPosition: Double) {
            self.symbol = symbol; self.z = z; self.ipot = ipot; self.mass = mass
            self.x = x; self.y = y; self.zPosition = zPosition
        }
    }

    /// One leg of the path: from the previous atom to `atom`.
    public struct Leg: Sendable, Codable, Hashable {
        /// Index into `atoms` of the atom this leg ends on.
        public var atom: Int
        /// Leg length in Å.
        public var length: Double
        /// Scattering angle at the atom the leg ends on, in degrees (180 = back-scattering).
        public var angle: Double
    }

    /// The file's title (first line, up to column 64) and FEFF version text (the rest of that line).
    public var title: String
    public var version: String
    /// Edge (`K`, `L3`, …) from the `Abs` line.
    public var shell: String
    public var potentials: [Potential]
    /// Core-hole lifetime broadening in eV and the exchange model (`Gam_ch=… H-L exch`).
    public var gammaCh: Double?
    public var exchange: String?
    /// Fermi level μ (eV), Fermi energy from kf (eV), interstitial potential (eV) and its rs.
    public var vmu: Double?
    public var vfermi: Double?
    public var vint: Double?
    public var rsInt: Double?
    /// Number of legs (2 = single scattering).
    public var nleg: Int
    /// Path degeneracy N.
    public var degeneracy: Double
    /// Half path length in Å.
    public var reff: Double
    /// Average Norman radius in bohr (`rnrmav`).
    public var rnorman: Double
    /// Edge energy column of the path line (eV).
    public var edge: Double
    /// The path's atoms, absorber first (`nleg` of them).
    public var atoms: [Atom]
    /// Photo-electron wavenumber grid of the tables, Å⁻¹.
    public var k: [Double]
    /// `real[2*phc]`: twice the central-atom phase shift (radians).
    public var realPhc: [Double]
    /// `mag[feff]`: |F_eff| in Å.
    public var magFeff: [Double]
    /// `phase[feff]`: phase of F_eff (radians).
    public var phaseFeff: [Double]
    /// `red factor`: the reduction factor applied to the amplitude.
    public var redFactor: [Double]
    /// `lambda`: mean free path in Å.
    public var lambda: [Double]
    /// `real[p]`: real part of the complex momentum p, Å⁻¹.
    public var realP: [Double]

    public init(title: String, version: String, shell: String, potentials: [Potential], gammaCh: Double?, exchange: String?,
                vmu: Double?, vfermi: Double?, vint: Double?, rsInt: Double?, nleg: Int, degeneracy: Double, reff: Double,
                rnorman: Double, edge: Double, atoms: [Atom], k: [Double], realPhc: [Double], magFeff: [Double],
                phaseFeff: [Double], redFactor: [Double], lambda: [Double], realP: [Double]) {
        self.title = title; self.version = version; self.shell = shell; self.potentials = potentials
        self.gammaCh = gammaCh; self.exchange = exchange; self.vmu = vmu; self.vfermi = vfermi; self.vint = vint
        self.rsInt = rsInt; self.nleg = nleg; self.degeneracy = degeneracy; self.reff = reff; self.rnorman = rnorman
        self.edge = edge; self.atoms = atoms; self.k = k; self.realPhc = realPhc; self.magFeff = magFeff
        self.phaseFeff = phaseFeff; self.redFactor = redFactor; self.lambda = lambda; self.realP = realP
    }

    /// Total amplitude `mag[feff]·red factor` (Larch's `amp`).
    public var amplitude: [Double] { zip(magFeff, redFactor).map { $0 * $1 } }
    /// Total phase `real[2*phc] + phase[feff]` (Larch's `pha`).
    public var phase: [Double] { zip(realPhc, phaseFeff).map { $0 + $1 } }

    /// Reduced mass of the path in amu: 1/Σ(1/max(1, mᵢ)) over its atoms (Larch's `rmass`).
    public var reducedMass: Double {
        let inverse = atoms.reduce(0.0) { $0 + 1 / max(1, $1.mass) }
        return inverse > 0 ? 1 / inverse : 0
    }

    /// The absorber's label (the first atom).
    public var absorber: String { atoms.first?.symbol ?? "" }

    /// The legs, each ending on the next atom of the closed loop absorber → … → absorber, with the
    /// scattering angle at that atom (the angle between the incoming and outgoing legs).
    public var legs: [Leg] {
        let n = atoms.count
        guard n >= 2 else { return [] }
        func position(_ i: Int) -> (Double, Double, Double) { let a = atoms[i % n]; return (a.x, a.y, a.zPosition) }
        var out: [Leg] = []
        for i in 1...n {
            let p0 = position(i - 1), p1 = position(i), p2 = position(i + 1)
            let a = (p1.0 - p0.0, p1.1 - p0.1, p1.2 - p0.2), b = (p2.0 - p1.0, p2.1 - p1.1, p2.2 - p1.2)
            let la = (a.0 * a.0 + a.1 * a.1 + a.2 * a.2).squareRoot()
            let lb = (b.0 * b.0 + b.1 * b.1 + b.2 * b.2).squareRoot()
            let cosine = la > 0 && lb > 0 ? max(-1, min(1, (a.0 * b.0 + a.1 * b.1 + a.2 * b.2) / (la * lb))) : 1
            out.append(Leg(atom: i % n, length: la, angle: acos(cosine) * 180 / .pi))
        }
        return out
    }

    /// A short geometry label such as `Cu-Cu-Cu` (the atoms visited, absorber first).
    public var geometryLabel: String { atoms.map(\.symbol).joined(separator: "-") }
}
