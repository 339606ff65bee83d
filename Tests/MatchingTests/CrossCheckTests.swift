import Diffraction
import Foundation
import Testing
import TestSupport
import XAS
import XrayCore
import XrayFormats

/// XAS + XRD cross-checks on mixtures whose composition is known by construction: the XAS
/// mixture is made here from the XAS Data Library's Fe metal and Fe3O4 spectra
/// (../shared/data/xas/xaslib, each normalised, mixed on the Fe metal energy grid with Gaussian
/// noise), the diffraction pattern from the CIFs of iron and magnetite (../shared/data/xrd/cif/common)
/// with the weight fractions that give the same Fe distribution. Both then go through the CLI
/// (`xas lcf`, `xrd identify`, `crosscheck`).
@Suite("crosscheck XAS vs XRD")
struct CrossCheckTests {
    static let present = SharedData.url("xas/xaslib/Fe3O4_rt_01.xdi") != nil && SharedData.url("xrd/cif/common/AMCSD_Magnetite.cif") != nil
    static var xas: String { SharedData.root.appendingPathComponent("xas").path }
    static var cif: String { SharedData.root.appendingPathComponent("xrd/cif/common").path }

    var rng = SeededRandom(seed: 20)
    mutating func gaussian() -> Double {
        let u = (Double(rng.next() >> 11) + 0.5) / Double(1 << 53), v = (Double(rng.next() >> 11) + 0.5) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    static func temp(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-crosscheck-\(UUID().uuidString)\(suffix)").path
    }

    /// Normalised μ(E) of an xaslib file (Larch pre_edge defaults).
    static func normalised(_ name: String) throws -> (energy: [Double], norm: [Double]) {
        let scan = try #require(try FormatRegistry.read(URL(fileURLWithPath: "\(xas)/xaslib/\(name)")).scans.first)
        let spectrum = try MuSelection.selectMu(scan, expression: nil)
        let grid = try EnergyGrid.prepare(energy: spectrum.energy, mu: try #require(spectrum.mu))
        return (grid.energy, try preEdge(energy: grid.energy, mu: grid.mu).norm)
    }

    /// Fe K mixture: fractions of Fe atoms in Fe metal and Fe3O4, written as a two-column file.
    mutating func xasMixture(metal: Double) throws -> String {
        let a = try Self.normalised("Fe_metal_rt_01.xdi"), b = try Self.normalised("Fe3O4_rt_01.xdi")
        var lines = ["# synthetic Fe K mixture: \(metal) Fe metal + \(1 - metal) Fe3O4 (fractions of Fe), normalised mu", "# columns: energy_eV  norm"]
        for (e, y) in zip(a.energy, a.norm) where e >= b.energy.first! && e <= b.energy.last! {
            let j = b.energy.lastIndex { $0 <= e }!
            let k = min(j + 1, b.energy.count - 1)
            let t = k == j ? 0 : (e - b.energy[j]) / (b.energy[k] - b.energy[j])
            let yb = b.norm[j] + t * (b.norm[k] - b.norm[j])
            lines.append("\(e) \(metal * y + (1 - metal) * yb + 0.003 * gaussian())")
        }
        let path = Self.temp(".dat")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Cu Kα1 pattern of iron + magnetite whose Fe atoms are `metal` : 1 − metal (weight fractions from the formulae).
    mutating func xrdMixture(metal: Double) throws -> (path: String, weightMetal: Double) {
        let iron = try CIF.readStructure(url: URL(fileURLWithPath: "\(Self.cif)/DD_Iron.cif"))
        let magnetite = try CIF.readStructure(url: URL(fileURLWithPath: "\(Self.cif)/AMCSD_Magnetite.cif"))
        let fe = Element.named("Fe")!, o = Element.named("O")!
        // w ∝ x·M/n: per Fe atom, Fe metal weighs M(Fe), magnetite M(Fe3O4)/3.
        let a = metal * fe.molarMass, b = (1 - metal) * (3 * fe.molarMass + 4 * o.molarMass) / 3
        let wMetal = a / (a + b)
        let grid = 10.0...80.0, step = 0.02
        var y = [Double](repeating: 0, count: Int((grid.upperBound - grid.lowerBound) / step) + 1)
        for (structure, weight) in [(iron, wMetal), (magnetite, 1 - wMetal)] {
            let sticks = try PowderSimulator.simulate(structure, options: SimulationOptions(wavelength: 1.5406, twoThetaRange: 5...85))
            let scale = weight * ReferenceLibrary.weightScale(structure)
            PowderProfile.render(into: &y, x0: grid.lowerBound, step: step, positions: sticks.peaks.map(\.twoTheta),
                                 intensities: sticks.peaks.map { $0.absoluteIntensity * scale }, eta: 0.4) { 0.1 / cos($0 * Double.pi / 360) }
        }
        let top = y.max()!
        var lines: [String] = []
        for (i, v) in y.enumerated() {
            let c = 20000 * v / top + 300
            lines.append("\(grid.lowerBound + Double(i) * step) \(c + c.squareRoot() * gaussian())")
        }
        let path = Self.temp(".xy")
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, wMetal)
    }

    func json(_ args: [String], file: String? = nil) async throws -> [String: Any] {
        let run = try await RoentgenCLI.run(args + ["--json"])
        #expect(run.status == 0, "\(args.prefix(2)): \(run.stderr)")
        if let file { try run.stdout.write(toFile: file, atomically: true, encoding: .utf8) }
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    @Test(.enabled(if: present, "../shared/data/xas/xaslib or xrd/cif is absent"))
    mutating func knownMixturesAgreeAndDifferentOnesDoNot() async throws {
        let xasFile = try xasMixture(metal: 0.4)
        let lcf = Self.temp(".json"), qpa = Self.temp(".json"), qpaOther = Self.temp(".json")
        let (pattern, wMetal) = try xrdMixture(metal: 0.4)
        let (otherPattern, _) = try xrdMixture(metal: 0.8)
        defer { for f in [xasFile, lcf, qpa, qpaOther, pattern, otherPattern] { try? FileManager.default.removeItem(atPath: f) } }
        // ROENTGEN_KEEP_MIXTURES=DIR keeps the two 40/60 inputs (how Tests/Fixtures/matching was made).
        if let keep = ProcessInfo.processInfo.environment["ROENTGEN_KEEP_MIXTURES"] {
            for (from, name) in [(xasFile, "fe_metal_fe3o4_40_60_xas.dat"), (pattern, "fe_metal_fe3o4_40_60_xrd.xy")] {
                try? FileManager.default.removeItem(atPath: "\(keep)/\(name)")
                try FileManager.default.copyItem(atPath: from, toPath: "\(keep)/\(name)")
            }
        }
        let fit = try await json(["xas", "lcf", xasFile, "--standard", "\(Self.xas)/xaslib/Fe_metal_rt_01.xdi", "--standard", "\(Self.xas)/xaslib/Fe3O4_rt_01.xdi",
                            "--standard", "\(Self.xas)/xaslib/FeO_rt_01.xdi", "--sum-to-one", "--range", "-30:80"], file: lcf)
        let weights = try #require((fit["fits"] as? [[String: Any]])?.first?["weights"] as? [Double])
        #expect(abs(weights[0] - 0.4) < 0.02 && abs(weights[1] - 0.6) < 0.02 && weights[2] < 0.02, "LCF \(weights)")
        // Decoy candidates (other Fe phases and oxides) stay in the search.
        let candidates = ["DD_Iron.cif", "AMCSD_Magnetite.cif", "AMCSD_Ilmenite.cif", "DD_LiFePO4.cif", "AMCSD_Periclase.cif", "AMCSD_Rutile.cif"].map { "\(Self.cif)/\($0)" }
        let identified = try await json(["xrd", "identify", pattern, "--candidates"] + candidates + ["--wavelength", "1.5406"], file: qpa)
        let phases = try #require(identified["phases"] as? [[String: Any]])
        #expect(Set(phases.compactMap { ($0["candidate"] as? NSString)?.lastPathComponent }) == ["DD_Iron.cif", "AMCSD_Magnetite.cif"])
        let ironFraction = try #require(phases.first { ($0["candidate"] as? String)?.hasSuffix("DD_Iron.cif") == true }?["fraction"] as? Double)
        #expect(abs(ironFraction - wMetal) < 0.04, "RIR iron \(ironFraction) vs \(wMetal) by construction")

        let check = try await json(["crosscheck", "--xas", lcf, "--xrd", qpa, "--element", "Fe"])
        let result = try #require(check["result"] as? [String: Any])
        let rows = try #require(result["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            let truth = (row["phase"] as? String)?.hasSuffix("DD_Iron.cif") == true ? 0.4 : 0.6
            #expect(abs(try #require(row["xas"] as? Double) - truth) < 0.02)
            #expect(abs(try #require(row["xrd"] as? Double) - truth) < 0.04, "\(row)")
        }
        #expect((rows.first { ($0["phase"] as? String)?.hasSuffix("DD_Iron.cif") == true }?["standards"] as? [String]) == ["Fe_metal_rt_01.xdi"])
        #expect(result["agree"] as? Bool == true, "\(result)")

        // Diffraction of a different mixture (80 % of the Fe in the metal) disagrees with the XAS of the 40 % one.
        _ = try await json(["xrd", "identify", otherPattern, "--candidates"] + candidates + ["--wavelength", "1.5406"], file: qpaOther)
        let other = try await #require(try json(["crosscheck", "--xas", lcf, "--xrd", qpaOther, "--element", "Fe"])["result"] as? [String: Any])
        #expect(other["agree"] as? Bool == false && (other["p_value"] as? Double ?? 1) < 0.05, "\(other)")

        // Standards with no phase are named; --map resolves them.
        let synthetic = Self.temp(".json")
        defer { try? FileManager.default.removeItem(atPath: synthetic) }
        try #"{"fits": [{"standards": ["Fe_metal_rt_01.xdi", "FeO_rt_01.xdi", "Fe2O3_rt_01.xdi"], "weights": [0.2, 0.3, 0.5], "weight_errors": [0.01, 0.01, 0.01]}]}"#
            .write(toFile: synthetic, atomically: true, encoding: .utf8)
        let unmatched = try await RoentgenCLI.run(["crosscheck", "--xas", synthetic, "--xrd", qpa, "--element", "Fe"])
        #expect(unmatched.status != 0 && unmatched.stderr.contains("match no phase: FeO_rt_01.xdi, Fe2O3_rt_01.xdi"), "\(unmatched.stderr)")
        let mapped = try await RoentgenCLI.run(["crosscheck", "--xas", synthetic, "--xrd", qpa, "--element", "Fe",
                                          "--map", "FeO_rt_01.xdi=AMCSD_Magnetite.cif", "--map", "Fe2O3_rt_01.xdi=AMCSD_Magnetite.cif"])
        #expect(mapped.status == 0 && mapped.stdout.contains("FeO_rt_01.xdi+Fe2O3_rt_01.xdi"), "\(mapped.stderr)")
    }

    /// Weight fractions outside 0…1 and uncertainties that are negative, above 1 or not finite are refused,
    /// naming the file and the field (-0.3 was clamped to 0, 1.5 and an esd of 1e308 were taken as given).
    @Test func implausibleFractionsAreRefused() async throws {
        let xas = Self.temp(".json"), xrd = Self.temp(".json")
        defer { try? FileManager.default.removeItem(atPath: xas); try? FileManager.default.removeItem(atPath: xrd) }
        try #"{"fits": [{"standards": ["Fe_metal_rt_01.xdi", "Fe3O4_rt_01.xdi"], "weights": [0.4, 0.6], "weight_errors": [0.01, 0.01]}]}"#
            .write(toFile: xas, atomically: true, encoding: .utf8)
        func phases(_ iron: String, _ magnetite: String = #""weight_fraction": 0.7"#) -> String {
            #"{"phases": [{"name": "iron", "formula": "Fe", "# + iron + #"}, {"name": "magnetite", "formula": "Fe3O4", "# + magnetite + "}]}"
        }
        let cases: [(String, String)] = [
            (#""weight_fraction": -0.3"#, "phases[0].weight_fraction is -0.3"),
            (#""weight_fraction": 1.5"#, "phases[0].weight_fraction is 1.5"),
            (#""fraction": 2"#, "phases[0].fraction is 2.0"),
            (#""weight_fraction": 0.3, "weight_fraction_esd": -0.1"#, "phases[0].weight_fraction_esd is -0.1"),
            (#""weight_fraction": 0.3, "weight_fraction_esd": 1e308"#, "phases[0].weight_fraction_esd is 1e+308"),
        ]
        let name = URL(fileURLWithPath: xrd).lastPathComponent
        for (field, said) in cases {
            try phases(field).write(toFile: xrd, atomically: true, encoding: .utf8)
            let r = try await RoentgenCLI.run(["crosscheck", "--xas", xas, "--xrd", xrd, "--element", "Fe"])
            #expect(r.status != 0 && r.stdout.isEmpty && r.stderr.contains(name) && r.stderr.contains(said), "\(field): \(r.stderr)")
        }
        try phases(#""weight_fraction": 0.3, "weight_fraction_esd": 0.02"#).write(toFile: xrd, atomically: true, encoding: .utf8)
        let ok = try await RoentgenCLI.run(["crosscheck", "--xas", xas, "--xrd", xrd, "--element", "Fe"])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// χ² survival function against tabulated values (Abramowitz & Stegun table 26.8).
    @Test func chiSquareTail() {
        #expect(abs(CrossCheck.chiSquareSurvival(3.841, degreesOfFreedom: 1) - 0.05) < 1e-3)
        #expect(abs(CrossCheck.chiSquareSurvival(5.991, degreesOfFreedom: 2) - 0.05) < 1e-3)
        #expect(abs(CrossCheck.chiSquareSurvival(18.307, degreesOfFreedom: 10) - 0.05) < 1e-3)
        #expect(abs(CrossCheck.chiSquareSurvival(0.455, degreesOfFreedom: 1) - 0.5) < 1e-3)
        #expect(CrossCheck.chiSquareSurvival(0, degreesOfFreedom: 3) == 1)
    }

    /// Molar distribution from weight fractions: 50/50 by weight of Fe and Fe3O4 puts 50/55.845 vs 50·3/231.53 mol Fe.
    @Test func weightToMolarDistribution() throws {
        let phases = [QuantifiedPhase(name: "iron", formula: try ChemicalFormula("Fe"), weightFraction: 0.5, weightFractionError: 0.02),
                      QuantifiedPhase(name: "magnetite", formula: try ChemicalFormula("Fe3O4"), weightFraction: 0.5, weightFractionError: 0.02),
                      QuantifiedPhase(name: "quartz", formula: try ChemicalFormula("SiO2"), weightFraction: 0.2)]
        let x = try CrossCheck.elementDistribution(phases, element: Element.named("Fe")!)
        let a = 0.5 / 55.845, b = 0.5 * 3 / (3 * 55.845 + 4 * 15.999)
        #expect(abs(x[0].fraction - a / (a + b)) < 1e-3 && abs(x[1].fraction - b / (a + b)) < 1e-3 && x[2].fraction == 0)
        #expect(x[0].error > 0 && abs(x[0].error - x[1].error) < 1e-12)
        #expect(CrossCheck.standard("Fe3O4_rt_01.xdi", matches: try ChemicalFormula("Fe24O32")))
        #expect(!CrossCheck.standard("FeO_rt_01.xdi", matches: try ChemicalFormula("Fe3O4")))
        #expect(CrossCheck.standard("Fe_metal_rt_01.xdi", matches: try ChemicalFormula("Fe2")))
    }
}
