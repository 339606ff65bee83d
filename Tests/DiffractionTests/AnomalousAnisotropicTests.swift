import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

/// Anomalous scattering terms (Chantler f′, f″) and anisotropic Debye–Waller factors in the simulation.
@Suite struct AnomalousAnisotropicTests {
    /// f′ and f″ against XrayDB 4.5.8 (`xraydb.f1_chantler` / `f2_chantler`, database schema 9.2, the same
    /// sqlite the table was generated from), computed once with Python. Away from absorption edges the
    /// thinned table with ln E interpolation reproduces XrayDB's spline within 0.012 e + 0.6 % over
    /// 1.1–190 keV for all 92 elements (checked with the generator's data); the tolerance is 0.015 e + 0.5 %.
    @Test func chantlerMatchesXrayDB() throws {
        let reference: [(String, Double, Double, Double)] = [
            ("Fe", 8047.8, -1.2010074, 3.1736392), ("Fe", 6930.3, -3.3666489, 0.4777474),
            ("Fe", 17479.3, 0.3361265, 0.8363823), ("Fe", 86839.5, -0.0160728, 0.0359522),
            ("Cu", 8047.8, -1.9932694, 0.5828198), ("Ni", 8047.8, -3.0420306, 0.5050137),
            ("Mo", 17479.3, -1.7022110, 0.6695607), ("O", 8047.8, 0.0454729, 0.0319661),
            ("Pb", 8047.8, -4.3096099, 8.4149735),
        ]
        for (symbol, energy, f1, f2) in reference {
            let z = try #require(Element.named(symbol)).atomicNumber
            let value = try #require(AnomalousScatteringFactor.chantler(z, energy: energy))
            #expect(abs(value.fPrime - f1) < 0.015 + 0.005 * abs(f1), "\(symbol) \(energy) eV: f′ \(value.fPrime) vs \(f1)")
            #expect(abs(value.fDoublePrime - f2) < 0.015 + 0.005 * f2, "\(symbol) \(energy) eV: f″ \(value.fDoublePrime) vs \(f2)")
        }
        // 88 eV above the Fe K edge, where f′ bends sharply: ln E interpolation on the tabulated grid
        // differs from XrayDB's cubic spline by 0.14 e (chemical edge shifts matter more there).
        let nearEdge = try #require(AnomalousScatteringFactor.chantler(26, energy: 7200))
        #expect(abs(nearEdge.fPrime - -3.9430471) < 0.2 && abs(nearEdge.fDoublePrime - 3.8344766) < 0.02)
        // Wavelength form: Cu Kα1 1.540562 Å = 8047.8 eV.
        let fe = try #require(AnomalousScatteringFactor.chantler(26, wavelength: 1.540562))
        #expect(abs(fe.fPrime - -1.2010074) < 0.02)
        #expect(AnomalousScatteringFactor.chantler(93, energy: 8000) == nil)
        #expect(AnomalousScatteringFactor.chantler(26, energy: 500) == nil)
    }

    /// bcc Fe: with f = f0 + f′ + i f″, every line scales by (|f0(s) + f′|² + f″²)/f0(s)², so relative to
    /// (110) the high-angle lines lose intensity where f′ < 0. Co Kα lies just below the Fe K edge
    /// (f′ = −3.37), Cu Kα above it (f′ = −1.20, f″ = 3.17): the (211)/(110) ratio must drop at both,
    /// more at Co Kα, and by the factor the form factors predict.
    @Test(.enabled(if: SharedData.isPresent)) func ironLinesFollowFPrime() throws {
        let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/DD_Iron.cif")))
        var drops: [Double] = []
        for wavelength in [1.788965, 1.540562] {
            var options = SimulationOptions(wavelength: wavelength, twoThetaRange: 20...120)
            let plain = try PowderSimulator.simulate(structure, options: options)
            options.anomalous = true
            let anomalous = try PowderSimulator.simulate(structure, options: options)
            func ratio(_ p: SimulatedPattern) throws -> (Double, Double, Double) {
                let l110 = try #require(p.peaks.first { $0.multiplicity == 12 && abs($0.d - 2.0269) < 0.01 })
                let l211 = try #require(p.peaks.first { abs($0.d - 1.1702) < 0.01 })
                return (l211.absoluteIntensity / l110.absoluteIntensity, 1 / (2 * l110.d), 1 / (2 * l211.d))
            }
            let (r0, s110, s211) = try ratio(plain)
            let (r1, _, _) = try ratio(anomalous)
            let f0 = try #require(AtomicScatteringFactor.neutral(26))
            let a = try #require(AnomalousScatteringFactor.chantler(26, wavelength: wavelength))
            func gain(_ s: Double) -> Double {
                let v = f0.f0(s2: s * s)
                return ((v + a.fPrime) * (v + a.fPrime) + a.fDoublePrime * a.fDoublePrime) / (v * v)
            }
            #expect(abs(r1 / r0 - gain(s211) / gain(s110)) < 1e-9, "λ \(wavelength): \(r1 / r0) vs \(gain(s211) / gain(s110))")
            #expect(r1 < r0)
            drops.append(r1 / r0)
        }
        #expect(drops[0] < drops[1], "the drop at Co Kα (\(drops[0])) should exceed that at Cu Kα (\(drops[1]))")
    }

    /// ZnO (P6₃mc, no inversion centre) with anomalous terms and anisotropic U (made up, rotated by
    /// symmetry): the model's Friedel-pair mean ½(|F(h)|² + |F(−h)|²) against a direct complex sum over
    /// all symmetry images in the test, done with Cartesian tensors, for several reflections.
    @Test(.enabled(if: SharedData.isPresent)) func noncentrosymmetricMatchesDirectSum() throws {
        var structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/DD_ZnO.cif")))
        // The file rounds 1/3, 2/3 to 0.3333, 0.6667; exact values keep images on one point.
        structure.sites[0].fract = SIMD3(1.0 / 3, 2.0 / 3, 0)
        structure.sites[1].fract.x = 1.0 / 3
        structure.sites[1].fract.y = 2.0 / 3
        // Site symmetry 3m along c: U11 = U22 = 2 U12, U13 = U23 = 0.
        structure.sites[0].uAniso = [0.008, 0.008, 0.012, 0.004, 0, 0]
        structure.sites[1].uAniso = [0.011, 0.011, 0.006, 0.0055, 0, 0]
        try compareWithDirectSum(structure, wavelength: 1.788965, anomalous: true,
                                 reflections: [[1, 0, 0], [0, 0, 2], [1, 0, 1], [1, 0, -1], [1, 0, 3], [2, -1, 2], [2, 0, 1], [1, 1, 4]],
                                 tolerance: 1e-9)
    }

    /// α-quartz (P3₂21) and corundum (R-3c) with the CIFs' anisotropic U: model against the direct sum.
    @Test(.enabled(if: SharedData.isPresent)) func anisotropicMatchesDirectSum() throws {
        for (file, reflections) in [("AMCSD_Quartz-alpha.cif", [[1, 0, 0], [1, 0, 1], [1, 1, 2], [2, 1, 3], [3, 0, -2], [1, -2, 4]]),
                                    ("DD_Sapphire.cif", [[0, 1, 2], [1, 0, 4], [1, 1, 3], [1, 1, 6], [2, 1, 4], [3, 0, 0], [1, 0, 10]])] {
            let structure = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/" + file)))
            #expect(structure.sites.allSatisfy { $0.uAniso != nil }, "\(file) should carry U_ij")
            // The CIFs' rounded U_ij obey their sites' symmetry only to ~1e-5 Å²: the model averages the
            // tensors of the operations that map a site onto itself, the direct sum averages their
            // Debye–Waller factors; these differ in second order (≤ 2e-7 relative here).
            try compareWithDirectSum(structure, wavelength: 1.54184, anomalous: false, reflections: reflections, tolerance: 1e-6)
        }
    }

    /// An isotropic tensor written as U_ij (U11 = U22 = U33 = U, U12 = U/2 in a hexagonal cell) gives the
    /// same pattern as U_iso; quartz's real anisotropic U changes line intensities by more than 1 %.
    @Test(.enabled(if: SharedData.isPresent)) func isotropicTensorEqualsUIso() throws {
        let quartz = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/AMCSD_Quartz-alpha.cif")))
        var isotropic = quartz
        for i in isotropic.sites.indices {
            let u = try #require(isotropic.sites[i].uIso)
            isotropic.sites[i].uAniso = isotropic.cell.isotropicUAniso(u)
        }
        #expect(abs(isotropic.sites[0].uAniso![3] - isotropic.sites[0].uIso! / 2) < 1e-12)
        for site in isotropic.sites {
            #expect(abs(isotropic.cell.equivalentIsotropicU(uAniso: site.uAniso!) - site.uIso!) < 1e-12)
        }
        // Quartz Si: U_eq = ⅓ Σ U_ij a*_i a*_j a_i·a_j. Hexagonal (γ = 120°): a*²a² = b*²b² = 4/3,
        // a*b* a·b = −2/3, c*²c² = 1, the rest 0, so U_eq = ⅓[4/3 (U11 + U22 − U12) + U33] = 0.0078033 Å²,
        // not (U11 + U22 + U33)/3 = 0.00765.
        let u = quartz.sites[0].uAniso!
        let handUEq = (4.0 / 3 * (u[0] + u[1] - u[3]) + u[2]) / 3
        #expect(abs(quartz.cell.equivalentIsotropicU(uAniso: u) - handUEq) < 1e-12)
        var options = SimulationOptions(wavelength: 1.54184, twoThetaRange: 10...140, debyeWaller: true)
        let tensor = try PowderSimulator.simulate(isotropic, options: options)
        options.anisotropicDisplacement = false
        let scalar = try PowderSimulator.simulate(isotropic, options: options)
        try #require(tensor.peaks.count == scalar.peaks.count && !tensor.peaks.isEmpty)
        for (a, b) in zip(tensor.peaks, scalar.peaks) {
            #expect(abs(a.absoluteIntensity - b.absoluteIntensity) <= 1e-9 * b.absoluteIntensity)
        }
        options.anisotropicDisplacement = true
        let real = try PowderSimulator.simulate(quartz, options: options)
        options.anisotropicDisplacement = false
        let uEq = try PowderSimulator.simulate(quartz, options: options)
        let largest = zip(real.peaks, uEq.peaks).map { abs($0.absoluteIntensity / $1.absoluteIntensity - 1) }.max() ?? 0
        #expect(largest > 0.01, "anisotropic U should matter for quartz (largest change \(largest))")
        #expect(real.warnings.isEmpty)
    }

    /// AMCSD's rutile lists U11 U12 U13 U22 U23 U33 under U11 U22 U33 U12 U13 U23 tags, which read as a
    /// tensor with U33 = 0: not positive definite, so the site falls back to U_iso with a warning.
    @Test(.enabled(if: SharedData.isPresent)) func nonPositiveDefiniteTensorWarns() throws {
        let rutile = try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/AMCSD_Rutile.cif")))
        let pattern = try PowderSimulator.simulate(rutile, options: SimulationOptions(debyeWaller: true))
        #expect(pattern.warnings.count == 2 && pattern.warnings.allSatisfy { $0.contains("not positive definite") }, "\(pattern.warnings)")
        #expect(!pattern.peaks.isEmpty)
    }

    /// Bad requests: an element beyond the Chantler table (Am, Z = 95) and an energy outside 1–200 keV.
    @Test func anomalousBadInput() throws {
        let americium = try #require(Element.named("Am"))
        let structure = CrystalStructure(name: "Am", cell: UnitCell(a: 3.47, b: 3.47, c: 11.24, alpha: 90, beta: 90, gamma: 120),
                                         sites: [AtomSite(label: "Am1", typeSymbol: "Am", element: americium, fract: .zero)])
        var options = SimulationOptions()
        options.anomalous = true
        #expect { try PowderSimulator.simulate(structure, options: options) } throws: { error in
            (error as? RoentgenError)?.description.contains("Z ≤ 92") == true
        }
        options.anomalous = false
        #expect(try !PowderSimulator.simulate(structure, options: options).peaks.isEmpty)
        options.anomalous = true
        options.wavelength = 20
        options.twoThetaRange = 5...170
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(structure, options: options) }
    }

    @Test(.enabled(if: SharedData.isPresent)) func anomalousCLI() async throws {
        let cif = try #require(SharedData.url("xrd/cif/common/DD_Iron.cif")).path
        let run = try await RoentgenCLI.run(["xrd", "simulate", cif, "--wavelength", "CoKa1", "--anomalous", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let parameters = try #require((object["provenance"] as? [String: Any])?["parameters"] as? [String: Any])
        #expect(parameters["anomalous"] as? Bool == true)
        let tooHard = try await RoentgenCLI.run(["xrd", "simulate", cif, "--wavelength", "0.03", "--range", "1:5", "--anomalous"])
        #expect(tooHard.status != 0 && tooHard.stderr.contains("keV"), "\(tooHard.stderr)")
        let quartz = try #require(SharedData.url("xrd/cif/common/AMCSD_Quartz-alpha.cif")).path
        let aniso = try await RoentgenCLI.run(["xrd", "simulate", quartz, "--debye-waller", "--json"])
        let iso = try await RoentgenCLI.run(["xrd", "simulate", quartz, "--debye-waller", "--isotropic", "--json"])
        #expect(aniso.status == 0 && iso.status == 0 && aniso.stdout != iso.stdout)
    }

    // MARK: - Direct structure-factor sum, independent of ScatteringModel

    private func compareWithDirectSum(_ structure: CrystalStructure, wavelength: Double, anomalous: Bool,
                                      reflections: [[Int]], tolerance: Double) throws {
        var options = SimulationOptions(wavelength: wavelength, debyeWaller: true)
        options.anomalous = anomalous
        let model = try ScatteringModel(atoms: structure.unitCellAtomsRotatingDisplacements(), cell: structure.cell, options: options)
        let bound = reflections.flatMap { $0.map(abs) }.max() ?? 1
        let tables = model.phases(bounds: (bound, bound, bound))
        var scratch = [Double](repeating: 0, count: model.factors.count)
        for hkl in reflections {
            let s2 = 1 / (4 * pow(structure.cell.dSpacing(hkl[0], hkl[1], hkl[2]), 2))
            let ours = model.structureFactorSquared(SIMD3(Int32(hkl[0]), Int32(hkl[1]), Int32(hkl[2])), s2: s2,
                                                    tables: tables, scratch: &scratch)
            let plus = try directF(structure, hkl, wavelength: wavelength, anomalous: anomalous)
            let minus = try directF(structure, hkl.map { -$0 }, wavelength: wavelength, anomalous: anomalous)
            let expected = (plus.re * plus.re + plus.im * plus.im + minus.re * minus.re + minus.im * minus.im) / 2
            #expect(abs(ours - expected) <= tolerance * max(expected, 1), "\(structure.name) \(hkl): \(ours) vs \(expected)")
            if anomalous, hkl == [1, 0, 1] {
                // Friedel's law must fail here for the check to mean something.
                #expect(abs(plus.re * plus.re + plus.im * plus.im - (minus.re * minus.re + minus.im * minus.im)) > 1e-3 * expected)
            }
        }
    }

    /// F(h) = Σ over sites and operations of occ·f·T·exp(2πi h·x), each distinct image counted once
    /// (a site's orbit is hit |G|/|orbit| times, so every term is weighted |orbit|/|G|). The Debye–Waller
    /// factor is exp(−½ qᵀ U_cart′ q) with q = 2π B h, U_cart′ = R_c U_cart R_cᵀ, R_c = A R A⁻¹ and
    /// U_cart = A N U N Aᵀ (A: lattice vectors as columns, N = diag(a*, b*, c*)).
    private func directF(_ structure: CrystalStructure, _ hkl: [Int], wavelength: Double, anomalous: Bool) throws -> (re: Double, im: Double) {
        let basis = structure.cell.cartesianBasis
        let a = (0..<3).map { i in (0..<3).map { j in basis[j][i] } }          // columns = a, b, c
        let aInv = try #require(inverse(a))
        let bMatrix = transpose(aInv)                                           // columns = a*, b*, c*
        let n = diagonal([sqrt(structure.cell.reciprocalMetric[0]), sqrt(structure.cell.reciprocalMetric[4]), sqrt(structure.cell.reciprocalMetric[8])])
        let h = hkl.map(Double.init)
        let q = (0..<3).map { i in 2 * Double.pi * (0..<3).reduce(0) { $0 + bMatrix[i][$1] * h[$1] } }
        let s2 = 1 / (4 * pow(structure.cell.dSpacing(hkl[0], hkl[1], hkl[2]), 2))
        var re = 0.0, im = 0.0
        for site in structure.sites {
            let f0 = try #require(AtomicScatteringFactor.neutral(site.element.atomicNumber)).f0(s2: s2)
            var fr = f0, fi = 0.0
            if anomalous {
                let x = try #require(AnomalousScatteringFactor.chantler(site.element.atomicNumber, wavelength: wavelength))
                fr += x.fPrime; fi = x.fDoublePrime
            }
            let u = try #require(site.uAniso)
            let uMatrix = [[u[0], u[3], u[4]], [u[3], u[1], u[5]], [u[4], u[5], u[2]]]
            let uCart = multiply(multiply(multiply(multiply(a, n), uMatrix), n), transpose(a))
            // Distinct images of the site, to weight each operation by |orbit|/|G|.
            var images: [SIMD3<Double>] = []
            for op in structure.operations {
                var p = op.apply(site.fract)
                for i in 0..<3 { p[i] -= p[i].rounded(.down) }
                if !images.contains(where: { o in (0..<3).allSatisfy { let d = abs(o[$0] - p[$0]); return min(d, 1 - d) < 1e-3 } }) {
                    images.append(p)
                }
            }
            let weight = Double(images.count) / Double(structure.operations.count)
            for op in structure.operations {
                let r = (0..<3).map { i in (0..<3).map { j in Double(op.rotation[i * 3 + j]) } }
                let rc = multiply(multiply(a, r), aInv)
                let uc = multiply(multiply(rc, uCart), transpose(rc))
                var quadratic = 0.0
                for i in 0..<3 { for j in 0..<3 { quadratic += q[i] * uc[i][j] * q[j] } }
                let t = exp(-quadratic / 2)
                let p = op.apply(site.fract)
                let phase = 2 * Double.pi * (h[0] * p.x + h[1] * p.y + h[2] * p.z)
                let amplitude = weight * site.occupancy * t
                re += amplitude * (fr * cos(phase) - fi * sin(phase))
                im += amplitude * (fr * sin(phase) + fi * cos(phase))
            }
        }
        return (re, im)
    }

    private func multiply(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + x[i][$1] * y[$1][j] } } }
    }
    private func transpose(_ x: [[Double]]) -> [[Double]] { (0..<3).map { i in (0..<3).map { j in x[j][i] } } }
    private func diagonal(_ d: [Double]) -> [[Double]] { (0..<3).map { i in (0..<3).map { j in i == j ? d[i] : 0 } } }
    private func inverse(_ m: [[Double]]) -> [[Double]]? {
        let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        guard abs(det) > 1e-12 else { return nil }
        func c(_ i: Int, _ j: Int) -> Double {
            let r = [0, 1, 2].filter { $0 != j }, s = [0, 1, 2].filter { $0 != i }
            let minor = m[r[0]][s[0]] * m[r[1]][s[1]] - m[r[0]][s[1]] * m[r[1]][s[0]]
            return ((i + j) % 2 == 0 ? 1 : -1) * minor / det
        }
        return (0..<3).map { i in (0..<3).map { j in c(i, j) } }
    }
}
