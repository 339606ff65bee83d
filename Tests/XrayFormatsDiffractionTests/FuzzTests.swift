import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Random mutations of a valid file: truncation, byte flips, inserted garbage, overwritten
/// 32-bit fields (the lengths and counts binary headers are made of), deleted spans.
enum Mutator {
    static func mutate(_ input: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let rounds = Int.random(in: 1...3, using: &rng)
        for _ in 0..<rounds where !bytes.isEmpty {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
            case 1:
                for _ in 0..<Int.random(in: 1...16, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                }
            case 2:
                let i = Int.random(in: 0...bytes.count, using: &rng)
                let junk = (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.insert(contentsOf: junk, at: i)
            case 3:
                guard bytes.count >= 4 else { break }
                let i = Int.random(in: 0...(bytes.count - 4), using: &rng)
                let v: UInt32 = [0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, UInt32.random(in: 0...UInt32.max, using: &rng)]
                    .randomElement(using: &rng)!
                for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case 4:
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                let n = min(Int.random(in: 1...256, using: &rng), bytes.count - i)
                bytes.removeSubrange(i..<(i + n))
            default:
                // Text-level damage for the XML and text formats: swap in structural characters.
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = Array("<>/\"=&;,. -0123456789eE\n\r\t#_*".utf8).randomElement(using: &rng)!
            }
        }
        return bytes
    }
}

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
    /// Each target runs mutated copies of its seeds through its own reader and through detection
    /// for a fixed budget (≈1.5 s; `ROENTGEN_FUZZ_SECONDS` overrides it for longer runs).
    @Test(arguments: fuzzTargets)
    func mutations(_ target: FuzzTarget) throws {
        let seeds = target.seeds.compactMap { SharedData.url("xrd/" + $0) }.compactMap { try? [UInt8](Data(contentsOf: $0)) }
        guard !seeds.isEmpty else { print(SharedData.missing("xrd/" + target.seeds[0])); return }
        let reader = try #require(FormatRegistry.readers.first { $0.id == target.reader })
        let budget = ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SECONDS"].flatMap(Double.init) ?? 1.5
        var rng = SeededRandom(seed: 0x5EED_0000 &+ UInt64(target.reader.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let start = Date()
        var runs = 0, accepted = 0, rejected = 0
        var slowest = 0.0
        while Date().timeIntervalSince(start) < budget {
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
        #expect(runs >= 5)
        #expect(slowest < 1.0, "a mutated \(target.reader) file took \(slowest) s (hang?)")
    }
}
