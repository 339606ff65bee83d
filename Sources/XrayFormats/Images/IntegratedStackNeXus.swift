import Foundation
import XrayCore

/// A stack of azimuthally integrated patterns (one per detector frame, or one cake per frame)
/// as a NeXus/HDF5 file, written by `HDF5Writer`:
///
/// ```
/// /                      default = "entry"
/// /entry                 NXentry, default = "data"
///   /data                NXdata, signal = "intensity", axes = ["frame", <radial>] (cakes: ["frame", "chi", <radial>];
///                        fiber maps: ["frame", <out-of-plane>, <in-plane>], e.g. qoop and qip)
///     intensity          float64 (frames, npt) or (frames, npt_azim, npt), units "arbitrary units"
///     intensity_errors   float64, same shape: σ per bin (NeXus' <signal>_errors); absent without an error model
///     <radial>           float64 (npt) bin centres: "2th" (degree), "q" (1/angstrom or 1/nm) or "r" (mm)
///     chi                float64 (npt_azim) azimuthal bin centres, degree (cakes only)
///     frame              int64 (frames) the frame index within its source file
///     masked_pixels      int64 (frames)
///     normalization_factor float64 (frames): what each frame's intensities were divided by (monitor × factor); only when normalised
///     source             strings (frames): the image file of each frame
///   /process             NXprocess: program, version, date, method, unit, error_model, and the geometry (NXnote, PONI text)
/// ```
public struct IntegratedStackNeXus: Sendable {
    /// The radial axis: NeXus name (`2th`, `q`, `r`), unit (`degree`, `1/angstrom`, `1/nm`, `mm`)
    /// and the pyFAI unit label (`2th_deg` …), with the bin centres.
    public var radialName: String
    public var radialUnits: String
    public var radialLabel: String
    public var radial: [Double]
    /// Azimuthal bin centres in degrees (empty for 1-D patterns); a fiber map's out-of-plane bins in their unit.
    public var azimuthal: [Double] = []
    /// The second axis of 2-D results: NeXus name, units and label (χ by default; a fiber map's out-of-plane axis).
    public var azimuthalAxis: (name: String, units: String, label: String) = ("chi", "degree", "chi_deg")
    /// Per frame: intensity (npt values, or npt_azim × npt azimuth-major), σ (same size, or empty).
    public private(set) var intensity: [Double] = []
    public private(set) var sigma: [Double] = []
    public private(set) var frames: [Int] = []
    public private(set) var maskedPixels: [Int] = []
    public private(set) var sources: [String] = []
    /// Each frame's normalisation factor (monitor × constant factor), 1 where none was applied.
    public private(set) var normalizationFactors: [Double] = []
    /// What `/entry/process` records (method, error model, corrections …): name → text.
    public var process: [(String, String)] = []
    /// The geometry used, as PONI text.
    public var poni: String = ""

    public init(radialName: String, radialUnits: String, radialLabel: String, radial: [Double], azimuthal: [Double] = []) {
        self.radialName = radialName
        self.radialUnits = radialUnits
        self.radialLabel = radialLabel
        self.radial = radial
        self.azimuthal = azimuthal
    }

    /// Values per pattern.
    public var binsPerFrame: Int { radial.count * max(1, azimuthal.count) }
    public var count: Int { frames.count }

    /// Appends one frame's pattern. Every pattern must share the stack's bins and error model.
    public mutating func append(intensity i: [Double], sigma s: [Double], radial r: [Double], azimuthal a: [Double],
                                frame: Int, maskedPixels masked: Int, source: String, normalizationFactor: Double? = nil) throws {
        guard r == radial, a == azimuthal, i.count == binsPerFrame else {
            throw RoentgenError(.badParameter, "the pattern of frame \(frame) has other bins than the first pattern of the stack (\(r.count) radial × \(max(1, a.count)) vs \(radial.count) × \(max(1, azimuthal.count)), or a different range); write one file per image instead", file: source)
        }
        guard s.isEmpty ? sigma.isEmpty : (s.count == i.count && sigma.count == intensity.count) else {
            throw RoentgenError(.badParameter, "frame \(frame): σ missing in some patterns of the stack", file: source)
        }
        intensity += i
        sigma += s
        frames.append(frame)
        maskedPixels.append(masked)
        sources.append(source)
        normalizationFactors.append(normalizationFactor ?? 1)
    }

    /// The file's bytes.
    public func data(program: String = "roentgen integrate", date: Date = Date()) throws -> Data {
        guard !frames.isEmpty else { throw RoentgenError.badParameter("no pattern to write") }
        var h5 = HDF5Writer()
        let cake = !azimuthal.isEmpty
        let shape = cake ? [frames.count, azimuthal.count, radial.count] : [frames.count, radial.count]
        h5.setRootAttributes([("default", .string("entry")), ("creator", .string(program)), ("NX_class", .string("NXroot"))])
        try h5.createGroup("/entry", attributes: [("NX_class", .string("NXentry")), ("default", .string("data"))])
        let axes = cake ? ["frame", azimuthalAxis.name, radialName] : ["frame", radialName]
        var dataAttributes: [(String, HDF5WriteValue)] = [("NX_class", .string("NXdata")), ("signal", .string("intensity")),
                                                           ("axes", .strings(axes)), ("frame_indices", .int64([0]))]
        if cake { dataAttributes.append(("\(azimuthalAxis.name)_indices", .int64([1]))) }
        dataAttributes.append(("\(radialName)_indices", .int64([Int64(cake ? 2 : 1)])))
        try h5.createGroup("/entry/data", attributes: dataAttributes)
        try h5.createDataset("/entry/data/intensity", .float64(intensity), shape: shape,
                             attributes: [("units", .string("arbitrary units")), ("interpretation", .string(cake ? "image" : "spectrum"))])
        if !sigma.isEmpty {
            try h5.createDataset("/entry/data/intensity_errors", .float64(sigma), shape: shape,
                                 attributes: [("units", .string("arbitrary units")), ("long_name", .string("sigma (standard error of the bin mean)"))])
        }
        try h5.createDataset("/entry/data/\(radialName)", .float64(radial),
                             attributes: [("units", .string(radialUnits)), ("long_name", .string(radialLabel))])
        if cake {
            try h5.createDataset("/entry/data/\(azimuthalAxis.name)", .float64(azimuthal),
                                 attributes: [("units", .string(azimuthalAxis.units)), ("long_name", .string(azimuthalAxis.label))])
        }
        try h5.createDataset("/entry/data/frame", .int64(frames.map(Int64.init)))
        try h5.createDataset("/entry/data/masked_pixels", .int64(maskedPixels.map(Int64.init)))
        try h5.createDataset("/entry/data/source", .strings(sources))
        if normalizationFactors.contains(where: { $0 != 1 }) {
            try h5.createDataset("/entry/data/normalization_factor", .float64(normalizationFactors),
                                 attributes: [("long_name", .string("the frame's intensities were divided by this (monitor x normalization factor)"))])
        }
        try h5.createGroup("/entry/process", attributes: [("NX_class", .string("NXprocess"))])
        try h5.createDataset("/entry/process/program", .string(program))
        try h5.createDataset("/entry/process/date", .string(ISO8601DateFormatter().string(from: date)))
        for (name, text) in process { try h5.createDataset("/entry/process/\(name)", .string(text)) }
        try h5.createGroup("/entry/process/geometry", attributes: [("NX_class", .string("NXnote"))])
        try h5.createDataset("/entry/process/geometry/type", .string("text/plain"))
        try h5.createDataset("/entry/process/geometry/data", .string(poni.isEmpty ? "(none)" : poni))
        return try h5.data()
    }
}
