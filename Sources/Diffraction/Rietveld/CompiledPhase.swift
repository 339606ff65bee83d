import Foundation
import Refinement
import XrayCore

/// A phase prepared for repeated evaluation: its reflection families (fixed once), the operations
/// that generate each site's images in the cell, its form factors and anomalous terms, and the
/// symmetry constraints of its cell and sites.
struct CompiledPhase: Sendable {
    let phase: RietveldPhase
    let families: [ReflectionFamily]
    /// Per site: the operations giving its distinct images in the cell.
    let imageOperations: [[SymmetryOperation]]
    /// Per site: form factor, f′ and f″.
    let factors: [AtomicScatteringFactor]
    /// Per site: the index of its element's form factor in `elementFactors` (f0(s) once per element and line).
    let siteFactor: [Int]
    let elementFactors: [AtomicScatteringFactor]
    let fPrime: [Double], fDoublePrime: [Double]
    let siteKeys: [String]
    let siteSymmetry: [SiteSymmetry]
    /// Per site: the symmetry constraints of its U_ij when it is refined anisotropically, else nil.
    let displacementSymmetry: [DisplacementSymmetry?]
    let cellRules: [CellConstraints.Rule]
    /// Per family: (h, k, l) and its members as real vectors.
    let familyH: [SIMD3<Double>]
    let familyMembers: [[SIMD3<Double>]]
    /// Every atom of the cell (the images of every site, site by site): its site, and per family ×
    /// atom the row vector h·R and the number h·t of the operation (R, t) that made it, so that the
    /// phase of the atom is 2π (h·R·x_site + h·t).
    let atomSite: [Int]
    let imageHR: [SIMD3<Double>]
    let imageHT: [Double]
    /// Per family × atom: cos 2π h·t and sin 2π h·t (fixed), so that the atom's phase factor is this times
    /// the site's cos/sin 2π n x_i of the integers n = (h·R)_i (`PhaseLines`' tables, no trigonometry per atom).
    let imageCosT: [Double], imageSinT: [Double]
    /// The largest |(h·R)_i| of any family and atom (the size of those tables).
    let phaseIndexBound: Int

    init(_ phase: RietveldPhase, instrument: RietveldInstrument, range: ClosedRange<Double>) throws {
        self.phase = phase
        let s = phase.structure
        guard !s.sites.isEmpty else {
            throw RoentgenError(.badData, "phase '\(phase.name)': the structure has no atom sites")
        }
        guard s.cell.isValid else { throw RoentgenError(.badData, "phase '\(phase.name)': the cell is not valid") }
        let lo = max(0.5, range.lowerBound), hi = min(179.5, range.upperBound)
        families = ReflectionFamilies.generate(cell: s.cell, operations: s.operations, wavelength: instrument.lambda1,
                                               twoThetaRange: lo...hi)
        var images: [[SymmetryOperation]] = []
        var factors: [AtomicScatteringFactor] = [], fp: [Double] = [], fpp: [Double] = []
        var keys: [String] = [], symmetry: [SiteSymmetry] = [], displacement: [DisplacementSymmetry?] = []
        let energy = AnomalousScatteringFactor.hcElectronVoltAngstrom / instrument.lambda1
        for site in s.sites {
            let single = CrystalStructure(name: s.name, cell: s.cell, operations: s.operations, sites: [site])
            images.append(single.unitCellAtomsWithOperations().map(\.operation))
            guard let f = AtomicScatteringFactor.internationalTablesNeutral(site.element.atomicNumber) else {
                throw RoentgenError(.badData, "phase '\(phase.name)', site \(site.label): no International Tables form factor for \(site.element.symbol)")
            }
            factors.append(f)
            if let given = phase.anomalous[site.element.symbol] {
                fp.append(given.fPrime); fpp.append(given.fDoublePrime)
            } else if let value = AnomalousScatteringFactor.chantler(site.element.atomicNumber, energy: energy) {
                fp.append(value.fPrime); fpp.append(value.fDoublePrime)
            } else {
                fp.append(0); fpp.append(0)
            }
            var key = RietveldPhase.identifier(site.label)
            while keys.contains(key) { key += "_" }
            keys.append(key)
            symmetry.append(SiteSymmetry(position: site.fract, operations: s.operations))
            displacement.append(phase.anisotropicSites.contains(site.label)
                ? DisplacementSymmetry(position: site.fract, operations: s.operations, cell: s.cell) : nil)
        }
        for label in phase.anisotropicSites where !s.sites.contains(where: { $0.label == label }) {
            throw RoentgenError.badParameter("phase '\(phase.name)': no site '\(label)' to refine anisotropically")
        }
        imageOperations = images
        self.factors = factors
        var elements: [Int] = [], unique: [AtomicScatteringFactor] = [], siteFactor: [Int] = []
        for (i, site) in s.sites.enumerated() {
            if let k = elements.firstIndex(of: site.element.atomicNumber) {
                siteFactor.append(k)
            } else {
                elements.append(site.element.atomicNumber); unique.append(factors[i]); siteFactor.append(unique.count - 1)
            }
        }
        self.siteFactor = siteFactor
        elementFactors = unique
        fPrime = fp; fDoublePrime = fpp
        siteKeys = keys
        siteSymmetry = symmetry
        displacementSymmetry = displacement
        // By the space group; a structure written in P1 keeps the rules of the system its atoms have.
        cellRules = HiddenLatticeSymmetry.cellRules(for: s)
        familyH = families.map { SIMD3(Double($0.hkl.x), Double($0.hkl.y), Double($0.hkl.z)) }
        familyMembers = families.map { $0.members.map { SIMD3(Double($0.x), Double($0.y), Double($0.z)) } }
        var atomSite: [Int] = [], operations: [SymmetryOperation] = []
        for (site, ops) in images.enumerated() {
            for op in ops { atomSite.append(site); operations.append(op) }
        }
        self.atomSite = atomSite
        var hr: [SIMD3<Double>] = [], ht: [Double] = []
        hr.reserveCapacity(families.count * operations.count); ht.reserveCapacity(families.count * operations.count)
        for h in familyH {
            for op in operations {
                let r = op.rotation.map(Double.init)
                hr.append(SIMD3(h.x * r[0] + h.y * r[3] + h.z * r[6], h.x * r[1] + h.y * r[4] + h.z * r[7],
                                h.x * r[2] + h.y * r[5] + h.z * r[8]))
                ht.append(h.x * op.translation.x + h.y * op.translation.y + h.z * op.translation.z)
            }
        }
        imageHR = hr
        imageHT = ht
        imageCosT = ht.map { cos(2 * Double.pi * $0) }
        imageSinT = ht.map { sin(2 * Double.pi * $0) }
        phaseIndexBound = Int(hr.reduce(0) { max($0, abs($1.x), abs($1.y), abs($1.z)) })
    }

    @inline(__always)
    static func reciprocalLength2(_ h: SIMD3<Double>, _ r: [Double]) -> Double {
        reciprocalDot(h, h, r)
    }

    @inline(__always)
    static func reciprocalDot(_ h: SIMD3<Double>, _ k: SIMD3<Double>, _ r: [Double]) -> Double {
        h.x * (r[0] * k.x + r[1] * k.y + r[2] * k.z) + h.y * (r[3] * k.x + r[4] * k.y + r[5] * k.z)
            + h.z * (r[6] * k.x + r[7] * k.y + r[8] * k.z)
    }
}
