import Foundation
import Refinement
import XrayCore

/// Every line family of one phase at one set of parameter values: position, intensity and widths, and
/// (when asked for) the partial derivatives the analytic Jacobian is built from. Flat arrays, one
/// allocation each per evaluation.
struct PhaseLines {
    /// Per line: Kα1 position 2θ (degrees), integrated intensity, σ² (centideg²), γ (centideg), |F|², d (Å).
    var position: [Double] = [], intensity: [Double] = [], sigma2: [Double] = [], gamma: [Double] = []
    var fSquared: [Double] = [], d: [Double] = []
    /// Per line: d(intensity)/d(2θ) through L·P, dσ²/d(2θ), dγ/d(2θ) (the widths move with θ).
    var dIntensityDPosition: [Double] = [], dSigma2DPosition: [Double] = [], dGammaDPosition: [Double] = []
    /// Per line: tan θ and 1/cos θ (for U, V, X, Y and the size term).
    var tanTheta: [Double] = [], secTheta: [Double] = []
    /// Per line: d(2θ)/d(2θ₀) with 2θ₀ = Bragg angle + zero (the displacement term depends on it),
    /// and d(2θ)/d(displacement).
    var dPositionDZero: [Double] = [], dPositionDDisplacement: [Double] = []
    /// Per line × 6: d(2θ)/d(cell parameter) and d(intensity)/d(cell parameter) at fixed 2θ
    /// (through |F|²(sin θ/λ), March–Dollase and the volume); order a, b, c, α, β, γ.
    var dPositionDCell: [Double] = [], dIntensityDCell: [Double] = []
    /// Per line × site × 11: d(intensity)/d(x, y, z, U_iso, occupancy, U11, U22, U33, U12, U13, U23) of that site.
    var dIntensityDSite: [Double] = []
    /// Per line: d(intensity)/d(March–Dollase r), d(intensity)/d(phase fraction), d(intensity)/d(scale).
    var dIntensityDMarchDollase: [Double] = [], dIntensityDFraction: [Double] = [], dIntensityDScale: [Double] = []
    /// Index of the family of each line (lines beyond 2θ = 180° or with sin θ ≥ 1 are left out).
    var family: [Int] = []
    var count: Int { position.count }

    /// Appends the lines of `other` (families after these).
    mutating func append(_ other: PhaseLines) {
        for q in [\PhaseLines.position, \.intensity, \.sigma2, \.gamma, \.fSquared, \.d, \.dIntensityDPosition,
                  \.dSigma2DPosition, \.dGammaDPosition, \.tanTheta, \.secTheta, \.dPositionDZero,
                  \.dPositionDDisplacement, \.dPositionDCell, \.dIntensityDCell, \.dIntensityDSite,
                  \.dIntensityDMarchDollase, \.dIntensityDFraction, \.dIntensityDScale] {
            self[keyPath: q].append(contentsOf: other[keyPath: q])
        }
        family.append(contentsOf: other.family)
    }
}

extension CompiledPhase {
    /// The public line list of `lines` at these values.
    func lines(_ p: ParameterValues, histogram h: HistogramTerms, instrument: RietveldInstrument) throws -> [RietveldLine] {
        let pl = try phaseLines(p, histogram: h, instrument: instrument, derivatives: false)
        return (0..<pl.count).map { l in
            let f = families[pl.family[l]]
            return RietveldLine(hkl: [Int(f.hkl.x), Int(f.hkl.y), Int(f.hkl.z)], multiplicity: f.multiplicity, d: pl.d[l],
                                twoTheta: pl.position[l], fSquared: pl.fSquared[l], intensity: pl.intensity[l],
                                sigma2: pl.sigma2[l], gamma: pl.gamma[l])
        }
    }

    /// Every line family with its position, |F|², intensity and widths at these parameter values, and
    /// with `derivatives` their partial derivatives (structure-factor derivatives computed with F).
    /// Each family's numbers depend on it alone, so the families are shared among the cores (two halves
    /// for 64 or more) and the halves' lines joined in order: the same lines as in one pass.
    func phaseLines(_ p: ParameterValues, histogram h: HistogramTerms, instrument: RietveldInstrument,
                    derivatives: Bool) throws -> PhaseLines {
        let n = families.count
        let threads = min(ProcessInfo.processInfo.activeProcessorCount, 2)
        guard threads > 1, n >= 64 else {
            return try phaseLines(p, histogram: h, instrument: instrument, derivatives: derivatives, families: 0..<n)
        }
        let ranges = [0..<(n / 2), (n / 2)..<n]
        // Two stored properties, one per thread (not two elements of one array, whose write would race).
        final class Parts: @unchecked Sendable { var first, second: Result<PhaseLines, Error>? }
        let parts = Parts()
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            let part = Result { try phaseLines(p, histogram: h, instrument: instrument, derivatives: derivatives, families: ranges[t]) }
            if t == 0 { parts.first = part } else { parts.second = part }
        }
        guard let first = parts.first, let second = parts.second else {
            throw RoentgenError.badParameter("phase '\(phase.name)': the line families were not computed")
        }
        var out = try first.get()
        out.append(try second.get())
        return out
    }

    /// `phaseLines` for the families in `range` only.
    func phaseLines(_ p: ParameterValues, histogram h: HistogramTerms, instrument: RietveldInstrument,
                    derivatives: Bool, families range: Range<Int>) throws -> PhaseLines {
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
        let nSites = siteKeys.count
        var sx = [Double](repeating: 0, count: nSites), sy = sx, sz = sx, sOcc = sx, sU = sx
        for s in 0..<nSites {
            let base = "\(k)_\(siteKeys[s])"
            sx[s] = try value("\(base)_x"); sy[s] = try value("\(base)_y"); sz[s] = try value("\(base)_z")
            sOcc[s] = try value("\(base)_occ"); sU[s] = try value("\(base)_uiso")
        }
        // Anisotropic sites: C_ij = a*_i a*_j U_ij (components 11, 22, 33, 12, 13, 23), Debye–Waller factor
        // exp(−2π² h'ᵀ C h') at each image with h' = h·R (Trueblood et al. 1996).
        let (ra, rb, rc) = cell.reciprocalLengths
        let starProducts = [ra * ra, rb * rb, rc * rc, ra * rb, ra * rc, rb * rc]
        var anisotropic = [Bool](repeating: false, count: nSites)
        var sUij = [Double](repeating: 0, count: 6 * nSites), sC = sUij
        for s in 0..<nSites where displacementSymmetry[s] != nil {
            anisotropic[s] = true
            let base = "\(k)_\(siteKeys[s])"
            for (q, name) in DisplacementSymmetry.names.enumerated() {
                sUij[6 * s + q] = try value("\(base)_\(name)")
                sC[6 * s + q] = sUij[6 * s + q] * starProducts[q]
            }
        }
        let anyAnisotropic = anisotropic.contains(true)
        // d(a*_i a*_j)/d(cell parameter), from dG*_ii = d(a*_i²).
        var dStarProducts = [Double](repeating: 0, count: anyAnisotropic && derivatives ? 36 : 0)
        // Cell derivatives: dG*/dp = −G* (dG/dp) G*, d ln V/dp = ½ tr(G* dG/dp) (G the direct metric).
        var dRecip = [[Double]](), dLnV = [Double](repeating: 0, count: 6)
        if derivatives {
            let degree = Double.pi / 180
            let (a, b, c) = (cell.a, cell.b, cell.c)
            let ca = cos(cell.alpha * degree), cb = cos(cell.beta * degree), cg = cos(cell.gamma * degree)
            let sa = sin(cell.alpha * degree), sb = sin(cell.beta * degree), sg = sin(cell.gamma * degree)
            let dG: [[Double]] = [
                [2 * a, b * cg, c * cb, b * cg, 0, 0, c * cb, 0, 0],
                [0, a * cg, 0, a * cg, 2 * b, c * ca, 0, c * ca, 0],
                [0, 0, a * cb, 0, 0, b * ca, a * cb, b * ca, 2 * c],
                [0, 0, 0, 0, 0, -b * c * sa * degree, 0, -b * c * sa * degree, 0],
                [0, 0, -a * c * sb * degree, 0, 0, 0, -a * c * sb * degree, 0, 0],
                [0, -a * b * sg * degree, 0, -a * b * sg * degree, 0, 0, 0, 0, 0],
            ]
            for q in 0..<6 {
                var m = [Double](repeating: 0, count: 9), out = m
                for i in 0..<3 { for j in 0..<3 { for t in 0..<3 { m[i * 3 + j] += r[i * 3 + t] * dG[q][t * 3 + j] } } }
                var trace = 0.0
                for i in 0..<3 { trace += m[i * 3 + i] }
                for i in 0..<3 { for j in 0..<3 { for t in 0..<3 { out[i * 3 + j] -= m[i * 3 + t] * r[t * 3 + j] } } }
                dRecip.append(out)
                dLnV[q] = trace / 2
                if anyAnisotropic {
                    let star = [ra, rb, rc], dStar = [out[0] / (2 * ra), out[4] / (2 * rb), out[8] / (2 * rc)]
                    for (c, (i, j)) in [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)].enumerated() {
                        dStarProducts[6 * q + c] = dStar[i] * star[j] + star[i] * dStar[j]
                    }
                }
            }
        }
        let degree = Double.pi / 180
        let lambda = instrument.lambda1
        let twoPi = 2 * Double.pi, eightPi2 = 8 * Double.pi * Double.pi
        let nAtoms = atomSite.count
        var f0 = [Double](repeating: 0, count: nSites), df0 = f0, siteT = f0
        var elementF0 = [Double](repeating: 0, count: elementFactors.count), elementDF0 = elementF0
        var atomA = [Double](repeating: 0, count: nAtoms), atomB = atomA, atomCos = atomA, atomSin = atomA
        var atomT = atomA
        // March–Dollase axis in the reciprocal metric.
        var axis: SIMD3<Double>?
        var axisNorm2 = 0.0
        if let a = phase.preferredOrientationAxis, mdR != 1 || derivatives {
            let v = SIMD3(Double(a.x), Double(a.y), Double(a.z))
            axisNorm2 = Self.reciprocalLength2(v, r)
            if axisNorm2 > 0 { axis = v }
        }
        let kd = 0.36 / Double.pi / instrument.goniometerRadius
        // cos and sin of 2π n x_i for every site, axis and n in −N…N (N = `phaseIndexBound`): the phase of an
        // atom made by (R, t) is 2π (h·R·x + h·t), and h·R has integer components, so its cosine and sine are
        // products of these and of cos/sin 2π h·t (angle addition), not a cos and a sin per atom and line.
        let bound = phaseIndexBound, width = 2 * bound + 1
        var tableCos = [Double](repeating: 1, count: 3 * nSites * width), tableSin = [Double](repeating: 0, count: 3 * nSites * width)
        for s in 0..<nSites {
            for (axis, x) in [sx[s], sy[s], sz[s]].enumerated() {
                let center = (3 * s + axis) * width + bound
                for m in stride(from: 1, through: bound, by: 1) {
                    let angle = twoPi * Double(m) * x
                    let c = cos(angle), sn = sin(angle)
                    tableCos[center + m] = c; tableSin[center + m] = sn
                    tableCos[center - m] = c; tableSin[center - m] = -sn
                }
            }
        }
        var out = PhaseLines()
        let n = range.count
        out.position.reserveCapacity(n); out.intensity.reserveCapacity(n); out.sigma2.reserveCapacity(n)
        out.gamma.reserveCapacity(n); out.fSquared.reserveCapacity(n); out.d.reserveCapacity(n); out.family.reserveCapacity(n)
        if derivatives {
            for q in [\PhaseLines.dIntensityDPosition, \.dSigma2DPosition, \.dGammaDPosition, \.tanTheta, \.secTheta,
                      \.dPositionDZero, \.dPositionDDisplacement, \.dIntensityDMarchDollase, \.dIntensityDFraction,
                      \.dIntensityDScale] {
                out[keyPath: q].reserveCapacity(n)
            }
            out.dPositionDCell.reserveCapacity(6 * n); out.dIntensityDCell.reserveCapacity(6 * n)
            out.dIntensityDSite.reserveCapacity(11 * nSites * n)
        }
        var siteGrad = [Double](repeating: 0, count: 11 * nSites)
        var dF2dCellAnisotropic = [Double](repeating: 0, count: 6), q = dF2dCellAnisotropic
        var dPOdCell = [Double](repeating: 0, count: derivatives ? 6 : 0)
        for fam in range {
            let hv = familyH[fam]
            let g2 = Self.reciprocalLength2(hv, r)
            let sinTheta = lambda * g2.squareRoot() / 2
            guard sinTheta < 1 else { continue }
            let bragg = 2 * asin(sinTheta) / degree
            let pos0 = bragg + h.zero
            let pos = pos0 - 0.36 / Double.pi * h.displacement * cos(pos0 * degree / 2) / instrument.goniometerRadius
            guard pos > 0, pos < 180 else { continue }
            // |F|² (Friedel mean A² + B² + C² + D², see ScatteringModel).
            let s2 = g2 / 4
            for u in 0..<elementFactors.count {
                let fac = elementFactors[u]
                var f = fac.c, df = 0.0
                for i in 0..<fac.a.count {
                    let t = fac.a[i] * exp(-fac.b[i] * s2)
                    f += t
                    df -= fac.b[i] * t
                }
                elementF0[u] = f; elementDF0[u] = df
            }
            for e in 0..<nSites { f0[e] = elementF0[siteFactor[e]]; df0[e] = elementDF0[siteFactor[e]] }
            for e in 0..<nSites where !anisotropic[e] { siteT[e] = exp(-eightPi2 * sU[e] * s2) }
            var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0
            let base = fam * nAtoms
            for j in 0..<nAtoms {
                let e = atomSite[j]
                let hr = imageHR[base + j]
                let t: Double
                if anisotropic[e] {
                    let c = 6 * e
                    t = exp(-2 * Double.pi * Double.pi * (hr.x * hr.x * sC[c] + hr.y * hr.y * sC[c + 1] + hr.z * hr.z * sC[c + 2]
                        + 2 * (hr.x * hr.y * sC[c + 3] + hr.x * hr.z * sC[c + 4] + hr.y * hr.z * sC[c + 5])))
                } else {
                    t = siteT[e]
                }
                // cos and sin of 2π (h·R·x + h·t) from the tables (see above).
                let ox = 3 * e * width + bound, oy = ox + width, oz = oy + width
                let ix = Int(hr.x), iy = Int(hr.y), iz = Int(hr.z)
                let cx = tableCos[ox + ix], snx = tableSin[ox + ix], cy = tableCos[oy + iy], sny = tableSin[oy + iy]
                let cz = tableCos[oz + iz], snz = tableSin[oz + iz]
                let cxy = cx * cy - snx * sny, sxy = snx * cy + cx * sny
                let cxyz = cxy * cz - sxy * snz, sxyz = sxy * cz + cxy * snz
                let ct = imageCosT[base + j], st = imageSinT[base + j]
                let cs = cxyz * ct - sxyz * st, sn = sxyz * ct + cxyz * st
                let a = sOcc[e] * t * (f0[e] + fPrime[e]), b = sOcc[e] * t * fDoublePrime[e]
                sa += a * cs; sb += a * sn; sc += b * cs; sd += b * sn
                if derivatives { atomA[j] = a; atomB[j] = b; atomCos[j] = cs; atomSin[j] = sn; atomT[j] = t }
            }
            let f2 = sa * sa + sb * sb + sc * sc + sd * sd
            let theta = pos * degree / 2
            let sinT = sin(theta), cosT = cos(theta), tanT = sinT / cosT
            let lorentz = 1 / (2 * sinT * sinT * cosT)
            let c2t = cos(2 * theta)
            let polarization = instrument.polarization + (1 - instrument.polarization) * c2t * c2t
            var po = 1.0, dPOdr = 0.0
            for q in 0..<dPOdCell.count { dPOdCell[q] = 0 }
            let members = familyMembers[fam]
            if let axis {
                var sum = 0.0, dsum = 0.0
                let r2 = mdR * mdR
                let hh = g2, qq = axisNorm2
                for mv in members {
                    let nn = Self.reciprocalDot(mv, axis, r)
                    let cosA = nn / (hh * qq).squareRoot()
                    let c2 = min(1, cosA * cosA)
                    let base = r2 * c2 + (1 - c2) / mdR
                    sum += pow(base, -1.5)
                    if derivatives {
                        let dBase = -1.5 * pow(base, -2.5)
                        dsum += dBase * (2 * mdR * c2 - (1 - c2) / r2)
                        if cosA * cosA < 1 {
                            for q in 0..<6 {
                                let dn = Self.reciprocalDot(mv, axis, dRecip[q])
                                // |h|² is the representative's (as in cos α above), so is its derivative.
                                let dh = Self.reciprocalLength2(hv, dRecip[q]), dq = Self.reciprocalLength2(axis, dRecip[q])
                                let dcos = dn / (hh * qq).squareRoot() - cosA * (dh / (2 * hh) + dq / (2 * qq))
                                dPOdCell[q] += dBase * (r2 - 1 / mdR) * 2 * cosA * dcos
                            }
                        }
                    }
                }
                let m = Double(members.count)
                po = sum / m
                dPOdr = dsum / m
                for q in 0..<dPOdCell.count { dPOdCell[q] /= m }
            }
            let factor = h.scale * fraction * Double(families[fam].multiplicity) * lorentz * polarization * po / volume
            let intensity = factor * f2
            let sigma2 = h.u * tanT * tanT + h.v * tanT + h.w
            let gamma = h.x / cosT + h.y * tanT + sizeX / cosT
            out.position.append(pos); out.intensity.append(intensity); out.sigma2.append(sigma2); out.gamma.append(gamma)
            out.fSquared.append(f2); out.d.append(1 / g2.squareRoot()); out.family.append(fam)
            guard derivatives else { continue }
            let sec2 = 1 / (cosT * cosT)
            let dLnLPdTheta = -2 * cosT / sinT + tanT
                + (1 - instrument.polarization) * (-4 * c2t * sin(2 * theta)) / polarization
            out.dIntensityDPosition.append(intensity * dLnLPdTheta * degree / 2)
            out.dSigma2DPosition.append((2 * h.u * tanT + h.v) * sec2 * degree / 2)
            out.dGammaDPosition.append(((h.x + sizeX) * tanT / cosT + h.y * sec2) * degree / 2)
            out.tanTheta.append(tanT); out.secTheta.append(1 / cosT)
            let dPosDPos0 = 1 + kd * h.displacement * sin(pos0 * degree / 2) * degree / 2
            out.dPositionDZero.append(dPosDPos0)
            out.dPositionDDisplacement.append(-kd * cos(pos0 * degree / 2))
            let dBraggDg2 = lambda / (2 * degree * g2.squareRoot() * (1 - sinTheta * sinTheta).squareRoot())
            // Structure-factor derivatives: ∂F²/∂q = 2 (A ∂A + B ∂B + C ∂C + D ∂D).
            for i in 0..<siteGrad.count { siteGrad[i] = 0 }
            var dF2ds2 = 0.0
            for q in 0..<dF2dCellAnisotropic.count { dF2dCellAnisotropic[q] = 0 }
            for j in 0..<nAtoms {
                let e = atomSite[j]
                let a = atomA[j], b = atomB[j], cs = atomCos[j], sn = atomSin[j]
                let inPhase = sa * a * cs + sb * a * sn + sc * b * cs + sd * b * sn
                let quadrature = -sa * a * sn + sb * a * cs - sc * b * sn + sd * b * cs
                let hr = imageHR[base + j]
                let g = 11 * e
                siteGrad[g] += 2 * twoPi * hr.x * quadrature
                siteGrad[g + 1] += 2 * twoPi * hr.y * quadrature
                siteGrad[g + 2] += 2 * twoPi * hr.z * quadrature
                // ∂a/∂occ = a/occ, computed without dividing by the occupancy.
                let a1 = atomT[j] * (f0[e] + fPrime[e]), b1 = atomT[j] * fDoublePrime[e]
                siteGrad[g + 4] += 2 * (sa * a1 * cs + sb * a1 * sn + sc * b1 * cs + sd * b1 * sn)
                // ∂a/∂s² through f0 (and the isotropic Debye–Waller factor).
                let dw = anisotropic[e] ? 0 : -eightPi2 * sU[e]
                let da = sOcc[e] * atomT[j] * (dw * (f0[e] + fPrime[e]) + df0[e])
                let db = sOcc[e] * atomT[j] * (dw * fDoublePrime[e])
                if anisotropic[e] {
                    // ∂ exponent/∂U_c = −2π² q_c a*-product_c, q = (h1², h2², h3², 2h1h2, 2h1h3, 2h2h3).
                    q[0] = hr.x * hr.x; q[1] = hr.y * hr.y; q[2] = hr.z * hr.z
                    q[3] = 2 * hr.x * hr.y; q[4] = 2 * hr.x * hr.z; q[5] = 2 * hr.y * hr.z
                    let twoPi2 = 2 * Double.pi * Double.pi
                    for c in 0..<6 { siteGrad[g + 5 + c] += 2 * inPhase * (-twoPi2 * q[c] * starProducts[c]) }
                    if derivatives, !dStarProducts.isEmpty {
                        for p in 0..<6 {
                            var dArg = 0.0
                            for c in 0..<6 { dArg += q[c] * sUij[6 * e + c] * dStarProducts[6 * p + c] }
                            dF2dCellAnisotropic[p] += 2 * inPhase * (-twoPi2 * dArg)
                        }
                    }
                } else {
                    siteGrad[g + 3] += 2 * (-eightPi2 * s2) * inPhase
                }
                dF2ds2 += 2 * (sa * da * cs + sb * da * sn + sc * db * cs + sd * db * sn)
            }
            for v in siteGrad { out.dIntensityDSite.append(factor * v) }
            for q in 0..<6 {
                let dg2 = Self.reciprocalLength2(hv, dRecip[q])
                out.dPositionDCell.append(dPosDPos0 * dBraggDg2 * dg2)
                out.dIntensityDCell.append(factor * (dF2ds2 * dg2 / 4 + dF2dCellAnisotropic[q]) + intensity * (dPOdCell[q] / po - dLnV[q]))
            }
            out.dIntensityDMarchDollase.append(intensity / po * dPOdr)
            let unscaled = Double(families[fam].multiplicity) * lorentz * polarization * po / volume * f2
            out.dIntensityDFraction.append(h.scale * unscaled)
            out.dIntensityDScale.append(fraction * unscaled)
        }
        return out
    }
}
