import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Damaged images give a RoentgenError naming the file and, for binary structure, the byte.
@Suite struct ImageDamageTests {
    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: ImageFixtures.url(name))) }

    func error(_ b: [UInt8], _ name: String) -> RoentgenError? {
        do {
            _ = try DetectorImages.read(Data(b), file: name)
            return nil
        } catch let e as RoentgenError {
            return e
        } catch {
            Issue.record("\(name): not a RoentgenError: \(error)")
            return nil
        }
    }

    @Test func truncatedFiles() throws {
        for name in ["tiff_uint16_none.tif", "tiff_int32_zlib.tif", "tiff_uint16_lzw.tif", "cbf_int32_byteoffset.cbf", "edf_int32.edf", "mar345_120.mar2300"] {
            var b = try bytes(name)
            // TIFF directories sit at the end (tifffile writes data first): cut the data instead.
            if name.hasSuffix(".tif") {
                let e = error(Array(b.prefix(b.count / 3)), name)
                #expect(e != nil, "\(name)")
                #expect(e?.file == name)
                continue
            }
            b.removeLast(b.count / 4)
            let e = error(b, name)
            #expect(e != nil, "\(name)")
            #expect(e?.file == name && e?.byteOffset != nil, "\(name): \(String(describing: e))")
        }
    }

    @Test func badCBFChecksum() throws {
        var b = try bytes("cbf_int32_byteoffset.cbf")
        // Flip one byte of the compressed data (just after the 4-byte binary marker).
        let marker: [UInt8] = [0x0C, 0x1A, 0x04, 0xD5]
        let at = try #require((0..<b.count - 4).first { Array(b[$0..<$0 + 4]) == marker })
        b[at + 10] ^= 0x01
        let e = try #require(error(b, "bad.cbf"))
        #expect(e.kind == .integrity)
        #expect(e.message.contains("Content-MD5"))
    }

    @Test func wrongSizeInHeader() throws {
        // An EDF header claiming more rows than the data hold.
        var text = String(decoding: try bytes("edf_int32.edf"), as: UTF8.self)
        text = text.replacingOccurrences(of: "Dim_2 = 13", with: "Dim_2 = 99")
        let e = try #require(error(Array(text.utf8), "big.edf"))
        #expect(e.message.contains("Size") || e.message.contains("truncated"))
        // A CBF whose dimensions disagree with X-Binary-Number-of-Elements.
        let cbf = try bytes("cbf_int32_byteoffset.cbf")
        let key = Array("X-Binary-Size-Fastest-Dimension: 31".utf8)
        let at = try #require((0..<cbf.count - key.count).first { Array(cbf[$0..<$0 + key.count]) == key })
        var changed = cbf
        changed[at + key.count - 2] = UInt8(ascii: "4")
        let c = try #require(error(changed, "dims.cbf"))
        #expect(c.message.contains("elements"))
    }

    @Test func corruptCompressedStreams() throws {
        // Garbage in the middle of the Deflate strips (tifffile writes the directory first).
        var b = try bytes("tiff_int32_zlib.tif")
        for k in b.count / 2..<b.count / 2 + 20 { b[k] = 0xFF }
        let e = try #require(error(b, "z.tif"))
        #expect(e.message.contains("Deflate") || e.message.contains("corrupt") || e.message.contains("strip"), "\(e.message)")
        // Garbage in an LZW strip.
        var l = try bytes("tiff_uint16_lzw.tif")
        for k in l.count / 2..<l.count / 2 + 20 { l[k] = 0xFF }
        #expect(error(l, "l.tif") != nil)
    }
}

