import Foundation
import OrderedCollections
import Synchronization
import XrayCore

/// The frames of a 2-D or 3-D numeric dataset in an HDF5/NeXus file (a Pilatus/Eiger/Lambda
/// stack), read one frame at a time through Roentgen's HDF5 reader: for chunked data only the
/// chunks holding the frame are decoded (gzip, LZ4, bitshuffle, Blosc, Zstandard … as
/// `HDF5Chunks` undoes them), so a stack of thousands of frames is never held whole.
///
/// The dataset is the one `dataset` names, or else the signal of an NXdata group of rank ≥ 2,
/// or else the file's only dataset of rank ≥ 2. NeXus detector values (`distance`,
/// `x_pixel_size`, `y_pixel_size`, `beam_center_x/y`, `count_time`, `wavelength` /
/// `incident_wavelength`, with their `units`) become the header.
public struct HDF5ImageStack: @unchecked Sendable {
    let data: Data
    /// The file, as named in errors.
    public let file: String
    /// Path of the dataset read.
    public let path: String
    let address: Int
    /// Byte offset of the dataset's data in the file when it is stored contiguously.
    let contiguousOffset: Int?
    /// Number of frames (1 for a 2-D dataset).
    public let frameCount: Int
    public let rows: Int
    public let columns: Int
    public let pixelType: DetectorImage.PixelType
    let bigEndian: Bool
    /// Header values (NeXus path → value with units) and geometry, as a frameless image.
    public let template: DetectorImage
    /// The `ReadConfinement` in force when the stack was opened: a virtual dataset's source files,
    /// read again for each frame (perhaps on another thread), are held to it.
    let confinement: String?

    /// Opens `data` (an HDF5 file) and picks the image dataset.
    /// Collects the paths of every image dataset when the default is ambiguous.
    final class Listing { var paths: [String] = [] }

    public init(data: Data, file: String, dataset: String? = nil) throws {
        try self.init(data: data, file: file, dataset: dataset, listing: nil)
    }

    /// The path of the file's NXdetector `pixel_mask` (NeXus: one bit field per pixel, nonzero for
    /// gaps, dead, hot, noisy … pixels; 2-D, or 3-D with one frame), or nil when the file has none
    /// or several. A mask of one frame per frame (NeXus allows it) is refused: one mask applies to
    /// every frame here.
    public static func detectorPixelMask(data: Data, file: String) throws -> String? {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> String? in
            let h5 = try HDF5File(raw, file: file)
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(h5, warnings: &warnings)
            let masks = tree.filter { $0.nxClass == "NXdetector" }.compactMap { g -> (path: String, dims: [Int])? in
                guard let i = g.members.first(where: { $0.name == "pixel_mask" })?.node, let d = tree[i].dataset, d.type.isNumeric else { return nil }
                return (tree[i].path, d.space.dims)
            }
            if let perFrame = masks.first(where: { $0.dims.count == 3 && $0.dims[0] > 1 }) {
                throw RoentgenError(.badParameter, "\(perFrame.path) holds a mask per frame (\(perFrame.dims[0]) frames); one mask applies to every frame: give a mask image", file: file)
            }
            let usable = masks.filter { $0.dims.count == 2 || ($0.dims.count == 3 && $0.dims[0] == 1) }
            return usable.count == 1 ? usable[0].path : nil
        }
    }

    /// Whether a node is a dataset of frames: numeric, 2-D or 3-D, its last two dimensions above 1.
    static func holdsFrames(_ node: HDF5Reader.Node) -> Bool {
        guard let d = node.dataset, d.type.isNumeric else { return false }
        let dims = d.space.dims
        return (dims.count == 2 || dims.count == 3) && dims.suffix(2).allSatisfy { $0 > 1 }
    }

    /// The paths of every dataset of frames in this stack's file (what `--dataset` may name), in file order.
    public func imageDatasets() throws -> [String] {
        try data.withUnsafeBytes { raw in
            let h5 = try HDF5File(raw, file: file)
            var warnings: [String] = []
            return try HDF5Reader.walk(h5, warnings: &warnings).filter(Self.holdsFrames).map(\.path)
        }
    }

    /// Every 2-D or 3-D numeric dataset of the file, each opened as a stack (for summaries).
    static func all(data: Data, file: String) throws -> [HDF5ImageStack] {
        if let one = try? HDF5ImageStack(data: data, file: file) { return [one] }
        let listing = Listing()
        _ = try? HDF5ImageStack(data: data, file: file, dataset: nil, listing: listing)
        return try listing.paths.map { try HDF5ImageStack(data: data, file: file, dataset: $0) }
    }

    init(data: Data, file: String, dataset: String?, listing: Listing?) throws {
        self.data = data
        self.file = file
        confinement = ReadConfinement.root
        let found = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> (String, Int, [Int], HDF5Datatype, OrderedDictionary<String, String>, Int?) in
            let h5 = try HDF5File(raw, file: file)
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(h5, warnings: &warnings)
            func isImage(_ i: Int) -> Bool { Self.holdsFrames(tree[i]) }
            var node: Int?
            if let dataset {
                guard let i = HDF5Reader.resolve(dataset, in: tree) else {
                    throw RoentgenError(.notFound, "no object '\(dataset)' in the HDF5 file", file: file)
                }
                guard isImage(i) else {
                    let shape = tree[i].dataset.map { "\($0.space.dims) \($0.type.description)" } ?? "a group"
                    throw RoentgenError(.badParameter, "'\(dataset)' is \(shape), not a 2-D or 3-D numeric dataset of frames", file: file)
                }
                node = i
            } else {
                for (g, group) in tree.enumerated() where group.nxClass == "NXdata" {
                    if let s = HDF5Reader.signalName(group, tree), let i = group.members.first(where: { $0.name == s })?.node, isImage(i) { node = i; break }
                    _ = g
                }
                if node == nil {
                    let images = tree.indices.filter(isImage)
                    if let list = listing { list.paths = images.map { tree[$0].path } }
                    // Several: an NXdetector's `data` field is the detector's frames by definition (NXmx,
                    // X-Spectrum Lambda), beside its pixel_mask and flatfield.
                    let detectorData = tree.filter { $0.nxClass == "NXdetector" }
                        .compactMap { g in g.members.first { $0.name == "data" }?.node }.filter(isImage)
                    if images.count == 1 { node = images[0] }
                    else if detectorData.count == 1 { node = detectorData[0] }
                    else if images.count > 1 {
                        throw RoentgenError(.badParameter, "the HDF5 file holds \(images.count) image datasets (\(images.prefix(6).map { tree[$0].path }.joined(separator: ", "))); name one with --dataset", file: file)
                    }
                }
            }
            guard let node, let d = tree[node].dataset else {
                throw RoentgenError.badFile(file, "HDF5 file holds no 2-D or 3-D numeric dataset (no detector frames)")
            }
            // NeXus detector and beam values.
            var header: OrderedDictionary<String, String> = [:]
            let wanted: Set<String> = ["distance", "x_pixel_size", "y_pixel_size", "beam_center_x", "beam_center_y", "count_time",
                                       "wavelength", "incident_wavelength", "description", "local_name", "sensor_material"]
            for n in tree where n.dataset != nil && n.dataset!.space.count <= 1 {
                guard let name = n.path.split(separator: "/").last, wanted.contains(String(name)), let ds = n.dataset,
                      let raw = try? h5.rawData(ds), let value = try? h5.value(raw, type: ds.type, count: ds.space.count, at: ds.address) else { continue }
                if case .unsupported = value { continue }
                header[n.path] = value.text + (n.attribute("units").map { " " + $0.text } ?? "")
            }
            var contiguous: Int?
            if case .contiguous(let at?, _) = d.layout { contiguous = at }
            return (tree[node].path, d.address, d.space.dims, d.type, header, contiguous)
        }
        let (path, address, dims, type, header, contiguous) = found
        self.path = path
        self.address = address
        contiguousOffset = contiguous
        frameCount = dims.count == 3 ? dims[0] : 1
        rows = dims[dims.count - 2]
        columns = dims[dims.count - 1]
        switch type {
        case .integer(let size, let signed, let be):
            bigEndian = be
            switch (size, signed) {
            case (1, true): pixelType = .int8
            case (1, false): pixelType = .uint8
            case (2, true): pixelType = .int16
            case (2, false): pixelType = .uint16
            case (4, true): pixelType = .int32
            case (4, false): pixelType = .uint32
            case (8, true): pixelType = .int64
            default: pixelType = .uint64
            }
        case .float(let size, let be):
            bigEndian = be
            pixelType = size == 8 ? .float64 : .float32
        default:
            throw RoentgenError(.unsupportedFormat, "dataset \(path) of type \(type.description) is not a numeric image", file: file)
        }
        var t = DetectorImage(rows: rows, columns: columns, frames: [], pixelType: pixelType, format: "hdf5", header: header)
        HDF5ImageStack.applyGeometry(header, to: &t)
        template = t
    }

    /// Frame `k` (0-based) as `rows × columns` values.
    public func frame(_ k: Int) throws -> [Double] {
        try withFrameBytes(k) { bytes, type, bigEndian in type.decode(bytes, count: rows * columns, bigEndian: bigEndian) }
    }

    /// Calls `body` with frame `k`'s bytes as stored (`rows × columns` elements of `pixelType`,
    /// big-endian when the flag says so): for contiguous data a slice of the file's (mapped)
    /// bytes, read in place; for chunked data the decoded chunks assembled into one buffer.
    /// The bytes are valid only inside `body`.
    public func withFrameBytes<R>(_ k: Int, _ body: (UnsafeRawBufferPointer, DetectorImage.PixelType, Bool) throws -> R) throws -> R {
        guard k >= 0, k < frameCount else { throw RoentgenError(.badParameter, "frame \(k) of \(path): the dataset has \(frameCount) frames", file: file) }
        let count = rows * columns
        let size = pixelType.size
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> R in
            // Contiguous data: the frame's bytes from the offset found when the file was opened
            // (no HDF5 header parsed per frame).
            if let at = contiguousOffset {
                let start = at + k * count * size
                guard start >= 0, start + count * size <= raw.count else {
                    throw RoentgenError.badFile(file, byteOffset: start, "frame \(k) of \(path) passes the end of the file (\(raw.count) bytes); file truncated")
                }
                return try body(UnsafeRawBufferPointer(rebasing: raw[start..<start + count * size]), pixelType, bigEndian)
            }
            let h5 = try HDF5File(raw, file: file)
            guard let d = try h5.dataset(try h5.object(at: address)) else { throw RoentgenError.badFile(file, byteOffset: address, "\(path) is no longer a dataset") }
            switch d.layout {
            case .chunked(let chunk, let index) where d.space.dims.count == 3:
                var frame = d.filled(count * size)
                let chunkBytes = chunk.reduce(size, *)
                guard chunk.count == 3, chunk.allSatisfy({ $0 > 0 }), chunkBytes <= 1 << 30 else {
                    throw RoentgenError.badFile(file, byteOffset: address, "chunk shape \(chunk) does not fit \(path)")
                }
                for c in try h5.chunks(d, chunk: chunk, index: index, chunkBytes: chunkBytes) where c.origin.count == 3 && c.origin[0] <= k && k < c.origin[0] + chunk[0] {
                    guard c.origin[1] < rows, c.origin[2] < columns else { continue }
                    let stored = try h5.b.slice(c.address, c.size, "data chunk")
                    let bytes = try h5.unfilter(stored, d, mask: c.filterMask, expected: chunkBytes, at: c.address)
                    guard bytes.count >= chunkBytes else { throw RoentgenError.badFile(file, byteOffset: c.address, "chunk of \(path) decodes to \(bytes.count) bytes; \(chunkBytes) expected") }
                    let plane = k - c.origin[0]
                    let width = min(chunk[2], columns - c.origin[2]) * size
                    frame.withUnsafeMutableBytes { out in
                        bytes.withUnsafeBytes { src in
                            for r in 0..<min(chunk[1], rows - c.origin[1]) {
                                let from = ((plane * chunk[1] + r) * chunk[2]) * size
                                let to = ((c.origin[1] + r) * columns + c.origin[2]) * size
                                (out.baseAddress! + to).copyMemory(from: src.baseAddress! + from, byteCount: width)
                            }
                        }
                    }
                }
                return try frame.withUnsafeBytes { try body($0, pixelType, bigEndian) }
            default:
                // Compact, virtual, or 2-D chunked: the whole dataset (one frame, or mapped), sliced.
                let all = try ReadConfinement.with(confinement) { try h5.rawData(d) }
                guard (k + 1) * count * size <= all.count else { throw RoentgenError.badFile(file, byteOffset: address, "\(path) holds fewer bytes than its shape") }
                return try all.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[k * count * size..<(k + 1) * count * size]), pixelType, bigEndian) }
            }
        }
    }

    /// Reads frames `range` of a contiguous dataset into the page cache by touching one byte of
    /// each page of the mapped file, in order, so that the caller (a read-ahead thread) waits for
    /// the disk and the integrating threads find the frames in memory. Plain sequential touches
    /// keep the kernel's readahead streaming; `madvise(MADV_WILLNEED)` per frame was measured
    /// slower (1.2 against 1.7–2.2 GB/s here). No effect for chunked data.
    ///
    /// The bytes read are added into an atomic (`touched`): a plain sum handed to an empty
    /// function was dropped by the optimiser, loop and all (until session 10 this touched nothing
    /// in release builds).
    public func prefetch(frames range: Range<Int>) {
        let frameBytes = rows * columns * pixelType.size
        let lower = max(0, range.lowerBound), upper = min(frameCount, range.upperBound)
        guard lower < upper, let at = contiguousOffset else { return }
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let start = at + lower * frameBytes, end = min(raw.count, at + upper * frameBytes)
            guard start >= 0, start < end else { return }
            var sum: UInt8 = 0
            for offset in stride(from: start, to: end, by: Self.pageSize) { sum &+= raw[offset] }
            Self.touched.wrappingAdd(sum, ordering: .relaxed)
        }
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The sum of the bytes `prefetch` touched (an observable side effect, so the reads stay).
    private static let touched = Atomic<UInt8>(0)

    /// The values and shape of the numeric dataset at `path` in the stack's file (a monitor or
    /// other per-frame value beside the frames); errors name the file and say what `path` is.
    public func numericDataset(_ path: String, purpose: String) throws -> (values: [Double], dims: [Int]) {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> ([Double], [Int]) in
            let h5 = try HDF5File(raw, file: file)
            var warnings: [String] = []
            let tree = try HDF5Reader.walk(h5, warnings: &warnings)
            guard let i = HDF5Reader.resolve(path, in: tree) else {
                throw RoentgenError(.badParameter, "--\(purpose)-name: no object '\(path)' in the HDF5 file", file: file)
            }
            guard let d = tree[i].dataset else {
                throw RoentgenError(.badParameter, "--\(purpose)-name: '\(path)' is a group, not a dataset", file: file)
            }
            guard d.type.isNumeric else {
                throw RoentgenError(.badParameter, "--\(purpose)-name: '\(path)' is \(d.type.description), not numeric", file: file)
            }
            guard d.space.count >= 1 else {
                throw RoentgenError(.badParameter, "--\(purpose)-name: '\(path)' is empty", file: file)
            }
            // One value per frame at most (a path to the frames themselves is refused before they are read).
            guard d.space.dims.count <= 1 || d.space.dims.filter({ $0 != 1 }).count <= 1 else {
                throw RoentgenError(.badParameter, "--\(purpose)-name: '\(path)' is a dataset of shape \(d.space.dims); a scalar or one value per frame (1-D) expected", file: file)
            }
            return (try h5.numbers(d), d.space.dims)
        }
    }

    /// Frames `range` (default all) as a `DetectorImage`.
    public func image(frames range: Range<Int>? = nil) throws -> DetectorImage {
        var image = template
        image.frames = try (range ?? 0..<frameCount).map { try frame($0) }
        return image
    }

    /// Geometry from NeXus detector values: metres from their units (m, mm, um, nm; pixel
    /// counts for a beam centre in pixels), wavelength in Å or nm.
    static func applyGeometry(_ header: OrderedDictionary<String, String>, to image: inout DetectorImage) {
        // Of several fields of one name (a beamline's metadata copy beside the NXmonochromator's), the
        // first that states its units, else the first.
        func value(_ name: String) -> (Double, String)? {
            let found = header.filter { $0.key.hasSuffix("/" + name) }.compactMap { entry -> (Double, String)? in
                let parts = entry.value.split(separator: " ")
                guard let v = parts.first.flatMap({ Double($0) }) else { return nil }
                return (v, parts.dropFirst().joined(separator: " ").lowercased())
            }
            return found.first { !$0.1.isEmpty } ?? found.first
        }
        func metres(_ v: (Double, String)?) -> Double? {
            guard let (x, unit) = v else { return nil }
            switch unit {
            case "m", "meter", "metre", "meters": return x
            case "mm", "millimeter", "millimetre": return x * 1e-3
            case "um", "µm", "micron", "microns", "micrometer": return x * 1e-6
            case "nm": return x * 1e-9
            default: return nil
            }
        }
        if let px = metres(value("x_pixel_size")), let py = metres(value("y_pixel_size")), px > 0, py > 0 {
            image.pixelSize = (pixel1: py, pixel2: px)
        }
        if let d = metres(value("distance")), d > 0 { image.distance = d }
        if let (w, unit) = value("incident_wavelength") ?? value("wavelength"), w > 0 {
            image.wavelength = unit.hasPrefix("a") || unit.isEmpty ? w * 1e-10 : unit == "nm" ? w * 1e-9 : unit == "m" ? w : nil
        }
        if let (x, ux) = value("beam_center_x"), let (y, _) = value("beam_center_y") {
            if ux.hasPrefix("pixel") { image.beamCenter = (x: x, y: y) }   // no unit: mm or pixels, unknown
        }
        if let (t, _) = value("count_time") { image.exposureTime = t }
    }
}
