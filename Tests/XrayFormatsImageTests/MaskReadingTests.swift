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

/// A float image decoded with the wrong byte order is said to be implausible, by `read` (the file's
/// warnings) and by `integrate` (its notes), not handed on silently.
@Suite struct ImagePlausibilityTests {
    /// The float32 EDF fixture with its header claiming big-endian data (the bytes are little-endian).
    static func swapped() throws -> Data {
        let bytes = try Data(contentsOf: ImageFixtures.folder.appendingPathComponent("edf_float32.edf"))
        let from = Data("ByteOrder = LowByteFirst ;".utf8), to = Data("ByteOrder = HighByteFirst;".utf8)
        let range = try #require(bytes.range(of: from))
        var out = bytes
        out.replaceSubrange(range, with: to)
        return out
    }

    @Test func byteSwappedFloatsAreReported() throws {
        let good = try FormatRegistry.read(ImageFixtures.folder.appendingPathComponent("edf_float32.edf"))
        #expect(good.images.count == 1 && good.warnings.isEmpty, "\(good.warnings)")
        let data = try Self.swapped()
        let bad = try FormatRegistry.read(data, file: "swapped.edf")
        let frame = try #require(bad.images.first?.frames.first)
        let tiny = frame.filter { $0 != 0 && abs($0) < 1e-30 }.count, huge = frame.filter { abs($0) > 1e30 && $0.isFinite }.count
        #expect(tiny + huge > 0)
        #expect(bad.warnings.contains { $0.hasPrefix("the image: \(tiny) of 221 pixels are below 1e-30") } == (tiny > 0), "\(bad.warnings)")
        #expect(bad.warnings.contains { $0.hasPrefix("the image: \(huge) of 221 pixels exceed 1e+30") } == (huge > 0), "\(bad.warnings)")
    }

    @Test func integrateSaysSoToo() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("roentgen-swapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("swapped.edf"), poni = folder.appendingPathComponent("g.poni")
        try Self.swapped().write(to: image)
        try "PixelSize1: 1e-4\nPixelSize2: 1e-4\nDistance: 0.5\nPoni1: 0.0006\nPoni2: 0.0008\nRot1: 0\nRot2: 0\nRot3: 0\nWavelength: 1e-10\n"
            .write(to: poni, atomically: true, encoding: .utf8)
        let r = try await RoentgenCLI.run(["integrate", image.path, "--poni", poni.path, "--npt", "10", "--json"])
        #expect(r.status == 0 && r.stderr.contains("the image: ") && r.stderr.contains("probably decoded with the wrong type or byte order"), "\(r.stderr)")
    }
}

/// Fit2D `.msk` masks (Tests/Fixtures/images/make_fit2d_mask_fixtures.py: written by fabio 2026.6, with fabio's readings in
/// fit2d_masks.json): the same shape and masked pixels as fabio reads, the row padding ignored; damaged files fail naming
/// the byte offset; and the Pixium frame's mask written as a `.msk` integrates as pyFAI with its TIFF mask.
@Suite struct Fit2DMaskTests {
    struct Expected: Decodable {
        var shape: [Int]
        var dtype: String
        var masked: Int
        var indices: [Int]
    }
    struct Fixture: Decodable {
        var fabio: String
        var masks: [String: Expected]
    }

    @Test(arguments: ["fit2d_mask_37x45.msk", "fit2d_mask_padding.msk", "fit2d_mask_5x64.msk"])
    func readsAsFabio(_ name: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: ImageFixtures.folder.appendingPathComponent("fit2d_masks.json")))
        let expected = try #require(fixture.masks[name])
        let url = ImageFixtures.folder.appendingPathComponent(name)
        for image in [try DetectorImages.read(url), try DetectorImages.readMask(url)] {
            #expect([image.rows, image.columns] == expected.shape && image.pixelType.rawValue == expected.dtype && image.format == "fit2d-mask")
            let frame = try #require(image.frames.first)
            #expect(frame.indices.filter { frame[$0] != 0 } == expected.indices && frame.allSatisfy { $0 == 0 || $0 == 1 })
        }
    }

    @Test func damagedFilesFail() throws {
        let bytes = try Data(contentsOf: ImageFixtures.folder.appendingPathComponent("fit2d_mask_37x45.msk"))
        func fails(_ data: Data, _ fragment: String, offset: Int) {
            do {
                _ = try DetectorImages.read(data, file: "bad.msk")
                Issue.record("read: \(fragment)")
            } catch let e as RoentgenError {
                #expect(e.file == "bad.msk" && e.byteOffset == offset && e.message.contains(fragment), "\(e)")
            } catch {
                Issue.record("\(error)")
            }
        }
        fails(bytes.prefix(bytes.count - 1), "truncated", offset: bytes.count - 1)
        fails(bytes.prefix(600), "shorter than its 1024-byte header", offset: 0)
        var zero = bytes
        zero.replaceSubrange(16..<20, with: [0, 0, 0, 0])
        fails(zero, "0 columns", offset: 16)
        var huge = bytes
        huge.replaceSubrange(20..<24, with: [0xFF, 0xFF, 0xFF, 0x7F])
        fails(huge, "rows", offset: 20)
    }
}
