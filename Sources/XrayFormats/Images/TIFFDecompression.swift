import Foundation
import XrayCore

/// The strip/tile codecs of TIFF 6.0 that detector images use: PackBits (section 9), LZW
/// (section 13, MSB-first codes of 9–12 bits with the "early change" of the code width) and
/// Deflate (Adobe's technical note 2: a zlib stream, compression 8 or 32946). Predictor 2
/// (horizontal differencing, section 14) is undone by `undoHorizontalPredictor`.
enum TIFFDecompression {
    struct Corrupt: Error { let what: String }

    /// PackBits run-length decoding, stopping at `expected` bytes.
    static func packBits(_ input: ArraySlice<UInt8>, expected: Int) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(expected)
        var i = input.startIndex
        while i < input.endIndex, out.count < expected {
            let n = Int(Int8(bitPattern: input[i]))
            i += 1
            if n >= 0 {
                guard i + n + 1 <= input.endIndex else { throw Corrupt(what: "PackBits literal run of \(n + 1) bytes passes the end of the strip") }
                out.append(contentsOf: input[i..<i + n + 1])
                i += n + 1
            } else if n != -128 {
                guard i < input.endIndex else { throw Corrupt(what: "PackBits repeat run without its byte") }
                out.append(contentsOf: repeatElement(input[i], count: 1 - n))
                i += 1
            }
        }
        if out.count > expected { out.removeLast(out.count - expected) }
        return out
    }

    /// TIFF LZW decoding (codes 256 = clear, 257 = end of information), stopping at `expected` bytes.
    static func lzw(_ input: ArraySlice<UInt8>, expected: Int) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(expected)
        // The string table: entry k is (prefix entry, last byte, length); entries 0–255 are bytes.
        var prefix = [Int32](repeating: -1, count: 4096)
        var suffix = [UInt8](repeating: 0, count: 4096)
        var length = [Int32](repeating: 1, count: 4096)
        for k in 0..<256 { suffix[k] = UInt8(k) }
        var next = 258, width = 9
        var bitBuffer: UInt64 = 0, bits = 0
        var i = input.startIndex
        var previous = -1
        func emit(_ code: Int) {
            let n = Int(length[code])
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: n))
            var c = code
            var k = start + n - 1
            while k >= start { out[k] = suffix[c]; c = Int(prefix[c]); k -= 1 }
        }
        while out.count < expected {
            while bits < width {
                guard i < input.endIndex else { return out }   // ran out: the caller checks the size
                bitBuffer = bitBuffer << 8 | UInt64(input[i])
                i += 1
                bits += 8
            }
            let code = Int((bitBuffer >> UInt64(bits - width)) & ((1 << UInt64(width)) - 1))
            bits -= width
            if code == 256 {
                next = 258; width = 9; previous = -1
                continue
            }
            if code == 257 { break }
            if previous < 0 {
                guard code < 256 else { throw Corrupt(what: "LZW code \(code) right after a clear code") }
                emit(code)
                previous = code
                continue
            }
            guard code <= next, next < 4096 else { throw Corrupt(what: "LZW code \(code) beyond the table (\(next) entries)") }
            let first: UInt8
            if code < next {
                var c = code
                while prefix[c] >= 0 { c = Int(prefix[c]) }
                first = suffix[c]
            } else {
                var c = previous
                while prefix[c] >= 0 { c = Int(prefix[c]) }
                first = suffix[c]
            }
            prefix[next] = Int32(previous)
            suffix[next] = first
            length[next] = length[previous] + 1
            next += 1
            emit(code)
            previous = code
            if next + 1 >= 1 << width, width < 12 { width += 1 }
        }
        if out.count > expected { out.removeLast(out.count - expected) }
        return out
    }

    /// A zlib stream (RFC 1950) inflated, at most `expected` bytes kept.
    static func deflate(_ input: ArraySlice<UInt8>, expected: Int) throws -> [UInt8] {
        guard input.count >= 2, input[input.startIndex] & 0x0F == 8,
              (Int(input[input.startIndex]) << 8 | Int(input[input.startIndex + 1])) % 31 == 0 else {
            throw Corrupt(what: "Deflate strip does not start with a zlib header")
        }
        do {
            let (data, _) = try XASGzip.inflate(raw: Data(input.dropFirst(2)), limit: expected + 1024, expectedSize: expected, crc: false)
            var out = [UInt8](data)
            if out.count > expected { out.removeLast(out.count - expected) }
            return out
        } catch XASGzip.InflateFailure.truncated {
            throw Corrupt(what: "Deflate stream ends early (file truncated or corrupt)")
        } catch XASGzip.InflateFailure.tooLarge {
            throw Corrupt(what: "Deflate stream inflates beyond the strip's \(expected) bytes")
        } catch let e as Corrupt {
            throw e
        } catch {
            throw Corrupt(what: "Deflate stream is corrupt")
        }
    }

    /// Undoes predictor 2 in place: each sample after the first of a row is stored as the
    /// difference from its left neighbour (integer samples of 8, 16, 32 or 64 bits).
    static func undoHorizontalPredictor(_ bytes: inout [UInt8], width: Int, rows: Int, sampleSize: Int, bigEndian: Bool) {
        func run<T: FixedWidthInteger>(_: T.Type) {
            bytes.withUnsafeMutableBytes { p in
                for r in 0..<rows {
                    let row = r * width * sampleSize
                    guard row + width * sampleSize <= p.count else { return }
                    var previous = T.zero
                    for c in 0..<width {
                        let at = row + c * sampleSize
                        let raw = p.loadUnaligned(fromByteOffset: at, as: T.self)
                        let v = (bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)) &+ previous
                        previous = v
                        p.storeBytes(of: bigEndian ? v.bigEndian : v.littleEndian, toByteOffset: at, as: T.self)
                    }
                }
            }
        }
        switch sampleSize {
        case 1: run(UInt8.self)
        case 2: run(UInt16.self)
        case 4: run(UInt32.self)
        default: run(UInt64.self)
        }
    }
}
