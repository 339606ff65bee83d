import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

struct FuzzTarget: CustomStringConvertible, Sendable {
    var reader: String
    var seeds: [String]
    var description: String { reader }
}

let fuzzTargets: [FuzzTarget] = [
    FuzzTarget(reader: "bruker-raw", seeds: ["bruker_raw/format1.raw", "bruker_raw/SbI3.raw", "bruker_raw/BT86.raw"]),
    FuzzTarget(reader: "bruker-brml", seeds: ["bruker_brml/SbI3.brml"]),
    FuzzTarget(reader: "rigaku-rasx", seeds: ["rigaku/Sample_Repeated_Measurement.rasx"]),
    FuzzTarget(reader: "stoe-raw", seeds: ["stoe_raw/stoe.raw"]),
    FuzzTarget(reader: "panalytical-xrdml", seeds: ["panalytical_xrdml/empyrean.xrdml"]),
    // Text readers reached through `roentgen read`: structure CIFs and G(r)/F(Q) columns.
    FuzzTarget(reader: "cif", seeds: ["cif/common/AMCSD_Quartz-alpha.cif", "cif/common/DD_LiCoO2.cif", "edge_cases/cif/diffpy_curlybrackets.cif"]),
    FuzzTarget(reader: "pdf-data", seeds: ["pdf/pdfgetx3_Ni/ni300mesh_300k_nor_1-5-pdfgetx3.gr", "pdf/gsas2_tutorials/Ni-xray.gr"]),
]

@Suite("Seeded mutation fuzzing: RoentgenError or success, never a crash or hang")
struct FuzzTests {
    /// Each target runs a fixed number of mutated copies of its seeds (deterministic: seeded) through its
    /// own reader and through detection: 120 mutations, or as many as fit in `ROENTGEN_FUZZ_SECONDS=N`
    /// seconds for longer runs, as the other fuzz tests do.
    /// The 30 s bound per read is a hang guard, not a speed check: reading speed is measured in
    /// `Benchmarks/`, never in tests.
    @Test(arguments: fuzzTargets)
    func mutations(_ target: FuzzTarget) throws {
        let seeds = target.seeds.compactMap { SharedData.url("xrd/" + $0) }.compactMap { try? [UInt8](Data(contentsOf: $0)) }
        guard !seeds.isEmpty else { print(SharedData.missing("xrd/" + target.seeds[0])); return }
        let reader = try #require(FormatRegistry.readers.first { $0.id == target.reader })
        let budget = ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SECONDS"].flatMap(Double.init)
        let start = Date()
        var rng = SeededRandom(seed: 0x5EED_0000 &+ UInt64(target.reader.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        var runs = 0, accepted = 0, rejected = 0
        var slowest = 0.0
        while budget.map({ Date().timeIntervalSince(start) < $0 }) ?? (runs < 120) {
            let seed = seeds[runs % seeds.count]
            let mutated = Data(Mutator.mutate(seed, &rng))
            for viaRegistry in [false, true] {
                let t0 = Date()
                do {
                    _ = viaRegistry ? try FormatRegistry.read(mutated, file: "fuzz.bin") : try reader.read(mutated, file: "fuzz.bin")
                    accepted += 1
                } catch is RoentgenError {
                    rejected += 1
                } catch {
                    Issue.record("\(target.reader) run \(runs): non-Roentgen error \(error)")
                }
                slowest = max(slowest, Date().timeIntervalSince(t0))
            }
            runs += 1
        }
        print("fuzz \(target.reader): \(runs) mutations, \(accepted) read, \(rejected) rejected, slowest \(String(format: "%.3f", slowest)) s")
        #expect(runs >= 5 && accepted + rejected == 2 * runs)
        #expect(slowest < 30, "a mutated \(target.reader) file took \(slowest) s (hang?)")
    }
}
