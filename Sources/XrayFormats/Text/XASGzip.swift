import Foundation
import XrayCore
import ZIPFoundation

/// gzip (RFC 1952) decoding: header parsed here, the raw deflate body inflated by ZIPFoundation.
///
/// Checks the trailer's CRC-32 and length, caps the output size, and never loops on truncated
/// input (the provider throws once the compressed bytes are used up).
enum XASGzip {
    /// Whether `data` starts with the gzip magic bytes.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Why raw deflate data could not be inflated (other errors: the data are corrupt).
    enum InflateFailure: Error {
        case truncated, tooLarge
    }

    /// Inflates raw deflate data (RFC 1951) with ZIPFoundation's zlib, stopping once the output
    /// passes `limit` bytes; returns the output and its CRC-32 (0 when `crc` is false: HDF5
    /// chunks carry no CRC, and computing it costs a fifth of their reading). Never loops on
    /// truncated input: the provider throws once the compressed bytes are used up.
    static func inflate(raw body: Data, limit: Int, expectedSize: Int = 0, crc: Bool = true) throws -> (Data, CRC32) {
        var output = Data()
        output.reserveCapacity(min(expectedSize, limit))
        let crc = try Data.decompress(size: Int64(body.count), bufferSize: max(1024, min(body.count, 1 << 16)), skipCRC32: !crc, provider: { position, size in
            let start = Int(position)
            guard start < body.count else { throw InflateFailure.truncated }
            var piece = body.subdata(in: start..<min(body.count, start + size))
            // ZIPFoundation hands zlib `bufferSize` bytes of input: pad the last piece.
            if piece.count < size { piece.append(Data(count: size - piece.count)) }
            return piece
        }, consumer: { piece in
            output.append(piece)
            if output.count > limit { throw InflateFailure.tooLarge }
        })
        return (output, crc)
    }

    /// Inflates a gzip member. Throws `RoentgenError.badFile` with a byte offset on bad input.
    static func decompress(_ data: Data, file: String, maxOutput: Int = 1 << 30) throws -> Data {
        let bytes = [UInt8](data)
        func fail(_ offset: Int, _ message: String) -> RoentgenError {
            RoentgenError.badFile(file, byteOffset: offset, message)
        }
        guard bytes.count >= 18 else { throw fail(bytes.count, "gzip stream too short (\(bytes.count) bytes); expected a 10-byte header, data and an 8-byte trailer") }
        guard bytes[2] == 8 else { throw fail(2, "gzip compression method \(bytes[2]); expected 8 (deflate)") }
        let flags = bytes[3]
        var p = 10
        if flags & 0x04 != 0 { // FEXTRA
            guard p + 2 <= bytes.count else { throw fail(p, "gzip header truncated in the extra field") }
            p += 2 + Int(bytes[p]) + Int(bytes[p + 1]) << 8
        }
        for bit in [UInt8(0x08), 0x10] where flags & bit != 0 { // FNAME, FCOMMENT: NUL-terminated
            while p < bytes.count, bytes[p] != 0 { p += 1 }
            p += 1
        }
        if flags & 0x02 != 0 { p += 2 } // FHCRC
        guard p < bytes.count - 8 else { throw fail(min(p, bytes.count), "gzip header runs into the trailer; file truncated") }
        let body = Data(bytes[p..<(bytes.count - 8)])
        let output: Data
        let crc: CRC32
        do {
            (output, crc) = try inflate(raw: body, limit: maxOutput)
        } catch InflateFailure.truncated {
            throw fail(bytes.count, "gzip data ends before the deflate stream does; file truncated")
        } catch InflateFailure.tooLarge {
            throw fail(p, "gzip data inflates to more than \(maxOutput) bytes; refusing")
        } catch {
            throw fail(p, "gzip deflate data is corrupt (\(error))")
        }
        let t = bytes.count - 8
        let storedCRC = UInt32(bytes[t]) | UInt32(bytes[t + 1]) << 8 | UInt32(bytes[t + 2]) << 16 | UInt32(bytes[t + 3]) << 24
        let storedSize = UInt32(bytes[t + 4]) | UInt32(bytes[t + 5]) << 8 | UInt32(bytes[t + 6]) << 16 | UInt32(bytes[t + 7]) << 24
        guard storedSize == UInt32(truncatingIfNeeded: output.count) else {
            throw fail(t + 4, "gzip trailer says \(storedSize) bytes, inflated \(output.count); file corrupt")
        }
        guard storedCRC == crc else {
            throw fail(t, "gzip CRC-32 mismatch (trailer \(String(storedCRC, radix: 16)), data \(String(crc, radix: 16))); file corrupt")
        }
        return output
    }
}
