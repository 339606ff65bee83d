import Foundation
import XrayCore

/// Siemens/Bruker DIFFRAC RAW, binary, little-endian, all four versions:
/// v1 (`RAW `), v2 (`RAW2`), v3 (`RAW1.01`, DIFFRAC-plus: 712-byte file header, 304-byte range
/// headers) and v4 (`RAW4.00`, DIFFRAC.SUITE: tagged segments, then ranges). Every range becomes
/// a scan; 2θ is `start + i·step`, intensities are float32 counts. Layout as documented in the
/// DIFFRAC-plus XCH manual, appendix A (v3), and as used by xylib (v1, v2, v4); in v4 each point
/// is a record of the range's datum size whose leading float32 is the intensity.
enum BrukerRawReader: FormatReader {
    static let id = "bruker-raw"
    static let name = "Bruker/Siemens RAW v1–v4 (.raw)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["raw"]

    static func version(_ head: Data) -> Int? {
        let b = [UInt8](head.prefix(7))
        guard b.count >= 4, b[0] == 0x52, b[1] == 0x41, b[2] == 0x57 else { return nil }   // "RAW"
        switch b[3] {
        case 0x20: return 1
        case 0x32: return 2
        case 0x31 where b.count >= 7 && b[4] == 0x2E && b[5] == 0x30 && b[6] == 0x31: return 3   // "RAW1.01"
        case 0x34 where b.count >= 7 && b[4] == 0x2E && b[5] == 0x30 && b[6] == 0x30: return 4   // "RAW4.00"
        default: return nil
        }
    }

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        version(head) != nil ? .certain : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        guard let v = version(data) else {
            throw RoentgenError.badFile(file, byteOffset: 0, "not a Bruker RAW file: expected 'RAW ', 'RAW2', 'RAW1.01' or 'RAW4.00' at the start")
        }
        var r = PatternBinary(data, file: file)
        var metadata = Metadata()
        metadata["format version"] = String(v)
        let scans: [Scan]
        switch v {
        case 1: scans = try readV1(&r, metadata)
        case 2: scans = try readV2(&r, &metadata)
        case 3: scans = try readV3(&r, &metadata)
        default: scans = try readV4(&r, &metadata)
        }
        guard !scans.isEmpty else { throw RoentgenError.badFile(file, byteOffset: r.offset, "RAW file holds no ranges") }
        return DataFile(format: id, file: file, scans: scans)
    }

    private static func scanName(_ file: String, _ index: Int, _ count: Int) -> String {
        count > 1 ? "range \(index + 1)" : DiffractionScan.stem(file)
    }

    // MARK: v1

    private static func readV1(_ r: inout PatternBinary, _ fileMetadata: Metadata) throws -> [Scan] {
        var scans: [Scan] = []
        r.offset = 4
        var following: UInt32 = 1
        while following > 0 {
            let rangeStart = r.offset
            var steps = try r.uint32("range \(scans.count + 1) step count")
            if !scans.isEmpty && steps == 0x2057_4152 {   // ranges may repeat the "RAW " magic
                steps = try r.uint32("range \(scans.count + 1) step count")
            }
            var m = fileMetadata
            m["MEASUREMENT_TIME_PER_STEP"] = fmt32(try r.float32("time per step"))
            let step = try r.float32("step size")
            m["SCAN_MODE"] = String(try r.uint32("scan mode"))
            try r.skip(4)
            let start = try r.float32("start angle")
            for key in ["THETA_START", "KHI_START", "PHI_START"] {
                let t = try r.float32(key)
                if t != -1e6 { m[key] = fmt(t) }
            }
            m["SAMPLE_NAME"] = try r.string(32, "sample name")
            let k1 = try r.float32("K-alpha1"), k2 = try r.float32("K-alpha2")
            m["K_ALPHA1"] = fmt32(k1); m["K_ALPHA2"] = fmt32(k2)
            try r.skip(72, "range header")
            following = try r.uint32("following-range flag")
            guard steps <= UInt32(r.remaining / 4) else {
                throw RoentgenError.badFile(r.file, byteOffset: rangeStart,
                                            "range \(scans.count + 1) claims \(steps) points but only \(r.remaining) bytes follow (truncated file?)")
            }
            let y = try r.float32Array(Int(steps), "intensities of range \(scans.count + 1)")
            let x = DiffractionScan.steps(start: start, step: step, count: y.count)
            let rad = DiffractionScan.radiation(anode: nil, kAlpha1: k1, kAlpha2: k2, ratio: nil, kBeta: nil)
            scans.append(DiffractionScan.make(name: "range \(scans.count + 1)", twoTheta: x, intensity: y, radiation: rad, metadata: m))
            if scans.count > 10_000 { break }
        }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(r.file) }
        return scans
    }

    // MARK: v2

    private static func readV2(_ r: inout PatternBinary, _ metadata: inout Metadata) throws -> [Scan] {
        r.offset = 4
        let rangeCount = try r.uint16("range count")
        try r.seek(168, "file header")
        metadata["DATE_TIME_MEASURE"] = try r.string(20, "measurement date")
        let anode = try r.string(2, "anode")
        metadata["ANODE"] = anode
        let l1 = try r.float32("lambda 1"), l2 = try r.float32("lambda 2"), ratio = try r.float32("intensity ratio")
        metadata["LAMBDA1"] = fmt32(l1); metadata["LAMBDA2"] = fmt32(l2); metadata["INTENSITY_RATIO"] = fmt32(ratio)
        try r.skip(8)
        metadata["TOTAL_SAMPLE_RUNTIME_IN_SEC"] = fmt32(try r.float32("run time"))
        try r.seek(256, "first range header")
        let rad = DiffractionScan.radiation(anode: anode, kAlpha1: l1, kAlpha2: l2, ratio: ratio, kBeta: nil)
        var scans: [Scan] = []
        for index in 0..<rangeCount {
            let rangeStart = r.offset
            let headerLength = try r.uint16("range \(index + 1) header length")
            guard headerLength >= 48 else {
                throw RoentgenError.badFile(r.file, byteOffset: rangeStart, "range \(index + 1) header length \(headerLength) is below the 48 bytes of a RAW2 range header")
            }
            let steps = try r.uint16("step count")
            try r.skip(4)
            var m = metadata
            m["SEC_PER_STEP"] = fmt32(try r.float32("time per step"))
            let step = try r.float32("step size"), start = try r.float32("start angle")
            try r.skip(26)
            m["TEMP_IN_K"] = String(try r.uint16("temperature"))
            try r.seek(rangeStart + headerLength, "range \(index + 1) data")
            let y = try r.float32Array(steps, "intensities of range \(index + 1)")
            scans.append(DiffractionScan.make(name: scanName(r.file, index, rangeCount),
                                              twoTheta: DiffractionScan.steps(start: start, step: step, count: steps),
                                              intensity: y, radiation: rad, metadata: m))
        }
        return scans
    }

    // MARK: v3 (RAW1.01)

    private static func readV3(_ r: inout PatternBinary, _ metadata: inout Metadata) throws -> [Scan] {
        try r.require(712, at: 0, "the 712-byte RAW1.01 file header")
        r.offset = 8
        let status = try r.uint32("file status")
        metadata["file status"] = [1: "done", 2: "active", 3: "aborted", 4: "interrupted"][status] ?? String(status)
        let rangeCount = try r.uint32("range count")
        for (key, offset, length) in [("MEASURE_DATE", 16, 10), ("MEASURE_TIME", 26, 10), ("USER", 36, 72),
                                      ("SITE", 108, 218), ("SAMPLE_ID", 326, 60), ("COMMENT", 386, 160)] {
            try r.seek(offset, key)
            metadata[key] = try r.string(length, key)
        }
        try r.seek(564, "goniometer radius")
        metadata["GONIOMETER_RADIUS"] = fmt32(try r.float32("goniometer radius"))
        try r.seek(608, "anode")
        let anode = try r.string(4, "anode material")
        metadata["ANODE_MATERIAL"] = anode
        try r.seek(616, "wavelengths")
        let average = try r.float64("mean K-alpha"), a1 = try r.float64("K-alpha1"), a2 = try r.float64("K-alpha2")
        let beta = try r.float64("K-beta"), ratio = try r.float64("K-alpha2/K-alpha1 ratio")
        metadata["ALPHA_AVERAGE"] = fmt(average); metadata["ALPHA1"] = fmt(a1); metadata["ALPHA2"] = fmt(a2)
        metadata["BETA"] = fmt(beta); metadata["ALPHA_RATIO"] = fmt(ratio)
        try r.seek(664, "measurement time")
        metadata["measurement time"] = fmt32(try r.float32("measurement time"))
        let rad = DiffractionScan.radiation(anode: anode, kAlpha1: a1, kAlpha2: a2, ratio: ratio, kBeta: beta)
        var scans: [Scan] = []
        var position = 712
        guard rangeCount <= UInt32(max(0, r.count - 712) / 304) else {
            throw RoentgenError.badFile(r.file, byteOffset: 12, "header claims \(rangeCount) ranges but the file is only \(r.count) bytes (truncated file?)")
        }
        for index in 0..<Int(rangeCount) {
            try r.seek(position, "range \(index + 1) header")
            let headerLength = try r.uint32("range \(index + 1) header length")
            guard headerLength >= 304 else {
                throw RoentgenError.badFile(r.file, byteOffset: position, "range \(index + 1) header length is \(headerLength), expected 304")
            }
            try r.require(Int(min(headerLength, 1 << 24)), at: position, "range \(index + 1) header")
            let steps = try r.uint32("step count")
            var m = metadata
            m["STEPS"] = String(steps)
            m["START_THETA"] = fmt(try r.float64("start theta"))
            let start = try r.float64("start 2theta")
            m["START_2THETA"] = fmt(start)
            try r.seek(position + 100, "detector settings")
            m["HIGH_VOLTAGE"] = fmt32(try r.float32("high voltage"))
            m["AMPLIFIER_GAIN"] = fmt32(try r.float32("amplifier gain"))
            m["DISCRIMINATOR_1_LOWER_LEVEL"] = fmt32(try r.float32("discriminator"))
            try r.seek(position + 176, "step size")
            let step = try r.float64("step size")
            m["STEP_SIZE"] = fmt(step)
            try r.seek(position + 192, "time per step")
            m["TIME_PER_STEP"] = fmt32(try r.float32("time per step"))
            try r.seek(position + 208, "rotation speed")
            m["ROTATION_SPEED [rpm]"] = fmt32(try r.float32("rotation speed"))
            try r.seek(position + 224, "generator")
            m["GENERATOR_VOLTAGE"] = String(try r.uint32("generator voltage"))
            m["GENERATOR_CURRENT"] = String(try r.uint32("generator current"))
            try r.seek(position + 240, "used wavelength")
            m["USED_LAMBDA"] = fmt(try r.float64("used wavelength"))
            try r.seek(position + 256, "supplementary header size")
            let supplementary = try r.uint32("supplementary header size")
            let dataStart = position + Int(headerLength) + Int(supplementary)
            try r.seek(dataStart, "range \(index + 1) intensities")
            let y = try r.float32Array(Int(steps), "intensities of range \(index + 1)")
            position = r.offset
            scans.append(DiffractionScan.make(name: scanName(r.file, index, Int(rangeCount)),
                                              twoTheta: DiffractionScan.steps(start: start, step: step, count: y.count),
                                              intensity: y, radiation: rad, metadata: m))
        }
        return scans
    }

    // MARK: v4 (RAW4.00)

    private static func readV4(_ r: inout PatternBinary, _ metadata: inout Metadata) throws -> [Scan] {
        try r.seek(12, "file header")
        metadata["MEASURE_DATE"] = try r.string(12, "measurement date")
        metadata["MEASURE_TIME"] = try r.string(10, "measurement time")
        try r.seek(61, "first segment")
        var anode: String?, a1: Double?, a2: Double?, beta: Double?, ratio: Double?
        var drive = 0
        var type: UInt32 = 0
        while true {
            let segmentStart = r.offset
            type = try r.uint32("segment type")
            if type == 0 || type == 160 { break }
            let length = Int(try r.uint32("segment length"))
            guard length >= 8, length <= r.count - segmentStart else {
                throw RoentgenError.badFile(r.file, byteOffset: segmentStart,
                                            "segment of type \(type) claims \(length) bytes; expected at least 8 and at most the \(r.count - segmentStart) bytes left (truncated file?)")
            }
            switch type {
            case 10 where length >= 36:
                try r.skip(4)
                let tag = try r.string(24, "tag name")
                let value = try r.string(length - 36, "value of \(tag)")
                if !tag.isEmpty { metadata[tag] = value }
            case 30 where length >= 120:
                try r.seek(segmentStart + 72, "wavelengths")
                metadata["ALPHA_AVERAGE"] = fmt(try r.float64("mean K-alpha"))
                a1 = try r.float64("K-alpha1"); a2 = try r.float64("K-alpha2")
                beta = try r.float64("K-beta"); ratio = try r.float64("K-alpha2/K-alpha1 ratio")
                metadata["ALPHA1"] = fmt(a1!); metadata["ALPHA2"] = fmt(a2!)
                metadata["BETA"] = fmt(beta!); metadata["ALPHA_RATIO"] = fmt(ratio!)
                try r.seek(segmentStart + 116, "anode")
                anode = try r.string(4, "anode material")
                metadata["ANODE_MATERIAL"] = anode
            case 60 where length >= 76:
                let flag = try r.uint32("drive alignment flag")
                let name = try r.string(24, "drive name")
                try r.seek(segmentStart + 68, "drive delta")
                let delta = try r.float64("drive delta")
                metadata["DRIVE\(drive)_NAME"] = name
                metadata["DRIVE\(drive)_ALIGN_FLAG"] = String(flag)
                metadata["DRIVE\(drive)_DELTA"] = fmt(delta)
                drive += 1
            default:
                break
            }
            try r.seek(segmentStart + length, "next segment")
        }
        let rad = DiffractionScan.radiation(anode: anode, kAlpha1: a1, kAlpha2: a2, ratio: ratio, kBeta: beta)
        var scans: [Scan] = []
        var rangeStart = r.offset - 4
        while true {
            let index = scans.count
            try r.require(160, at: rangeStart, "range \(index + 1) header (160 bytes)")
            var m = metadata
            try r.seek(rangeStart + 32, "scan type")
            let scanType = try r.string(24, "scan type")
            m["SCAN_TYPE"] = scanType
            try r.seek(rangeStart + 72, "start angle")
            let start = try r.float64("start angle"), step = try r.float64("step size")
            let steps = try r.uint32("step count")
            m["START_ANGLE"] = fmt(start); m["STEP_SIZE"] = fmt(step); m["STEPS"] = String(steps)
            m["TIME_PER_STEP"] = fmt32(try r.float32("time per step"))
            try r.skip(4)
            m["GENERATOR_VOLTAGE"] = fmt32(try r.float32("generator voltage"))
            m["GENERATOR_CURRENT"] = fmt32(try r.float32("generator current"))
            try r.skip(4)
            m["USED_LAMBDA"] = fmt(try r.float64("used wavelength"))
            try r.seek(rangeStart + 136, "datum size")
            let datumSize = try r.uint32("datum size")
            let extraHeader = Int(try r.uint32("range header size"))
            // Extra range segments (drive start positions, type 50).
            var position = rangeStart + 160
            let extraEnd = position + extraHeader
            guard extraHeader >= 0, extraEnd <= r.count else {
                throw RoentgenError.badFile(r.file, byteOffset: rangeStart + 140,
                                            "range \(index + 1) header claims \(extraHeader) extra bytes beyond the end of the file (truncated file?)")
            }
            while position + 8 <= extraEnd {
                try r.seek(position, "range segment")
                let t = try r.uint32("range segment type")
                let length = Int(try r.uint32("range segment length"))
                guard length >= 8, position + length <= extraEnd else {
                    throw RoentgenError.badFile(r.file, byteOffset: position, "range segment claims \(length) bytes, outside its range header")
                }
                if t == 50 && length >= 64 {
                    try r.seek(position + 12, "drive name")
                    let name = try r.string(24, "drive name")
                    try r.seek(position + 56, "drive start")
                    let value = try r.float64("drive start")
                    if !name.isEmpty { m["START_" + name.uppercased()] = fmt(value) }
                }
                position += length
            }
            try r.seek(extraEnd, "range \(index + 1) data")
            // Each point is a record of `datumSize` bytes whose leading float32 is the intensity
            // (DIFFRAC.EVA writes 8-byte records: the float32, then an int32 that is 1 in every
            // record seen). Reading the records as packed float32 (xylib) interleaves those ints as
            // denormals; reading 8-byte records as float64 gives values near 1e-314.
            guard datumSize >= 4, datumSize % 4 == 0, datumSize <= 1024 else {
                throw RoentgenError.badFile(r.file, byteOffset: rangeStart + 136, "range \(index + 1) has datum size \(datumSize), expected a multiple of 4 bytes (a float32 intensity, then optional fields)")
            }
            if datumSize != 4 { m["DATUM_SIZE"] = String(datumSize) }
            let y = try r.float32Array(Int(steps), stride: Int(datumSize), "intensities of range \(index + 1)")
            scans.append(DiffractionScan.make(name: "range \(index + 1)",
                                              twoTheta: DiffractionScan.steps(start: start, step: step, count: y.count),
                                              intensity: y, radiation: rad, metadata: m))
            // Next range, or the end of the file.
            guard let next = r.peekUInt32(at: r.offset), next == 0 || next == 160 else { break }
            rangeStart = r.offset
            if scans.count > 100_000 { break }
        }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(r.file) }
        return scans
    }

    /// Shortest decimal text for a value read from the file.
    static func fmt(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

extension BrukerRawReader {
    /// Decimal text of a value stored as float32 (printed at float precision, as the file holds it).
    static func fmt32(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e7 { return String(Int64(v)) }
        return String(Float(v))
    }
}
