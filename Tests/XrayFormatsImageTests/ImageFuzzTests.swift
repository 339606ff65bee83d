import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Seeded random damage (TestSupport's `Mutator`) to every binary image reader's fixtures: each mutant reads or fails with
/// a RoentgenError, never crashes. `ROENTGEN_FUZZ_SEED` picks the seed.
@Suite struct ImageFuzzTests {
    static let seeds: [(reader: String, files: [String])] = [
        ("tiff", ["tiff_uint16_none.tif", "tiff_int32_lzw.tif", "tiff_uint8_packbits.tif", "tiff_float32_zlib.tif", "tiff_int32_tiles_lzw.tif", "tiff_uint16_predictor_lzw.tif"]),
        ("cbf", ["cbf_int32_byteoffset.cbf"]),
        ("edf", ["edf_int32_bigendian_2frames.edf", "edf_float32.edf"]),
        ("mar345", ["mar345_120.mar2300"]),
        ("fit2d-mask", ["fit2d_mask_37x45.msk", "fit2d_mask_5x64.msk"]),
    ]

    @Test(arguments: seeds.map(\.reader))
    func mutants(_ reader: String) throws {
        let seed = ProcessInfo.processInfo.environment["ROENTGEN_FUZZ_SEED"].flatMap { UInt64($0) } ?? 17
        var rng = SeededRandom(seed: seed &+ UInt64(reader.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let files = try #require(Self.seeds.first { $0.reader == reader }?.files)
        var failures = 0, reads = 0
        for file in files {
            let original = [UInt8](try Data(contentsOf: ImageFixtures.url(file)))
            for _ in 0..<150 {
                let mutant = Mutator.mutate(original, &rng)
                do {
                    let image = try DetectorImages.read(Data(mutant), file: file)
                    #expect(image.frames.allSatisfy { $0.count == image.rows * image.columns })
                    reads += 1
                } catch is RoentgenError {
                    failures += 1
                } catch {
                    Issue.record("\(file): \(type(of: error)) instead of a RoentgenError: \(error)")
                }
            }
        }
        #expect(failures > 0)
        print("\(reader): \(reads) mutants read, \(failures) rejected with a RoentgenError (seed \(seed))")
    }
}
