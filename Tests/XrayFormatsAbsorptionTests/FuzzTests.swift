import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Seeded random mutations (truncation, byte flips, inserted garbage, repeated and deleted
/// slices) of one real file per absorption reader. Every outcome must be a DataFile or a
/// RoentgenError: never a trap, never another error type. Bounded to a few seconds.
@Suite struct FuzzTests {
    static let seeds = [
        "xas/xdi_spec/baddata/bad_00.xdi", "xas/larch/xafsdata/fe.060", "xas/demeter/examples/notdata.5",
        "xas/larch/athena_prj/FeS2_ex.prj", "xas/larch/athena_prj/FeS2.prj", "xas/larch/beamlines/SSRL1_2006.dat",
        "xas/demeter/filetypes/srsc.dat", "xas/demeter/filetypes/lytle.dat", "xas/demeter/filetypes/ssrlb.dat",
        "xas/demeter/filetypes/x15b.dat", "xas/demeter/filetypes/x10c.dat", "xas/larch/tests/incomplete_label.dat",
    ]

    static func mutate(_ data: Data, _ rng: inout SeededRandom) -> Data {
        var bytes = [UInt8](data)
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes.removeSubrange(at...)  // truncation
            case 1: for _ in 0..<Int.random(in: 1...16, using: &rng) {  // byte flips
                    let k = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[k] ^= UInt8.random(in: 1...255, using: &rng)
                }
            case 2: bytes.insert(contentsOf: (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 3: let n = min(bytes.count - at, Int.random(in: 1...200, using: &rng)); bytes.removeSubrange(at..<(at + n))
            case 4: let n = min(bytes.count - at, Int.random(in: 1...200, using: &rng)); bytes.insert(contentsOf: bytes[at..<(at + n)], at: at)
            default: let tokens: [String] = ["nan", "1e999", "-", "#", "\n", "\r", ",", "'", "(", "[record]", "&END", "DATA START", "Column.9: x", "\u{0}"]
                bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
            }
        }
        return Data(bytes)
    }

    @Test(.enabled(if: SharedData.isPresent)) func mutatedFilesGiveDataOrRoentgenErrors() throws {
        // ROENTGEN_FUZZ_SECONDS / ROENTGEN_FUZZ_SEED run it longer or differently (default: 2 s, fixed seed).
        let env = ProcessInfo.processInfo.environment
        var rng = SeededRandom(seed: env["ROENTGEN_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_125)
        let seconds = env["ROENTGEN_FUZZ_SECONDS"].flatMap { Double($0) } ?? 2
        let inputs = Self.seeds.compactMap { path in sharedBytes(path).map { (path, $0) } }
        #expect(inputs.count == Self.seeds.count)
        let deadline = Date().addingTimeInterval(seconds)
        var runs = 0, accepted = 0, rejected = 0
        var foreign: [String] = []
        while Date() < deadline {
            for (path, data) in inputs {
                let mutated = Self.mutate(data, &rng)
                let name = (path as NSString).lastPathComponent
                do {
                    let file = try FormatRegistry.read(mutated, file: name)
                    for scan in file.scans where scan.columns["energy"] != nil { _ = try? MuSelection.selectMu(scan, expression: nil) }
                    _ = DataFileJSON.encode(file)
                    accepted += 1
                } catch is RoentgenError {
                    rejected += 1
                } catch {
                    foreign.append("\(name) run \(runs): \(type(of: error)) \(error)")
                }
                runs += 1
            }
        }
        print("fuzz: \(runs) mutated files, \(accepted) read, \(rejected) rejected with RoentgenError")
        #expect(runs >= inputs.count)
        #expect(foreign.isEmpty, "\(foreign.prefix(5))")
    }
}
