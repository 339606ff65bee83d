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
    let fPrime: [Double], fDoublePrime: [Double]
    let siteKeys: [String]
    let siteSymmetry: [SiteSymmetry]
    let cellRules: [CellConstraints.Rule]

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
        var keys: [String] = [], symmetry: [SiteSymmetry] = []
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
        }
        imageOperations = images
        self.factors = factors
        fPrime = fp; fDoublePrime = fpp
        siteKeys = keys
        siteSymmetry = symmetry
        cellRules = CellConstraints.rules(spaceGroupNumber: s.spaceGroupNumber, symbol: s.spaceGroupSymbol, cell: s.cell)
    }

    /// Every line family with its position, |F|², intensity and widths at these parameter values.
    func lines(_ p: ParameterValues, histogram h: HistogramTerms, instrument: RietveldInstrument) throws -> [RietveldLine] {
        let k = phase.key
        func value(_ name: String) throws -> Double {
            guard let v = p[name] else { throw RoentgenError.badParameter("parameter '\(name)' is missing") }
            return v
        }
        let cell = try UnitCell(a: value("\(k)_a"), b: value("\(k)_b"), c: value("\(k)_c"),
                                alpha: value("\(k)_alpha"), beta: value("\(k)_beta"), gamma: value("\(k)_gamma"))
        guard cell.isValid else { throw RoentgenError.badParameter("phase '\(phase.name)': the refined cell is not valid") }
        let r = cell.reciprocalMetric
        let volume = cell.volume
        let fraction = try value("\(k)_fraction")
        let sizeX = try value("\(k)_size_X")
        let mdR = try value("\(k)_md_r")
        // Atoms of the cell at the current coordinates.
        var ax: [Double] = [], ay: [Double] = [], az: [Double] = []
        var weight: [Double] = [], uIso: [Double] = [], site: [Int] = []
        for (s, ops) in imageOperations.enumerated() {
            let base = "\(k)_\(siteKeys[s])"
            let position = try SIMD3(value("\(base)_x"), value("\(base)_y"), value("\(base)_z"))
            let occ = try value("\(base)_occ"), u = try value("\(base)_uiso")
            for op in ops {
                let q = op.apply(position)
                ax.append(q.x); ay.append(q.y); az.append(q.z)
                weight.append(occ); uIso.append(u); site.append(s)
            }
        }
        let degree = Double.pi / 180
        let lambda = instrument.lambda1
        let twoPi = 2 * Double.pi, eightPi2 = 8 * Double.pi * Double.pi
        var f0 = [Double](repeating: 0, count: factors.count)
        // March–Dollase axis in the reciprocal metric.
        var axis: SIMD3<Double>?
        var axisNorm = 0.0
        if let a = phase.preferredOrientationAxis, mdR != 1 {
            let v = SIMD3(Double(a.x), Double(a.y), Double(a.z))
            axisNorm = Self.reciprocalLength2(v, r).squareRoot()
            if axisNorm > 0 { axis = v }
        }
        var out: [RietveldLine] = []
        out.reserveCapacity(families.count)
        for family in families {
            let hv = SIMD3(Double(family.hkl.x), Double(family.hkl.y), Double(family.hkl.z))
            let g2 = Self.reciprocalLength2(hv, r)
            let sinTheta = lambda * g2.squareRoot() / 2
            guard sinTheta < 1 else { continue }
            let bragg = 2 * asin(sinTheta) / degree
            var pos = bragg + h.zero
            pos -= 0.36 / Double.pi * h.displacement * cos(pos * degree / 2) / instrument.goniometerRadius
            guard pos > 0, pos < 180 else { continue }
            // |F|² (Friedel mean A² + B² + C² + D², see ScatteringModel).
            let s2 = g2 / 4
            for e in 0..<factors.count { f0[e] = factors[e].f0(s2: s2) }
            var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0
            for j in 0..<ax.count {
                let e = site[j]
                let t = weight[j] * exp(-eightPi2 * uIso[j] * s2)
                let phase = twoPi * (hv.x * ax[j] + hv.y * ay[j] + hv.z * az[j])
                let cs = cos(phase), sn = sin(phase)
                let a = t * (f0[e] + fPrime[e]), b = t * fDoublePrime[e]
                sa += a * cs; sb += a * sn; sc += b * cs; sd += b * sn
            }
            let f2 = sa * sa + sb * sb + sc * sc + sd * sd
            let theta = pos * degree / 2
            let sinT = sin(theta), cosT = cos(theta), tanT = sinT / cosT
            let lorentz = 1 / (2 * sinT * sinT * cosT)
            let c2t = cos(2 * theta)
            let polarization = instrument.polarization + (1 - instrument.polarization) * c2t * c2t
            var po = 1.0
            if let axis {
                var sum = 0.0
                let r2 = mdR * mdR
                for m in family.members {
                    let mv = SIMD3(Double(m.x), Double(m.y), Double(m.z))
                    let cosA = Self.reciprocalDot(mv, axis, r) / (g2.squareRoot() * axisNorm)
                    let c2 = min(1, cosA * cosA)
                    sum += pow(r2 * c2 + (1 - c2) / mdR, -1.5)
                }
                po = sum / Double(family.members.count)
            }
            let intensity = h.scale * fraction * Double(family.multiplicity) * lorentz * polarization * po * f2 / volume
            let sigma2 = h.u * tanT * tanT + h.v * tanT + h.w
            let gamma = h.x / cosT + h.y * tanT + sizeX / cosT
            out.append(RietveldLine(hkl: [Int(family.hkl.x), Int(family.hkl.y), Int(family.hkl.z)],
                                    multiplicity: family.multiplicity, d: 1 / g2.squareRoot(), twoTheta: pos,
                                    fSquared: f2, intensity: intensity, sigma2: sigma2, gamma: gamma))
        }
        return out
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
