import Foundation
import Testing
import TestSupport
import XrayCore
@testable import Integration

/// Every DECTRIS detector pyFAI 2026.9 defines (Pilatus, Pilatus CdTe, Pilatus4 and its CdTe, Eiger, Eiger2 and its
/// CdTe): the same pixel size and shape, and the same built-in gap mask (masked count and the sum of the masked
/// pixels' flat indices), from Tests/Fixtures/images/pyfai_detectors.json (make_detector_masks.py).
@Suite struct DetectorModelTests {
    struct Fixture: Decodable {
        struct Detector: Decodable {
            var name: String
            var aliases: [String]
            var pixel1: Double
            var pixel2: Double
            var shape: [Int]
            var masked: Int
            var index_sum: Int
        }
        var detectors: [Detector]
    }

    @Test func gapMasksMatchPyFAI() throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: SharedData.fixture("images/pyfai_detectors.json")))
        #expect(fixture.detectors.count == 43)
        for ref in fixture.detectors {
            let model = try #require(DetectorModel.named(ref.name), "\(ref.name)")
            #expect(model.name == ref.name)
            for alias in ref.aliases { #expect(DetectorModel.named(alias)?.name == ref.name, "\(alias)") }
            #expect(model.pixel1 == ref.pixel1 && model.pixel2 == ref.pixel2, "\(ref.name)")
            #expect([model.rows, model.columns] == ref.shape, "\(ref.name)")
            let mask = model.gapMask(rows: model.rows, columns: model.columns) ?? []
            var count = 0, indexSum = 0
            mask.withUnsafeBufferPointer { m in
                for k in 0..<m.count where m[k] { count += 1; indexSum &+= k }
            }
            #expect(count == ref.masked && indexSum == ref.index_sum, "\(ref.name): \(count) masked, pyFAI \(ref.masked)")
        }
    }

    /// A PONI naming one of them gets its pixel size and gaps; a name Roentgen does not know, with no pixel size,
    /// is refused naming the file, the line and the known names.
    @Test func poniNamesADetector() throws {
        let g = try PONIGeometry.parse("poni_version: 2\nDetector: Eiger2CdTe_4M\nDetector_config: {}\nDistance: 0.2\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10\n", file: "e.poni")
        #expect(g.pixel1 == 75e-6 && g.pixel2 == 75e-6 && g.detector == "Eiger2CdTe_4M")
        #expect(throws: RoentgenError.self) {
            try PONIGeometry.parse("Detector: Frelon9000\nDistance: 0.2\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\n", file: "f.poni")
        }
        do {
            _ = try PONIGeometry.parse("Detector: Frelon9000\nDistance: 0.2\nPoni1: 0.08\nPoni2: 0.08\nRot1: 0\nRot2: 0\nRot3: 0\n", file: "f.poni")
        } catch {
            #expect("\(error)".contains("f.poni") && "\(error)".contains("Frelon9000") && "\(error)".contains("Eiger2_4M"))
        }
    }
}
