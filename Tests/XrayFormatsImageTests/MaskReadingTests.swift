import Foundation
import Testing
import TestSupport
import XrayCore
import XrayFormats

/// `DetectorImages.readMask`: an HDF5/NeXus mask file gives its NXdetector `pixel_mask`
/// (fixtures from Tests/Fixtures/images/make_nexus_mask_fixtures.py).
@Suite struct MaskReadingTests {
    @Test func nexusPixelMaskIsTheMask() throws {
        let url = ImageFixtures.folder.appendingPathComponent("nexus_pixel_mask.nxs")
        let mask = try DetectorImages.readMask(url)
        #expect(mask.rows == 5 && mask.columns == 7 && mask.frames.count == 1)
        let frame = try #require(mask.frames.first)
        // A gap row (bit 0), a dead pixel (bit 1), an over-responding one (bit 3), a virtual pixel (bit 31).
        #expect(frame.filter { $0 != 0 }.count == 10)
        #expect(frame[2 * 7 + 0] == 1 && frame[0 * 7 + 3] == 2 && frame[4 * 7 + 6] == 8 && frame[1 * 7 + 1] == 2_147_483_648)
        // Read as an image, the same file's default dataset is the detector's frames.
        let frames = try DetectorImages.read(url)
        #expect(frames.frames.count == 3 && frames.frames[0][1] == 1)
    }

    @Test func aMaskPerFrameIsRefused() throws {
        let url = ImageFixtures.folder.appendingPathComponent("nexus_pixel_mask_per_frame.nxs")
        #expect { _ = try DetectorImages.readMask(url) } throws: { error in
            guard let e = error as? RoentgenError else { return false }
            return e.kind == .badParameter && e.message.contains("/entry/instrument/detector/pixel_mask holds a mask per frame (3 frames)") && e.file == url.path
        }
    }
}
