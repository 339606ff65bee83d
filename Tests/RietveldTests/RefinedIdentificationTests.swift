import Foundation
import Refinement
import Testing
import TestSupport
import XrayCore
import XrayFormats
import XrayNumerics
@testable import Diffraction

/// `roentgen xrd identify --refine`: minor phases judged by refining them in (Hamilton's test), recall at
/// 5 wt % on simulated two-phase mixtures with counting noise, no spurious phase on pure patterns, and
/// the measured Mn2O3 + LiF mixture whose LiF (three strong lines) the search-match alone misses.
@Suite(.serialized) struct RefinedIdentificationTests {
    /// The candidate pool of the simulated cases: real CIFs with full symmetry (../shared/data/xrd/cif/common).
    static let pool = ["DD_Sapphire", "AMCSD_Rutile", "AMCSD_Periclase", "AMCSD_Quartz-alpha", "AMCSD_Calcite", "G2_CaF2",
                       "DD_ZnO", "DD_NaCl"]
    /// (major, minor) pairs, 95 : 5 by weight.
    static let pairs = [("DD_Sapphire", "AMCSD_Rutile"), ("AMCSD_Calcite", "AMCSD_Quartz-alpha"), ("G2_CaF2", "AMCSD_Periclase"),
                        ("AMCSD_Rutile", "DD_ZnO"), ("DD_NaCl", "AMCSD_Calcite"), ("DD_ZnO", "DD_Sapphire"),
                        ("AMCSD_Quartz-alpha", "AMCSD_Periclase")]

    static func cif(_ name: String) throws -> URL { try #require(SharedData.url("xrd/cif/common/\(name).cif")) }

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("refined-identify-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A Cu Kα1/Kα2 pattern 10–100° (step 0.02°) of `phases` at weight fractions `weights`: the Rietveld model
    /// with fractions f_p = W_p / (ZM)_p (Hill–Howard inverted), U 4, V −3, W 6 centideg², X 2.5, Y 1.5 centideg,
    /// SH/L 0.02, zero +0.03°, strongest point `peak` counts above a sloping background of ~150 counts, each
    /// point drawn from Poisson(y) (normal approximation N(y, y), every y ≥ 100 here).
    static func simulate(_ names: [String], weights: [Double], peak: Double = 20_000, seed: UInt64) throws -> (x: [Double], y: [Double]) {
        let x = (0...4500).map { 10 + 0.02 * Double($0) }
        let cu = try #require(AnodeLines.anode("Cu"))
        let phases = try names.map { RietveldPhase(name: $0, structure: try CIF.readStructure(url: try cif($0))) }
        let model = try RietveldModel(twoTheta: x, observed: x.map { _ in 1 }, instrument: RietveldInstrument(lambda1: cu.kAlpha1, lambda2: cu.kAlpha2),
                                      phases: phases, backgroundTerms: 0)
        var set = try model.defaultParameters()
        for (name, value) in [("U", 4.0), ("V", -3.0), ("W", 6.0), ("X", 2.5), ("Y", 1.5), ("SH_L", 0.02), ("zero", 0.03)] {
            set[name]?.value = value
        }
        for (p, w) in zip(phases, weights) { set["\(p.key)_fraction"]?.value = w / p.cellMass() }
        let signal = try model.calculate(try set.evaluated()).calculated
        let top = try #require(signal.max())
        var rng = SeededRandom(seed: seed)
        let y = zip(x, signal).map { t, s -> Double in
            let mean = peak * s / top + 150 - 0.5 * (t - 10)
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-300), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return (mean + mean.squareRoot() * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)).rounded()
        }
        return (x, y)
    }

    static func write(_ pattern: (x: [Double], y: [Double]), _ name: String) throws -> URL {
        let url = try temporaryFolder().appendingPathComponent(name)
        let text = zip(pattern.x, pattern.y).map { String(format: "%.2f %.0f", $0, $1) }.joined(separator: "\n")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs `xrd identify FILE --candidates POOL --refine --json` and returns the refinement object.
    static func identifyRefined(_ file: URL, candidates: [String], extra: [String] = []) async throws -> [String: Any] {
        let r = try await RoentgenCLI.run(["xrd", "identify", file.path, "--candidates"] + candidates + ["--refine", "--json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try #require(o["refinement"] as? [String: Any])
    }

    static func fractions(_ refinement: [String: Any]) -> [String: (Double, Double)] {
        var out: [String: (Double, Double)] = [:]
        for p in refinement["phases"] as? [[String: Any]] ?? [] {
            if let n = p["name"] as? String, let w = p["weight_fraction"] as? Double, let e = p["weight_fraction_esd"] as? Double { out[n] = (w, e) }
        }
        return out
    }

    /// Hamilton's critical ratio against F quantiles from scipy 1.x (`scipy.stats.f.ppf(0.95, d1, d2)`):
    /// F(2, 230) = 3.0350924881528356, F(3, 8000) = 2.606019072541834, F(1, 10) = 4.964602743730711.
    @Test func hamiltonCriticalRatio() {
        // Alternating residuals have ρ < 0: n is used as published.
        let alternating = (0..<242).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        let t = HamiltonTest(rwpWithout: 10.5, parametersWithout: 10, rwpWith: 10, parametersWith: 12, residuals: alternating)
        #expect(t.addedParameters == 2 && t.degreesOfFreedom == 230)
        #expect(abs(t.critical - (1 + 2.0 / 230 * 3.0350924881528356).squareRoot()) < 1e-9)
        #expect(t.significant && abs(t.ratio - 1.05) < 1e-12)
        #expect(abs(FDistribution.quantile(0.95, d1: 3, d2: 8000) - 2.606019072541834) < 1e-8)
        #expect(abs(FDistribution.quantile(0.95, d1: 1, d2: 10) - 4.964602743730711) < 1e-8)
        #expect(abs(FDistribution.cdf(2.5, d1: 7, d2: 120) - 0.9803492014742441) < 1e-10)
        // Runs of one sign (ρ = 0.9) shrink n to n(1 − ρ)/(1 + ρ): a larger critical ratio.
        var runs: [Double] = [], v = 1.0
        var rng = SeededRandom(seed: 3)
        for _ in 0..<5000 {
            v = 0.9 * v + Double(rng.next() >> 11) / Double(1 << 53) - 0.5
            runs.append(v)
        }
        let correlated = HamiltonTest(rwpWithout: 10.5, parametersWithout: 10, rwpWith: 10, parametersWith: 12, residuals: runs)
        #expect(correlated.serialCorrelation > 0.85 && correlated.degreesOfFreedom < 5000 / 10)
        #expect(correlated.critical > (1 + 2.0 / 4988 * 3.0).squareRoot())
    }

    /// Recall at 5 wt %: seven simulated pairs (95 : 5 by weight, 20 000 counts at the strongest point),
    /// every pool CIF a candidate. The minor phase must end in the refined model in at least 6 of the 7 (measured: 7),
    /// with its Rietveld weight fraction within 1.5 wt % of 5 %, and no third phase added.
    @Test(.enabled(if: SharedData.isPresent)) func recallAtFiveWeightPercent() async throws {
        let candidates = try Self.pool.map { try Self.cif($0).path }
        var found = 0, matchedOnly = 0
        for (k, (major, minor)) in Self.pairs.enumerated() {
            let file = try Self.write(try Self.simulate([major, minor], weights: [0.95, 0.05], seed: UInt64(100 + k)), "\(major)+\(minor).xy")
            let r = try await RoentgenCLI.run(["xrd", "identify", file.path, "--candidates"] + candidates + ["--refine", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let refinement = try #require(o["refinement"] as? [String: Any])
            let matched = (o["phases"] as? [[String: Any]] ?? []).compactMap { $0["candidate"] as? String }
            if matched.contains(where: { $0.hasSuffix("/\(minor).cif") }) { matchedOnly += 1 }
            let w = Self.fractions(refinement)
            print("5 wt% \(minor) in \(major): search-match \(matched.map { ($0 as NSString).lastPathComponent }), refined \(w), Rwp \(refinement["rwp"] ?? "")")
            #expect(w[major] != nil, "\(major) not in the refined model: \(w)")
            #expect(w.count <= 2, "spurious phase added to \(major)+\(minor): \(w)")
            if let (wm, esd) = w[minor] {
                found += 1
                #expect(abs(wm - 0.05) < 0.015, "\(minor) refined to \(wm) ± \(esd)")
                #expect(esd > 0 && esd < 0.02)
            }
            let tested = (refinement["candidates"] as? [[String: Any]] ?? []).filter { $0["test"] != nil }
            #expect(tested.allSatisfy { ($0["test"] as? [String: Any])?["critical"] as? Double ?? 0 > 1 })
        }
        print("recall at 5 wt %: \(found) of \(Self.pairs.count) (search-match alone: \(matchedOnly))")
        #expect(found >= 6)
    }

    /// The measured Mn2O3 + LiF mixture (XRD-AutoAnalyzer's example, ../shared/data/xrd/unseen) against
    /// all 56 reference CIFs of that tool: the search-match alone finds Mn2O3 only (LiF has three strong
    /// lines); refining finds LiF in round 1 and adds nothing else. The references are written in P1 and are
    /// refined with the symmetry their atoms have (`HiddenLatticeSymmetry.symmetrized`). Refined as P1,
    /// Mn2O3's a, b and c split its lines (Rwp 19.1 %) and Li2O (42 wt %) was wrongly kept in round 2.
    @Test(.enabled(if: SharedData.isPresent)) func measuredMn2O3LiFMixtureFindsLiFAndNothingElse() async throws {
        let file = try #require(SharedData.url("xrd/unseen/text/xrd_autoanalyzer/Mn2O3+LiF.xy"))
        let references = try #require(SharedData.url("xrd/cif/xrd_autoanalyzer_refs"))
        let r = try await RoentgenCLI.run(["xrd", "identify", file.path, "--candidates", references.path, "--refine", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let matched = (o["phases"] as? [[String: Any]] ?? []).compactMap { $0["candidate"] as? String }
        #expect(matched.map { ($0 as NSString).lastPathComponent } == ["Mn2O3_206.cif"])
        let refinement = try #require(o["refinement"] as? [String: Any])
        let w = Self.fractions(refinement)
        print("measured Mn2O3 + LiF: \(w), Rwp \(refinement["rwp"] ?? "")")
        #expect(w.keys.sorted() == ["LiF_225", "Mn2O3_206"], "\(w)")
        #expect(abs((w["LiF_225"]?.0 ?? 0) + (w["Mn2O3_206"]?.0 ?? 0) - 1) < 1e-9)
        let candidates = refinement["candidates"] as? [[String: Any]] ?? []
        let lif = try #require(candidates.first { $0["name"] as? String == "LiF_225" })
        #expect(lif["accepted"] as? Bool == true && lif["round"] as? Int == 1)
        // Rwp of Mn2O3 alone 12.91 %, with LiF 5.34 % (this data); refined as P1, Mn2O3 alone gave 19.07 %.
        #expect((lif["rwp_without"] as? Double ?? 100) < 13)
        #expect((refinement["rwp"] as? Double ?? 100) < 5.5)
        #expect(refinement["converged"] as? Bool == true)
    }

    /// Pure patterns gain no phase: two simulated single-phase patterns and the measured LaB6 scan
    /// (Bruker, GSAS-II tutorial) with the whole pool as candidates.
    @Test(.enabled(if: SharedData.isPresent)) func pureSinglePhaseGainsNothing() async throws {
        let candidates = try Self.pool.map { try Self.cif($0).path }
        for (k, name) in ["DD_Sapphire", "AMCSD_Calcite"].enumerated() {
            let file = try Self.write(try Self.simulate([name], weights: [1], seed: UInt64(200 + k)), "\(name)-pure.xy")
            let w = await Self.fractions(try Self.identifyRefined(file, candidates: candidates))
            print("pure \(name): \(w)")
            #expect(w.count == 1 && w[name] != nil, "\(w)")
        }
        let lab6 = try #require(SharedData.url("xrd/rietveld/lab6_bruker"))
        let refinement = try await Self.identifyRefined(lab6.appendingPathComponent("LaB6_Jan2018.raw"),
                                                  candidates: [lab6.appendingPathComponent("LaB6.cif").path] + candidates,
                                                  extra: ["--instrument", lab6.appendingPathComponent("LaB6_CuKa12_start.instprm").path])
        let w = Self.fractions(refinement)
        print("measured LaB6: \(w), Rwp \(refinement["rwp"] ?? ""), tests \((refinement["candidates"] as? [[String: Any]] ?? []).map { "\($0["name"] ?? ""): \($0["test"] ?? "-")" })")
        #expect(w.keys.sorted() == ["LaB6"], "\(w)")
        // The `refinement` object of --json: R-factors, strategy, the test named, per-candidate outcomes.
        for key in ["rwp", "rp", "rexp", "gof", "chi2", "n_points", "n_parameters", "converged", "strategy", "test", "instrument",
                    "phases", "candidates"] {
            #expect(refinement[key] != nil, "missing key \(key)")
        }
        #expect((refinement["test"] as? String)?.contains("Hamilton") == true)
        #expect((refinement["instrument"] as? String)?.contains("LaB6_CuKa12_start.instprm") == true)
        let tested = (refinement["candidates"] as? [[String: Any]] ?? []).filter { $0["test"] != nil }
        #expect(tested.count == 3)
        for c in tested {
            let t = try #require(c["test"] as? [String: Any])
            #expect(c["accepted"] as? Bool == false && t["significant"] as? Bool == false)
            // Serially correlated residuals of a measured scan: n_eff far below n.
            #expect((t["serial_correlation"] as? Double ?? 0) > 0.5 && (t["degrees_of_freedom"] as? Int ?? 3040) < 300)
            #expect(c["rwp_with"] as? Double ?? 100 <= c["rwp_without"] as? Double ?? 0)
        }
    }
}
