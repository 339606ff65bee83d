import Foundation
import XrayCore

/// Reading 2-D detector images: the format from the content, then its reader (TIFF, CBF, EDF,
/// mar345, or the frames of an HDF5/NeXus dataset; and Fit2D `.msk` masks).
public enum DetectorImages {
    /// The image formats, as `DetectorImage.format` names them.
    public static let formats = ["tiff", "cbf", "edf", "mar345", "hdf5", "fit2d-mask"]

    /// The image format of a file's first bytes (and lower-case suffix), or nil.
    public static func format(of head: Data, suffix: String) -> String? {
        if TIFFImageReader.isTIFF(head) { return TIFFImageReader.id }
        if PatternText.contains(head.prefix(16), "###CBF") { return CBFImageReader.id }
        if EDFImageReader.isEDF(head, suffix: suffix) { return EDFImageReader.id }
        if Mar345ImageReader.isMar345(head) { return Mar345ImageReader.id }
        if Fit2DMaskReader.isFit2DMask(head) { return Fit2DMaskReader.id }
        if head.prefix(4096).withUnsafeBytes({ HDF5File.signatureOffset($0) }) != nil { return "hdf5" }
        return nil
    }

    /// Reads every frame of an image file held in `data` (for HDF5, of `dataset` or the default one).
    public static func read(_ data: Data, file: String, dataset: String? = nil) throws -> DetectorImage {
        switch format(of: data.prefix(4096), suffix: FileName.suffix(file)) {
        case "tiff": return try TIFFImageReader.read(data, file: file)
        case "cbf": return try CBFImageReader.read(data, file: file)
        case "edf": return try EDFImageReader.read(data, file: file)
        case "mar345": return try Mar345ImageReader.read(data, file: file)
        case "fit2d-mask": return try Fit2DMaskReader.read(data, file: file)
        case "hdf5": return try HDF5ImageStack(data: data, file: file, dataset: dataset).image()
        default:
            throw RoentgenError(.unsupportedFormat, "not a detector image: TIFF, CBF, EDF, mar345, HDF5 or a Fit2D mask expected", file: file, byteOffset: 0)
        }
    }

    /// The bytes of `url` (memory-mapped when large).
    static func contents(_ url: URL) throws -> Data {
        let path = url.path
        guard FormatRegistry.isRegularFile(path) else {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "not a regular file" : "no such file", file: path)
        }
        do {
            return try Data(contentsOf: url, options: FormatRegistry.fileSize(path) > FormatRegistry.mappingThreshold ? .alwaysMapped : [])
        } catch {
            throw RoentgenError(.io, "file is not readable", file: path)
        }
    }

    /// The image format of the file at `url` from its first 4 KiB, without reading the rest: a
    /// missing, unreadable or non-image file is an error naming it.
    public static func format(of url: URL) throws -> String {
        let path = url.path
        guard FormatRegistry.isRegularFile(path) else {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: path) ? "not a regular file" : "no such file", file: path)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RoentgenError(.io, "file is not readable", file: path) }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        guard let format = format(of: head ?? Data(), suffix: FileName.suffix(path)) else {
            throw RoentgenError(.unsupportedFormat, "not a detector image: TIFF, CBF, EDF, mar345, HDF5 or a Fit2D mask expected", file: path, byteOffset: 0)
        }
        return format
    }

    /// Reads every frame of the image file at `url`.
    public static func read(_ url: URL, dataset: String? = nil) throws -> DetectorImage {
        try read(contents(url), file: url.path, dataset: dataset)
    }

    /// Reads a mask image (nonzero pixels are left out): an image file's first frame or, for an
    /// HDF5/NeXus file, its NXdetector `pixel_mask` where it has one (the detector's own bit
    /// field of gaps, dead and hot pixels), else its only image dataset.
    public static func readMask(_ url: URL) throws -> DetectorImage {
        let data = try contents(url)
        guard format(of: data.prefix(4096), suffix: FileName.suffix(url.path)) == "hdf5" else { return try read(data, file: url.path) }
        return try read(data, file: url.path, dataset: try HDF5ImageStack.detectorPixelMask(data: data, file: url.path))
    }

    /// Opens the image file at `url` for reading frame by frame: an HDF5 stack stays on disk
    /// (or mapped) and is decoded one frame at a time; other formats are read whole.
    /// `storedPixels`: the integer frames of a CBF, EDF, TIFF or mar345 file are kept as the file stores
    /// them (`.stored`, `StoredFrames`): a quarter to a half of the memory of doubles, read in place
    /// by the integration.
    public static func open(_ url: URL, dataset: String? = nil, storedPixels: Bool = false) throws -> DetectorImageSource {
        let data = try contents(url)
        let kind = format(of: data.prefix(4096), suffix: FileName.suffix(url.path))
        if kind == "hdf5" {
            return .stack(try HDF5ImageStack(data: data, file: url.path, dataset: dataset))
        }
        let storedReaders: [String: (Data, String) throws -> (image: DetectorImage, stored: StoredFrames?)] = [
            CBFImageReader.id: CBFImageReader.readStored, EDFImageReader.id: EDFImageReader.readStored,
            TIFFImageReader.id: TIFFImageReader.readStored, Mar345ImageReader.id: Mar345ImageReader.readStored,
        ]
        if storedPixels, dataset == nil, let kind, let readStored = storedReaders[kind] {
            let (image, stored) = try readStored(data, url.path)
            return stored.map { .stored(image, $0) } ?? .image(image)
        }
        if dataset != nil {
            throw RoentgenError(.badParameter, "--dataset applies to HDF5 files; this is a \(format(of: data.prefix(4096), suffix: FileName.suffix(url.path)) ?? "non-image") file", file: url.path)
        }
        return .image(try read(data, file: url.path))
    }
}

/// Frames to be read one at a time: an image in memory, or an HDF5 stack.
public enum DetectorImageSource: Sendable {
    case image(DetectorImage)
    case stack(HDF5ImageStack)
    /// Integer frames as the file stores them (a Pilatus CBF's int32, an EDF's or a TIFF's integers),
    /// with the image's header and geometry (`frames` empty).
    case stored(DetectorImage, StoredFrames)

    /// The image's shape, type, header and geometry (frames not loaded for a stack).
    public var template: DetectorImage {
        switch self {
        case .image(var i): i.frames = []; return i
        case .stack(let s): return s.template
        case .stored(let i, _): return i
        }
    }

    public var frameCount: Int {
        switch self {
        case .image(let i): return i.frames.count
        case .stack(let s): return s.frameCount
        case .stored(_, let frames): return frames.count
        }
    }

    /// Frame `k` as `rows × columns` values.
    public func frame(_ k: Int) throws -> [Double] {
        switch self {
        case .image(let i):
            guard k >= 0, k < i.frames.count else { throw RoentgenError.badParameter("frame \(k): the image has \(i.frames.count) frames") }
            return i.frames[k]
        case .stack(let s): return try s.frame(k)
        case .stored(_, let frames): return try frames.frame(k)
        }
    }

    /// Starts reading frames `range` of a stack from disk in the background (`HDF5ImageStack.prefetch`).
    public func prefetch(frames range: Range<Int>) {
        if case .stack(let s) = self { s.prefetch(frames: range) }
    }

    /// Calls `body` with frame `k`'s bytes, its element type and byte order: a stack frame as
    /// the file stores it (read in place when contiguous), an image's frame as `Double` values.
    public func withFrameBytes<R>(_ k: Int, _ body: (UnsafeRawBufferPointer, DetectorImage.PixelType, Bool) throws -> R) throws -> R {
        switch self {
        case .image(let i):
            guard k >= 0, k < i.frames.count else { throw RoentgenError.badParameter("frame \(k): the image has \(i.frames.count) frames") }
            return try i.frames[k].withUnsafeBytes { try body($0, .float64, false) }
        case .stack(let s): return try s.withFrameBytes(k, body)
        case .stored(_, let frames):
            return try frames.withFrameBytes(k) { try body($0, frames.type, StoredFrames.hostIsBigEndian) }
        }
    }
}
