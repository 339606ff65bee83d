import Foundation

/// Zstandard decompression (RFC 8878), written from the RFC: frames (and skippable frames),
/// raw, RLE and compressed blocks; literals raw, RLE or Huffman-coded (one or four streams,
/// and a previous block's tree); sequences with predefined, RLE, described or repeated FSE
/// tables and the three repeat offsets; the content checksum (XXH64). Dictionaries are not
/// supported. Used for the HDF5 Zstandard filter and Zstandard inside Blosc and bitshuffle.
enum Zstandard {
    /// What is wrong with the compressed data.
    struct Failure: Error, CustomStringConvertible {
        let what: String
        var description: String { what }
    }

    /// Every frame of `input` decompressed, at most `limit` bytes in all.
    static func decompress(_ input: UnsafeBufferPointer<UInt8>, limit: Int) throws -> [UInt8] {
        var out = [UInt8]()
        var i = 0
        repeat {
            guard input.count - i >= 4 else { throw Failure(what: "a Zstandard frame is cut off at byte \(i)") }
            let magic = UInt32(input[i]) | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2]) << 16 | UInt32(input[i + 3]) << 24
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {   // skippable frame: magic, 4-byte size, content
                guard input.count - i >= 8 else { throw Failure(what: "a skippable frame is cut off") }
                let size = Int(UInt32(input[i + 4]) | UInt32(input[i + 5]) << 8 | UInt32(input[i + 6]) << 16 | UInt32(input[i + 7]) << 24)
                guard size <= input.count - i - 8 else { throw Failure(what: "a skippable frame runs past the data") }
                i += 8 + size
                continue
            }
            guard magic == 0xFD2F_B528 else { throw Failure(what: "no Zstandard frame at byte \(i) (magic \(String(magic, radix: 16)))") }
            var frame = Frame()
            i = try frame.decode(input, from: i + 4, into: &out, limit: limit)
        } while i < input.count
        return out
    }

    // MARK: Frames and blocks

    private struct Frame {
        /// The three repeat offsets, most recent first.
        var repeat1 = 1, repeat2 = 4, repeat3 = 8
        var huffman: Huffman?
        var literalLengths: FSETable?, offsets: FSETable?, matchLengths: FSETable?

        /// Decodes one frame whose header starts at `start` (after the magic number), appending to
        /// `out`; returns the offset after the frame.
        mutating func decode(_ p: UnsafeBufferPointer<UInt8>, from start: Int, into out: inout [UInt8], limit: Int) throws -> Int {
            var i = start
            guard i < p.count else { throw Failure(what: "a Zstandard frame header is cut off") }
            let descriptor = Int(p[i])
            i += 1
            let sizeFlag = descriptor >> 6, singleSegment = descriptor & 0x20 != 0, checksum = descriptor & 0x04 != 0
            guard descriptor & 0x08 == 0 else { throw Failure(what: "a Zstandard frame header with its reserved bit set") }
            if !singleSegment { i += 1 }   // window descriptor: the whole output is kept anyway
            let dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03]
            var dictionary = 0
            for k in 0..<dictionaryBytes where i + k < p.count { dictionary |= Int(p[i + k]) << (8 * k) }
            guard dictionary == 0 else { throw Failure(what: "a Zstandard frame needs dictionary \(dictionary); dictionaries are not supported") }
            i += dictionaryBytes
            let sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]
            guard p.count - i >= sizeBytes else { throw Failure(what: "a Zstandard frame header is cut off") }
            var contentSize: Int?
            if sizeBytes > 0 {
                var v: UInt64 = 0
                for k in 0..<sizeBytes { v |= UInt64(p[i + k]) << UInt64(8 * k) }
                if sizeBytes == 2 { v += 256 }
                contentSize = Int(clamping: v)
            }
            i += sizeBytes
            if let contentSize, contentSize > limit - out.count { throw Failure(what: "a Zstandard frame claims \(contentSize) bytes, more than the \(limit) expected") }
            if let contentSize { out.reserveCapacity(out.count + contentSize) }
            let frameStart = out.count
            var last = false
            while !last {
                guard p.count - i >= 3 else { throw Failure(what: "a Zstandard block header is cut off") }
                let header = Int(p[i]) | Int(p[i + 1]) << 8 | Int(p[i + 2]) << 16
                i += 3
                last = header & 1 != 0
                let type = (header >> 1) & 3, size = header >> 3
                guard size <= 1 << 17 else { throw Failure(what: "a Zstandard block of \(size) bytes (at most 128 KiB)") }
                switch type {
                case 0:
                    guard size <= p.count - i else { throw Failure(what: "a raw Zstandard block runs past the data") }
                    guard size <= limit - out.count else { throw Failure(what: "Zstandard data decode to more than \(limit) bytes") }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<(i + size)]))
                    i += size
                case 1:
                    guard i < p.count else { throw Failure(what: "an RLE Zstandard block is cut off") }
                    guard size <= limit - out.count else { throw Failure(what: "Zstandard data decode to more than \(limit) bytes") }
                    out.append(contentsOf: repeatElement(p[i], count: size))
                    i += 1
                case 2:
                    guard size <= p.count - i else { throw Failure(what: "a compressed Zstandard block runs past the data") }
                    try compressedBlock(UnsafeBufferPointer(rebasing: p[i..<(i + size)]), frameStart: frameStart, into: &out, limit: limit)
                    i += size
                default:
                    throw Failure(what: "a Zstandard block of the reserved type 3")
                }
            }
            if let contentSize, out.count - frameStart != contentSize {
                throw Failure(what: "a Zstandard frame decodes to \(out.count - frameStart) bytes; its header says \(contentSize)")
            }
            if checksum {
                guard p.count - i >= 4 else { throw Failure(what: "a Zstandard frame's checksum is cut off") }
                let stored = UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
                let computed = out.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: xxh64(UnsafeBufferPointer(rebasing: $0[frameStart...]))) }
                guard stored == computed else { throw Failure(what: "a Zstandard frame's checksum does not match its content") }
                i += 4
            }
            return i
        }

        /// A compressed block: its literals section, then its sequences section.
        mutating func compressedBlock(_ b: UnsafeBufferPointer<UInt8>, frameStart: Int, into out: inout [UInt8], limit: Int) throws {
            var i = 0
            let literals = try readLiterals(b, &i)
            guard i < b.count else { throw Failure(what: "a Zstandard block ends before its sequences section") }
            var count = Int(b[i])
            i += 1
            if count >= 128 {
                guard i < b.count else { throw Failure(what: "a Zstandard sequence count is cut off") }
                if count == 255 {
                    guard i + 1 < b.count else { throw Failure(what: "a Zstandard sequence count is cut off") }
                    count = Int(b[i]) + Int(b[i + 1]) << 8 + 0x7F00
                    i += 2
                } else {
                    count = (count - 128) << 8 + Int(b[i])
                    i += 1
                }
            }
            if count == 0 {
                guard i == b.count else { throw Failure(what: "a Zstandard block has bytes after a section of no sequences") }
                guard literals.count <= limit - out.count else { throw Failure(what: "Zstandard data decode to more than \(limit) bytes") }
                out.append(contentsOf: literals)
                return
            }
            guard i < b.count else { throw Failure(what: "a Zstandard block's table modes are cut off") }
            let modes = Int(b[i])
            i += 1
            guard modes & 3 == 0 else { throw Failure(what: "Zstandard table modes with reserved bits set") }
            literalLengths = try table(mode: modes >> 6, b, &i, previous: literalLengths, predefined: Tables.literalLengths, maxSymbol: 35, maxLog: 9)
            offsets = try table(mode: (modes >> 4) & 3, b, &i, previous: offsets, predefined: Tables.offsets, maxSymbol: 31, maxLog: 8)
            matchLengths = try table(mode: (modes >> 2) & 3, b, &i, previous: matchLengths, predefined: Tables.matchLengths, maxSymbol: 52, maxLog: 9)
            guard let ll = literalLengths, let of = offsets, let ml = matchLengths else { throw Failure(what: "missing Zstandard tables") }
            var bits = try BackwardBits(UnsafeBufferPointer(rebasing: b[i...]))
            var llState = bits.read(ll.log), ofState = bits.read(of.log), mlState = bits.read(ml.log)
            var literal = 0
            // The tables in locals: no lazy-global check per sequence.
            let matchBase = Tables.matchBase, matchBits = Tables.matchBits
            let literalBase = Tables.literalBase, literalBits = Tables.literalBits
            for s in 0..<count {
                let ofCode = Int(of.symbol[ofState]), mlCode = Int(ml.symbol[mlState]), llCode = Int(ll.symbol[llState])
                guard ofCode <= 31, mlCode <= 52, llCode <= 35 else { throw Failure(what: "a Zstandard sequence code out of range") }
                let offsetValue = (1 << ofCode) + bits.read(ofCode)
                let matchLength = matchBase[mlCode] + bits.read(matchBits[mlCode])
                let literalLength = literalBase[llCode] + bits.read(literalBits[llCode])
                if s + 1 < count {
                    llState = Int(ll.base[llState]) + bits.read(Int(ll.bits[llState]))
                    mlState = Int(ml.base[mlState]) + bits.read(Int(ml.bits[mlState]))
                    ofState = Int(of.base[ofState]) + bits.read(Int(of.bits[ofState]))
                }
                // The offset: new (value − 3), or one of the three repeat offsets.
                var offset: Int
                if offsetValue > 3 {
                    offset = offsetValue - 3
                    (repeat1, repeat2, repeat3) = (offset, repeat1, repeat2)
                } else {
                    let index = offsetValue - 1 + (literalLength == 0 ? 1 : 0)
                    switch index {
                    case 0: offset = repeat1
                    case 1: offset = repeat2; (repeat1, repeat2) = (offset, repeat1)
                    case 2: offset = repeat3; (repeat1, repeat2, repeat3) = (offset, repeat1, repeat2)
                    default: offset = repeat1 - 1; (repeat1, repeat2, repeat3) = (offset, repeat1, repeat2)
                    }
                }
                guard literalLength <= literals.count - literal else { throw Failure(what: "a Zstandard sequence uses more literals than the block has") }
                guard literalLength + matchLength <= limit - out.count else { throw Failure(what: "Zstandard data decode to more than \(limit) bytes") }
                out.append(contentsOf: literals[literal..<(literal + literalLength)])
                literal += literalLength
                guard offset > 0, offset <= out.count - frameStart else { throw Failure(what: "a Zstandard match points before the frame's start") }
                Zstandard.copyMatch(&out, offset: offset, length: matchLength)
            }
            guard bits.isFinished else { throw Failure(what: "a Zstandard sequences bitstream is not used up") }
            guard literals.count - literal <= limit - out.count else { throw Failure(what: "Zstandard data decode to more than \(limit) bytes") }
            out.append(contentsOf: literals[literal...])
        }

        /// The literals section starting at `i`: raw, RLE, or Huffman-coded.
        mutating func readLiterals(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws -> [UInt8] {
            guard i < b.count else { throw Failure(what: "an empty Zstandard block") }
            let b0 = Int(b[i])
            let type = b0 & 3, sizeFormat = (b0 >> 2) & 3
            func byte(_ k: Int) throws -> Int {
                guard i + k < b.count else { throw Failure(what: "a Zstandard literals header is cut off") }
                return Int(b[i + k])
            }
            if type < 2 {
                var size: Int
                switch sizeFormat {
                case 0, 2: size = b0 >> 3; i += 1
                case 1: size = b0 >> 4 + (try byte(1)) << 4; i += 2
                default: size = b0 >> 4 + (try byte(1)) << 4 + (try byte(2)) << 12; i += 3
                }
                if type == 0 {
                    guard size <= b.count - i else { throw Failure(what: "raw Zstandard literals run past the block") }
                    defer { i += size }
                    return Array(b[i..<(i + size)])
                }
                guard i < b.count else { throw Failure(what: "RLE Zstandard literals are cut off") }
                defer { i += 1 }
                return [UInt8](repeating: b[i], count: size)
            }
            var regenerated: Int, compressed: Int, streams = 4
            switch sizeFormat {
            case 0, 1:
                let v = b0 | (try byte(1)) << 8 | (try byte(2)) << 16
                regenerated = (v >> 4) & 0x3FF; compressed = (v >> 14) & 0x3FF
                if sizeFormat == 0 { streams = 1 }
                i += 3
            case 2:
                let v = b0 | (try byte(1)) << 8 | (try byte(2)) << 16 | (try byte(3)) << 24
                regenerated = (v >> 4) & 0x3FFF; compressed = (v >> 18) & 0x3FFF
                i += 4
            default:
                let v = b0 | (try byte(1)) << 8 | (try byte(2)) << 16 | (try byte(3)) << 24 | (try byte(4)) << 32
                regenerated = (v >> 4) & 0x3FFFF; compressed = (v >> 22) & 0x3FFFF
                i += 5
            }
            guard compressed <= b.count - i else { throw Failure(what: "Huffman-coded Zstandard literals run past the block") }
            let section = UnsafeBufferPointer(rebasing: b[i..<(i + compressed)])
            i += compressed
            var k = 0
            if type == 2 { huffman = try Huffman.read(section, &k) }
            guard let table = huffman else { throw Failure(what: "Zstandard literals reuse a Huffman table no earlier block gave") }
            var out = [UInt8]()
            out.reserveCapacity(regenerated)
            if streams == 1 {
                try table.decode(UnsafeBufferPointer(rebasing: section[k...]), count: regenerated, into: &out)
            } else {
                guard section.count - k >= 6, regenerated >= 4 else { throw Failure(what: "Zstandard literals' jump table is cut off") }
                let s1 = Int(section[k]) | Int(section[k + 1]) << 8, s2 = Int(section[k + 2]) | Int(section[k + 3]) << 8
                let s3 = Int(section[k + 4]) | Int(section[k + 5]) << 8
                var start = k + 6
                let total = section.count - start
                guard s1 + s2 + s3 <= total else { throw Failure(what: "Zstandard literal streams larger than their section") }
                let segment = (regenerated + 3) / 4
                guard regenerated - 3 * segment >= 0 else { throw Failure(what: "Zstandard literals too few for four streams") }
                for (n, size) in [s1, s2, s3, total - s1 - s2 - s3].enumerated() {
                    try table.decode(UnsafeBufferPointer(rebasing: section[start..<(start + size)]), count: n < 3 ? segment : regenerated - 3 * segment, into: &out)
                    start += size
                }
            }
            return out
        }

        /// The FSE table of one sequence field for table mode `mode`.
        func table(mode: Int, _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, previous: FSETable?, predefined: FSETable,
                   maxSymbol: Int, maxLog: Int) throws -> FSETable {
            switch mode {
            case 0: return predefined
            case 1:
                guard i < b.count else { throw Failure(what: "an RLE Zstandard table is cut off") }
                defer { i += 1 }
                return FSETable(symbol: [b[i]], bits: [0], base: [0], log: 0)
            case 2:
                let (counts, log, used) = try FSETable.readDescription(UnsafeBufferPointer(rebasing: b[i...]), maxSymbol: maxSymbol, maxLog: maxLog)
                i += used
                return try FSETable(counts: counts, log: log)
            default:
                guard let previous else { throw Failure(what: "a Zstandard block repeats a table no earlier block gave") }
                return previous
            }
        }
    }

    /// Appends `length` bytes copied from `offset` (1 … out.count) bytes back, as LZ77 matches
    /// are: the copy may overlap what it writes (a run), so it goes in pieces of at most
    /// `offset` bytes. Shared by the Zstandard, LZ4 and BloscLZ decoders.
    @inline(__always)
    static func copyMatch(_ out: inout [UInt8], offset: Int, length: Int) {
        guard length > 0, offset > 0, offset <= out.count else { return }
        if length <= 16 {   // short matches (most of them): no zero fill
            var from = out.count - offset
            for _ in 0..<length {
                out.append(out[from])
                from += 1
            }
            return
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: length))
        out.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            var i = start
            while i < start + length {
                let n = min(start + length - i, offset)
                (base + i).update(from: base + i - offset, count: n)
                i += n
            }
        }
    }

    // MARK: Bitstreams

    /// A bitstream read backwards from its end (where a 1 bit marks the start), as Zstandard's
    /// Huffman and FSE streams are; bits before the stream's first read as zeros.
    struct BackwardBits {
        private let p: UnsafeBufferPointer<UInt8>
        /// Bits not yet read: those below this position.
        private(set) var position: Int

        init(_ p: UnsafeBufferPointer<UInt8>) throws {
            guard let last = p.last, last != 0 else { throw Failure(what: "a Zstandard bitstream without its end marker") }
            self.p = p
            position = (p.count - 1) * 8 + (7 - last.leadingZeroBitCount)
        }

        var isFinished: Bool { position == 0 }

        /// The next `n` (≤ 56) bits.
        @inline(__always)
        mutating func read(_ n: Int) -> Int {
            guard n > 0 else { return 0 }
            position -= n
            let start = position
            if start >= 0 { return Int(truncatingIfNeeded: load(start >> 3) >> UInt64(start & 7)) & ((1 << n) - 1) }
            let available = start + n
            guard available > 0 else { return 0 }
            return (Int(truncatingIfNeeded: load(0)) & ((1 << available) - 1)) << (n - available)
        }

        /// Up to 8 bytes from `byte` on, little-endian (zeros past the end).
        @inline(__always)
        private func load(_ byte: Int) -> UInt64 {
            if byte + 8 <= p.count, let base = p.baseAddress {
                return UInt64(littleEndian: UnsafeRawPointer(base + byte).loadUnaligned(as: UInt64.self))
            }
            var v: UInt64 = 0
            let end = min(p.count, byte + 8)
            var k = end - 1
            while k >= byte {
                v = v << 8 | UInt64(p[k])
                k -= 1
            }
            return v
        }
    }

    // MARK: FSE

    /// A finite-state-entropy decoding table: per state its symbol, and the bits to read and the
    /// base to add for the next state.
    struct FSETable {
        var symbol: [UInt8], bits: [UInt8], base: [UInt16]
        let log: Int

        init(symbol: [UInt8], bits: [UInt8], base: [UInt16], log: Int) {
            self.symbol = symbol; self.bits = bits; self.base = base; self.log = log
        }

        /// The table for normalised counts (−1: a "less than one" probability) summing to 2^log.
        init(counts: [Int], log: Int) throws {
            let size = 1 << log
            self.log = log
            symbol = [UInt8](repeating: 0, count: size)
            bits = [UInt8](repeating: 0, count: size)
            base = [UInt16](repeating: 0, count: size)
            var next = [Int](repeating: 0, count: counts.count)
            var high = size - 1
            for (s, c) in counts.enumerated() where c == -1 {
                guard high >= 0 else { throw Failure(what: "a Zstandard FSE table overfull") }
                symbol[high] = UInt8(s)
                high -= 1
                next[s] = 1
            }
            let step = (size >> 1) + (size >> 3) + 3
            var position = 0
            for (s, c) in counts.enumerated() where c > 0 {
                next[s] = c
                for _ in 0..<c {
                    symbol[position] = UInt8(s)
                    repeat { position = (position + step) & (size - 1) } while position > high
                }
            }
            guard position == 0 else { throw Failure(what: "a Zstandard FSE distribution that does not fill its table") }
            for u in 0..<size {
                let s = Int(symbol[u])
                let n = next[s]
                next[s] += 1
                guard n > 0 else { throw Failure(what: "a Zstandard FSE table state without a count") }
                let b = log - (Int.bitWidth - 1 - n.leadingZeroBitCount)
                bits[u] = UInt8(b)
                base[u] = UInt16(truncatingIfNeeded: (n << b) - size)
            }
        }

        /// Reads a table description (accuracy log, then each symbol's count in variable-size
        /// fields, with 2-bit repeat codes after a zero): the counts, the log, and bytes used.
        static func readDescription(_ p: UnsafeBufferPointer<UInt8>, maxSymbol: Int, maxLog: Int) throws -> (counts: [Int], log: Int, used: Int) {
            var position = 0
            func read(_ n: Int) throws -> Int {
                var v = 0
                for k in 0..<n {
                    let bit = position + k
                    guard bit >> 3 < p.count else { throw Failure(what: "a Zstandard FSE table description is cut off") }
                    v |= Int((p[bit >> 3] >> UInt8(bit & 7)) & 1) << k
                }
                position += n
                return v
            }
            func peek(_ n: Int) -> Int {
                var v = 0
                for k in 0..<n where (position + k) >> 3 < p.count {
                    let bit = position + k
                    v |= Int((p[bit >> 3] >> UInt8(bit & 7)) & 1) << k
                }
                return v
            }
            let log = try read(4) + 5
            guard log <= maxLog else { throw Failure(what: "a Zstandard FSE accuracy log of \(log) (at most \(maxLog))") }
            var remaining = (1 << log) + 1
            var threshold = 1 << log
            var width = log + 1
            var counts: [Int] = []
            var previousZero = false
            while remaining > 1 {
                if previousZero {
                    while true {
                        let r = try read(2)
                        counts.append(contentsOf: repeatElement(0, count: r))
                        if r != 3 { break }
                    }
                    guard counts.count <= maxSymbol + 1 else { throw Failure(what: "a Zstandard FSE description with too many symbols") }
                }
                guard counts.count <= maxSymbol else { throw Failure(what: "a Zstandard FSE description with too many symbols") }
                let maximum = 2 * threshold - 1 - remaining
                var value: Int
                if peek(width - 1) < maximum {
                    value = try read(width - 1)
                } else {
                    value = try read(width)
                    if value >= threshold { value -= maximum }
                }
                let count = value - 1
                remaining -= abs(count)
                counts.append(count)
                previousZero = count == 0
                while remaining < threshold {
                    width -= 1
                    threshold >>= 1
                }
            }
            guard remaining == 1 else { throw Failure(what: "a Zstandard FSE description whose counts do not sum to its table") }
            return (counts, log, (position + 7) / 8)
        }
    }

    // MARK: Huffman

    /// A Huffman decoding table indexed by the next `maxBits` bits.
    struct Huffman {
        let maxBits: Int
        var symbol: [UInt8], bits: [UInt8]

        /// Reads a tree description (weights stored 4 bits each, or FSE-compressed) at `i`.
        static func read(_ p: UnsafeBufferPointer<UInt8>, _ i: inout Int) throws -> Huffman {
            guard i < p.count else { throw Failure(what: "a Zstandard Huffman tree is cut off") }
            let header = Int(p[i])
            i += 1
            var weights: [Int] = []
            if header >= 128 {
                let n = header - 127
                guard (n + 1) / 2 <= p.count - i else { throw Failure(what: "a Zstandard Huffman tree is cut off") }
                for k in 0..<n { weights.append(Int(k % 2 == 0 ? p[i + k / 2] >> 4 : p[i + k / 2] & 15)) }
                i += (n + 1) / 2
            } else {
                guard header <= p.count - i, header > 0 else { throw Failure(what: "a Zstandard Huffman tree is cut off") }
                let section = UnsafeBufferPointer(rebasing: p[i..<(i + header)])
                i += header
                let (counts, log, used) = try FSETable.readDescription(section, maxSymbol: 255, maxLog: 6)
                let table = try FSETable(counts: counts, log: log)
                var bits = try BackwardBits(UnsafeBufferPointer(rebasing: section[used...]))
                var s1 = bits.read(log), s2 = bits.read(log)
                while weights.count < 255 {
                    weights.append(Int(table.symbol[s1]))
                    s1 = Int(table.base[s1]) + bits.read(Int(table.bits[s1]))
                    if bits.position < 0 { weights.append(Int(table.symbol[s2])); break }
                    weights.append(Int(table.symbol[s2]))
                    s2 = Int(table.base[s2]) + bits.read(Int(table.bits[s2]))
                    if bits.position < 0 { weights.append(Int(table.symbol[s1])); break }
                }
            }
            guard weights.count <= 255, weights.allSatisfy({ $0 <= 11 }) else { throw Failure(what: "a Zstandard Huffman tree with impossible weights") }
            // The last symbol's weight makes the total a power of two.
            let total = weights.reduce(0) { $0 + ($1 > 0 ? 1 << ($1 - 1) : 0) }
            guard total > 0 else { throw Failure(what: "a Zstandard Huffman tree without symbols") }
            let maxBits = Int.bitWidth - total.leadingZeroBitCount
            let rest = (1 << maxBits) - total
            guard rest > 0, rest.nonzeroBitCount == 1, maxBits <= 11 else { throw Failure(what: "a Zstandard Huffman tree whose weights do not complete") }
            weights.append(rest.trailingZeroBitCount + 1)
            // Entries by weight, then symbol: a symbol of weight w fills 2^(w−1) entries, codes of maxBits + 1 − w bits.
            var symbol = [UInt8](repeating: 0, count: 1 << maxBits), bits = [UInt8](repeating: 0, count: 1 << maxBits)
            var next = 0
            for w in 1...maxBits {
                for (s, weight) in weights.enumerated() where weight == w {
                    let span = 1 << (w - 1)
                    for e in next..<(next + span) {
                        symbol[e] = UInt8(s)
                        bits[e] = UInt8(maxBits + 1 - w)
                    }
                    next += span
                }
            }
            guard next == 1 << maxBits else { throw Failure(what: "a Zstandard Huffman tree that does not fill its table") }
            return Huffman(maxBits: maxBits, symbol: symbol, bits: bits)
        }

        /// Appends `count` symbols decoded from one stream, which they must use up exactly.
        func decode(_ stream: UnsafeBufferPointer<UInt8>, count: Int, into out: inout [UInt8]) throws {
            guard count > 0 else { return }
            var bits = try BackwardBits(stream)
            for _ in 0..<count {
                let index = bits.read(maxBits)
                out.append(symbol[index])
                bits.unread(maxBits - Int(self.bits[index]))
            }
            guard bits.isFinished else { throw Failure(what: "a Zstandard Huffman stream is not used up exactly") }
        }
    }

    // MARK: Tables of RFC 8878

    enum Tables {
        static let literalBase = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64,
                                  128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
        static let literalBits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6,
                                  7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        static let matchBase = Array(3...34) + [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539]
        static let matchBits = [Int](repeating: 0, count: 32) + [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        // The predefined distributions (section 3.1.1.3.2.2).
        static let literalLengths = try! FSETable(counts: [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3,
                                                          2, 1, 1, 1, 1, 1, -1, -1, -1, -1], log: 6)
        static let matchLengths = try! FSETable(counts: [1, 4, 3, 2, 2, 2, 2, 2, 2] + [Int](repeating: 1, count: 37) + [Int](repeating: -1, count: 7), log: 6)
        static let offsets = try! FSETable(counts: [1, 1, 1, 1, 1, 1, 2, 2, 2] + [Int](repeating: 1, count: 15) + [Int](repeating: -1, count: 5), log: 5)
    }

    // MARK: XXH64

    /// XXH64 with seed 0 (the frame checksum is its low 32 bits).
    static func xxh64(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F, p3: UInt64 = 0x1656_67B1_9E37_79F9
        let p4: UInt64 = 0x85EB_CA77_C2B2_AE63, p5: UInt64 = 0x27D4_EB2F_1656_67C5
        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
        func round(_ acc: UInt64, _ lane: UInt64) -> UInt64 { rotl(acc &+ lane &* p2, 31) &* p1 }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(p[at + $1]) << UInt64(8 * $1) } }
        func u32(_ at: Int) -> UInt64 { (0..<4).reduce(0) { $0 | UInt64(p[at + $1]) << UInt64(8 * $1) } }
        let n = p.count
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4: UInt64 = 0 &- p1
            while n - i >= 32 {
                v1 = round(v1, u64(i)); v2 = round(v2, u64(i + 8)); v3 = round(v3, u64(i + 16)); v4 = round(v4, u64(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            for v in [v1, v2, v3, v4] { h = (h ^ round(0, v)) &* p1 &+ p4 }
        } else {
            h = p5
        }
        h &+= UInt64(n)
        while n - i >= 8 {
            h ^= round(0, u64(i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if n - i >= 4 {
            h ^= u32(i) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(p[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h &*= p2; h ^= h >> 29; h &*= p3; h ^= h >> 32
        return h
    }
}

extension Zstandard.BackwardBits {
    /// Gives back `n` bits just read (a Huffman code shorter than the bits looked at).
    mutating func unread(_ n: Int) { position += n }
}
