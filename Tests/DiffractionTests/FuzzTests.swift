import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats
@testable import Diffraction

/// Seeded random mutations of real inputs: every outcome is a value or a `RoentgenError`, never a crash or hang.
@Suite struct FuzzTests {
    /// Mutations per input; `ROENTGEN_FUZZ_ITERATIONS` raises it for a long run.
    static let iterations = Int(ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_ITERATIONS"] ?? "") ?? 150

    static func mutate(_ bytes: [UInt8], _ noise: inout SeededNoise) -> [UInt8] {
        var b = bytes
        for _ in 0..<(1 + Int(noise.uniform() * 8)) {
            guard !b.isEmpty else { break }
            let i = Int(noise.uniform() * Double(b.count)) % b.count
            switch Int(noise.uniform() * 5) {
            case 0: b.remove(at: i)
            case 1: b.insert(UInt8(Int(noise.uniform() * 256) % 256), at: i)
            case 2: b[i] = [UInt8(ascii: "'"), UInt8(ascii: ";"), UInt8(ascii: "\n"), UInt8(ascii: "_"), UInt8(ascii: "9"), UInt8(ascii: "?")][Int(noise.uniform() * 6) % 6]
            case 3: b = Array(b.prefix(i))
            default: b.insert(contentsOf: b[i..<min(b.count, i + 40)], at: i)
            }
        }
        return b
    }

    @Test(.enabled(if: SharedData.isPresent)) func mutatedCIFs() throws {
        var noise = SeededNoise(state: 2024)
        let files = ["cif/common/AMCSD_Quartz-alpha.cif", "cif/common/ciftools_corundum.cif", "cif/common/COD2104736_LaB6_via_MAUD_tutorial.cif",
                     "edge_cases/cif/diffpy_curlybrackets.cif"]
        var read = 0, rejected = 0
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: try #require(SharedData.url("xrd/" + file))))
            for _ in 0..<Self.iterations {
                let mutated = Self.mutate(bytes, &noise)
                do {
                    let s = try CIF.readStructure(data: Data(mutated), file: file)
                    read += 1
                    do { _ = try PowderSimulator.simulate(s) } catch is RoentgenError {}
                } catch is RoentgenError {
                    rejected += 1
                }
            }
        }
        #expect(read + rejected == 4 * Self.iterations)
        #expect(rejected > 0 && read > 0)
    }

    @Test(.enabled(if: SharedData.isPresent)) func mutatedLibraries() throws {
        var library = ReferenceLibrary()
        try library.append(name: "si", structure: try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/DD_Silicon.cif"))))
        try library.append(name: "rutile", structure: try CIF.readStructure(url: try #require(SharedData.url("xrd/cif/common/AMCSD_Rutile.cif"))))
        let bytes = [UInt8](library.serialized())
        var noise = SeededNoise(state: 99)
        for _ in 0..<(Self.iterations * 3) {
            do { _ = try ReferenceLibrary(serialized: Data(Self.mutate(bytes, &noise)), file: "fuzz.rxl") } catch is RoentgenError {}
        }
    }

    @Test func absurdRequestsAreRefused() throws {
        let huge = CrystalStructure(name: "huge", cell: UnitCell(a: 1e5, b: 1e5, c: 1e5, alpha: 90, beta: 90, gamma: 90),
                                    sites: [AtomSite(label: "C", typeSymbol: "C", element: Element.named("C")!, fract: .zero)])
        #expect(throws: RoentgenError.self) { try PowderSimulator.simulate(huge) }
        let tiny = CrystalStructure(name: "tiny", cell: UnitCell(a: 0.01, b: 0.01, c: 0.01, alpha: 90, beta: 90, gamma: 90),
                                    sites: [AtomSite(label: "C", typeSymbol: "C", element: Element.named("C")!, fract: .zero)])
        #expect(throws: RoentgenError.self) { try PDFSimulator.simulate(tiny) }
    }
}
