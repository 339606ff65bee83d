import Foundation
import Integration
import XrayCore
import XrayFormats

/// `roentgen integrate`'s work, shared with the API's `/api/integrate`: azimuthal integration of
/// detector images with a PONI geometry as pyFAI does it. Every frame of every image gives one
/// pattern; the geometry (and its pixel → bin matrix) is built once per image shape, and the
/// frames of a stack are integrated in parallel, one frame per thread.
public enum IntegrateOperations {
    /// The options of `roentgen integrate` (snake_case keys in the API).
    public struct Request: OperationRequest {
        /// Images (TIFF, CBF, EDF, mar345, HDF5/NeXus).
        public var images: [String] = []
        /// PONI geometry file (pyFAI v1 or v2).
        public var poni = ""
        /// Fit2D distortion spline file (replaces the PONI's `SplineFile`; `none` drops it).
        public var spline: String?
        /// The detector's sensor for the parallax correction, pyFAI's short form (`Si,1000um`, `CdTe,1mm`, `CdTe`
        /// for a thick one): replaces the PONI's and switches the correction on; `none` switches it off.
        public var sensor: String?
        /// The detector, by a name pyFAI knows (`Pilatus1M`, `Eiger2_4M`, `MAR165` …), for a PONI that names none (or
        /// another): its built-in mask (module gaps, a round plate's outside) for the PONI's pixel size.
        public var detector: String?
        /// Mask image: nonzero pixels are left out.
        public var mask: String?
        /// Pixels equal to this value are left out.
        public var dummy: Double?
        /// With `dummy`: pixels within this of it are left out (pyFAI's `delta_dummy`).
        public var deltaDummy: Double?
        /// Number of radial bins.
        public var npt = 1000
        /// Radial unit: 2th_deg, q_A^-1, q_nm^-1 or r_mm.
        public var unit = "2th_deg"
        /// Radial range `A:B` in the unit (default: from the pixels, as pyFAI).
        public var radialRange: String?
        /// Azimuthal range `A:B` in degrees (χ): a 1-D pattern of that sector, or the cake's χ span.
        public var azimuthRange: String?
        /// Pixel splitting: no (histogram), bbox or full.
        public var method = "no"
        /// Polarisation fraction (pyFAI's polarization_factor); none by default.
        public var polarization: Double?
        public var noSolidAngle = false
        /// Keep the negative pixels of signed-integer images (masked by default: Pilatus/Eiger gaps, bad pixels).
        public var keepNegative = false
        public var dark: String?
        public var flat: String?
        /// HDF5 dataset of frames.
        public var dataset: String?
        /// Frames of each image to integrate (`FrameSelection`: K, A:B, A:, :B); nil: every frame.
        public var frames: String?
        /// The API's output file for its one pattern (.xy without σ, .xye, or .json; a cake always JSON), as `-o` writes
        /// one; the CLI handles `-o` itself (folders, NeXus files).
        public var output: String?
        /// The API's: replace an existing `output` file (without it the server refuses, 409); the CLI always replaces.
        public var overwrite = false
        /// Azimuthal bins: a 2-D cake instead of a pattern.
        public var nptAzim: Int?
        /// Error model: poisson, azimuthal, hybrid or none.
        public var errors = "poisson"
        /// Threads: per frame for a single image, frames in parallel for a stack.
        public var threads = 2
        /// Sigma clipping (pyFAI's `sigma_clip`): the cut-off in standard deviations; none by default.
        public var sigmaClip: Double?
        /// Sigma clipping's passes at most (pyFAI's `max_iter`).
        public var clipIterations = 5
        /// The azimuthal profile I(χ) (pyFAI's `integrate_radial`): a cake summed over its radial range.
        public var chiProfile = false
        /// A monitor per frame the intensities are divided by (pyFAI-integrate's `--monitor-name`):
        /// an HDF5 dataset path, or a header key (EDF `counter/mnemonic` through `counter_mne`/`counter_pos`).
        public var monitorName: String?
        /// A constant the intensities are divided by (pyFAI's `normalization_factor`; with a monitor, their product).
        public var normalizationFactor: Double?
        /// Grazing-incidence / fiber integration (pyFAI's `FiberIntegrator`): a map of in-plane × out-of-plane
        /// bins (`unitIp` × `unitOop`, `nptIp` × `nptOop`), or with `fiberProfile` a cut through it. Implied by any
        /// of the options below.
        public var fiber = false
        /// The incident angle η in degrees (default 0).
        public var incidentAngle: Double?
        /// The tilt angle τ in degrees (default 0).
        public var tiltAngle: Double?
        /// EXIF orientation 1–8 of the fiber axis / film normal on the image (default 1).
        public var sampleOrientation: Int?
        /// In-plane axis unit (`FiberUnit`, default qip_nm^-1) and out-of-plane one (default qoop_nm^-1).
        public var unitIp: String?
        public var unitOop: String?
        /// Bins of each axis (default 1000 each, as pyFAI's `integrate2d_fiber`).
        public var nptIp: Int?
        public var nptOop: Int?
        /// Ranges `A:B` of each axis in its unit (default: from the unmasked pixels).
        public var ipRange: String?
        public var oopRange: String?
        /// A profile instead of the map: `oop` along the out-of-plane axis summed over the in-plane range (pyFAI's
        /// `integrate_fiber`, `vertical_integration=True`), `ip` the other way.
        public var fiberProfile: String?
        /// pyFAI's `MultiGeometry`: the images, each with its own geometry (`ponis`, one per image; or `poni` for all),
        /// integrated into one pattern on common bins (`MultiGeometry`).
        public var multiGeometry = false
        /// The images' PONI files for `multiGeometry`, in the images' order.
        public var ponis: [String] = []
        public init(images: [String], poni: String) { self.images = images; self.poni = poni }
        public static var defaults: Request { Request(images: [], poni: "") }
    }

    /// One integrated frame.
    public struct Frame {
        public var path: String
        /// Frame index within its image (0 for a single frame).
        public var index: Int
        public var result: IntegrationResult
        public var context: IntegrationOutput.Context
        /// The integrator that made it (cached per image shape), for re-running the frame.
        public var integrator: AzimuthalIntegrator
        /// The image the frame came from (`source.frame(index)` reads it again).
        public var source: DetectorImageSource
        public var dark: [Double]?
        public var validity: AzimuthalIntegrator.ValidityRule
        /// Whether this is the last frame of its image (its context then holds every note of the image).
        public var isLastOfImage: Bool
        /// `roentgen integrate --json`'s object for this frame.
        public var json: String { IntegrationOutput.json(result, context: context) }

        /// The bytes `-o` writes: a cake or fiber map to `.edf` as pyFAI's `save2D` writes one (fabio, Dioptas and Fit2D
        /// read it): the intensities as a float32 image, rows the azimuthal (out-of-plane) bins, σ as a second frame
        /// (`EDF_DataBlockID = 1.Image.Error`), and header keys `<unit>_min`/`_max` of both axes (pyFAI's names; its
        /// own file repeats the second axis' `_min` for the `_max`), the corrections as pyFAI names them, the PONI
        /// geometry (`dist`, `poni1`, `poni2`, `rot1`–`rot3` in m and rad, `wavelength`), the fiber angles, and the
        /// source; any other suffix `fileText`. Throws for a 1-D pattern to `.edf`.
        public func fileData(suffix: String, geometry g: PONIGeometry, options: IntegrationOptions) throws -> Data {
            guard suffix == "edf" else { return Data(fileText(suffix: suffix, geometry: g, options: options).utf8) }
            let r = result
            guard !r.azimuthal.isEmpty else {
                throw RoentgenError.badParameter("an EDF file holds a 2-D cake or fiber map; write a 1-D pattern as .xy, .xye or .json")
            }
            func range(_ v: [Double]) -> (String, String) { ("\(v.min() ?? 0)", "\(v.max() ?? 0)") }
            let (r0, r1) = range(r.radial), (a0, a1) = range(r.azimuthal)
            var header: [(String, String)] = [("EDF_DataBlockID", "0.Image.Psd"), ("Engine", "Roentgen, \(IntegrationOutput.methodText(options))"),
                                              ("\(r.axisLabel)_min", r0), ("\(r.axisLabel)_max", r1),
                                              ("\(r.azimuthalAxisLabel)_min", a0), ("\(r.azimuthalAxisLabel)_max", a1),
                                              ("has_mask_applied", context.maskApplied ? "True" : "False"),
                                              ("has_dark_correction", context.darkApplied ? "True" : "False"),
                                              ("has_flat_correction", context.flatApplied ? "True" : "False"),
                                              ("has_solid_angle_correction", options.correctSolidAngle ? "True" : "False"),
                                              ("polarization_factor", options.polarizationFactor.map { "\($0)" } ?? "None"),
                                              ("normalization_factor", "\(context.normalizationFactor ?? 1.0)"),
                                              ("error_model", options.errorModel.rawValue),
                                              ("dist", "\(g.distance)"), ("poni1", "\(g.poni1)"), ("poni2", "\(g.poni2)"),
                                              ("rot1", "\(g.rot1)"), ("rot2", "\(g.rot2)"), ("rot3", "\(g.rot3)"),
                                              ("pixel1", "\(g.pixel1)"), ("pixel2", "\(g.pixel2)"),
                                              ("wavelength", g.wavelength.map { "\($0)" } ?? "None"),
                                              ("masked_pixels", "\(r.maskedPixels)"), ("source", context.source)]
            if let frame = context.frame { header.append(("source_frame", "\(frame)")) }
            if let f = r.fiber {
                header += [("incident_angle_deg", "\(f.geometry.incidentAngle * 180 / .pi)"), ("tilt_angle_deg", "\(f.geometry.tiltAngle * 180 / .pi)"),
                           ("sample_orientation", "\(f.geometry.sampleOrientation)")]
            }
            let frames = r.sigma.isEmpty ? [r.intensity] : [r.intensity, r.sigma]
            return EDFWriter.data(frames, rows: r.azimuthal.count, columns: r.radial.count, type: .float32,
                                  headers: [header, [("EDF_DataBlockID", "1.Image.Error")]])
        }

        /// The file `-o` writes for this pattern, by the file's suffix: `.json` (and any cake) the JSON object with a
        /// newline, `.xy` the pyFAI-style header and columns without σ, anything else (`.xye`, `.dat`) with σ.
        public func fileText(suffix: String, geometry: PONIGeometry, options: IntegrationOptions) -> String {
            if suffix == "json" || !result.azimuthal.isEmpty { return json + "\n" }
            return IntegrationOutput.columns(result, geometry: geometry, options: options, context: context, withSigma: suffix != "xy")
        }
    }

    /// The checked geometry, options and opened images of a request.
    public struct Plan {
        public var request: Request
        public var geometry: PONIGeometry
        public var options: IntegrationOptions
        /// The images opened here: HDF5 stacks (their frames stay on disk) and a single image; the
        /// other images of a run of several are read when their turn comes (`ImageReadAhead`), so
        /// that thousands of single-frame files are never held in memory together.
        var opened: [DetectorImageSource?]
        /// Patterns in all: every frame of the images opened here, one per image not yet read
        /// (a multi-frame EDF or TIFF among several images gives more).
        public var total: Int
        var maskImage: DetectorImage?
        var darkImage: DetectorImage?
        var flatImage: DetectorImage?
        /// Each opened image's monitor per frame (`--monitor-name`), read and checked before any
        /// frame is integrated (the other images': when they are read).
        var monitors: [[Double]?]
        /// A multi-geometry request's geometry per image (empty otherwise).
        public var geometries: [PONIGeometry] = []
    }

    /// A PONI file's geometry with the request's spline, sensor and detector applied.
    static func loadGeometry(_ path: String, _ r: Request) throws -> PONIGeometry {
        guard let poniText = try? String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8) else {
            throw RoentgenError(.io, "cannot read the PONI file", file: path)
        }
        var geometry = try DistortionSplines.attach(try PONIGeometry.parse(poniText, file: path), poni: path, override: r.spline)
        if let sensor = r.sensor { geometry = try geometry.withSensor(sensor) }
        if let name = r.detector { geometry.detector = try DetectorModel.option(name).name }
        _ = try geometry.parallaxCorrection()   // no wavelength, or an energy beyond the sensor's tables: said now
        return geometry
    }

    /// Checks the request and opens its files (errors name the option or the file).
    public static func plan(_ r: Request) throws -> Plan {
        guard !r.images.isEmpty else { throw RoentgenError.badParameter("name at least one image to integrate") }
        guard let unit = RadialUnit(rawValue: r.unit) else { throw RoentgenError.badParameter("--unit \(r.unit): use 2th_deg, q_A^-1, q_nm^-1 or r_mm") }
        guard let splitting = PixelSplitting(rawValue: r.method) else { throw RoentgenError.badParameter("--method \(r.method): use no, bbox or full") }
        guard let errorModel = ErrorModel(rawValue: r.errors) else { throw RoentgenError.badParameter("--errors \(r.errors): use poisson, azimuthal, hybrid or none") }
        if !r.ponis.isEmpty && !r.multiGeometry {
            throw RoentgenError.badParameter("several PONI files: give --multi-geometry to integrate the images, each with its own, into one pattern")
        }
        if r.multiGeometry && !r.ponis.isEmpty && r.ponis.count != r.images.count {
            throw RoentgenError.badParameter("--multi-geometry: \(r.ponis.count) PONI files for \(r.images.count) images; give one per image, in the same order (or one for all)")
        }
        let geometries = r.multiGeometry ? try (r.ponis.isEmpty ? Array(repeating: r.poni, count: r.images.count) : r.ponis).map { try loadGeometry($0, r) } : []
        let geometry = try geometries.first ?? loadGeometry(r.poni, r)
        var options = IntegrationOptions()
        options.npt = r.npt
        options.unit = unit
        options.splitting = splitting
        options.errorModel = errorModel
        options.polarizationFactor = r.polarization
        options.correctSolidAngle = !r.noSolidAngle
        guard r.threads >= 1, r.threads <= 256 else { throw RoentgenError.badParameter("--threads \(r.threads): 1 to 256") }
        options.threads = r.threads
        if let text = r.radialRange { options.radialRange = try range(text, option: "--radial-range") }
        if let text = r.azimuthRange {
            let a = try range(text, option: "--azimuth-range")
            guard a.lowerBound >= -180, a.upperBound <= 180 else {
                throw RoentgenError.badParameter("--azimuth-range \(text): χ runs from -180 to 180 degrees (pyFAI's convention)")
            }
            options.azimuthRange = a
        }
        if let n = r.nptAzim { options.nptAzimuthal = n }
        if r.chiProfile && r.sigmaClip != nil { throw RoentgenError.badParameter("--chi-profile and --sigma-clip: sigma clipping gives 1-D radial patterns only") }
        if let t = r.sigmaClip { options.sigmaClip = SigmaClip(threshold: t, maxIterations: r.clipIterations) }
        else if r.clipIterations != SigmaClip().maxIterations { throw RoentgenError.badParameter("--clip-iterations \(r.clipIterations) without --sigma-clip") }
        if let f = r.normalizationFactor, !(f.isFinite && f > 0) {
            throw RoentgenError.badParameter("--normalization-factor \(f): a finite positive number (the intensities are divided by it)")
        }
        if let name = r.monitorName, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw RoentgenError.badParameter("--monitor-name is empty: name an HDF5 dataset or a header key")
        }
        if let delta = r.deltaDummy {
            guard r.dummy != nil else { throw RoentgenError.badParameter("--delta-dummy \(delta) without --dummy") }
            guard delta.isFinite, delta >= 0 else { throw RoentgenError.badParameter("--delta-dummy \(delta): a finite number ≥ 0") }
        }
        options.fiber = try fiberIntegration(r)
        if options.fiber != nil {
            options.npt = r.nptIp ?? 1000
            options.nptAzimuthal = r.nptOop ?? 1000
            if let text = r.ipRange { options.radialRange = try range(text, option: "--ip-range") }
            for (n, name) in [(options.npt, "--npt-ip"), (options.nptAzimuthal, "--npt-oop")] where !(1...65_536).contains(n) {
                throw RoentgenError.badParameter("\(name) \(n): 1 to 65536 bins")
            }
            for u in [options.fiber!.inPlaneUnit, options.fiber!.outOfPlaneUnit] where u.needsWavelength && geometry.wavelength == nil {
                throw RoentgenError(.badParameter, "\(u.rawValue) needs a wavelength, and the PONI file has no Wavelength line; add it, or use the exit angles (exit_angle_horz_deg, exit_angle_vert_deg)", file: r.poni)
            }
        }
        if options.fiber == nil && options.unit.needsWavelength && geometry.wavelength == nil {
            throw RoentgenError(.badParameter, "--unit \(r.unit) needs a wavelength, and the PONI file has no Wavelength line; integrate in 2th_deg or r_mm, or add the wavelength", file: r.poni)
        }
        let maskImage = try r.mask.map { try DetectorImages.readMask(URL(fileURLWithPath: $0)) }
        let darkImage = try r.dark.map { try DetectorImages.read(URL(fileURLWithPath: $0)) }
        let flatImage = try r.flat.map { try DetectorImages.read(URL(fileURLWithPath: $0)) }
        // Every file is checked to exist and to be an image now; HDF5 stacks and a single image are
        // opened (and fully checked) now, the rest when their turn comes.
        var opened: [DetectorImageSource?] = []
        for path in r.images {
            let url = URL(fileURLWithPath: path)
            let format = try DetectorImages.format(of: url)
            if format == "fit2d-mask" {
                throw RoentgenError(.badParameter, "a Fit2D mask file, not an image: give it as --mask", file: path)
            }
            if r.dataset != nil && format != "hdf5" {
                throw RoentgenError(.badParameter, "--dataset applies to HDF5 files; this is a \(format) file", file: path)
            }
            opened.append(r.images.count == 1 || format == "hdf5" ? try DetectorImages.open(url, dataset: r.dataset, storedPixels: true) : nil)
        }
        let selection = try r.frames.map(FrameSelection.init)
        let selectedCounts = try zip(r.images, opened).map { path, source in
            try source.map { try selection?.frames(of: $0.frameCount, file: path).count ?? $0.frameCount } ?? 1
        }
        let monitors = try zip(r.images, opened).map { path, source in try source.flatMap { try monitorValues(r.monitorName, source: $0, file: path) } }
        var plan = Plan(request: r, geometry: geometry, options: options, opened: opened, total: selectedCounts.reduce(0, +),
                        maskImage: maskImage, darkImage: darkImage, flatImage: flatImage, monitors: monitors)
        if r.multiGeometry {
            try checkMultiGeometry(r, options: options)
            let files = r.ponis.isEmpty ? Array(repeating: r.poni, count: r.images.count) : r.ponis
            for (g, file) in zip(geometries, files) where options.unit.needsWavelength && g.wavelength == nil {
                throw RoentgenError(.badParameter, "--unit \(r.unit) needs a wavelength, and the PONI file has no Wavelength line", file: file)
            }
            plan.geometries = geometries
            plan.total = 1
        }
        return plan
    }

    /// The fiber options of a request (nil when it asks for none), checked against the azimuthal ones they replace.
    static func fiberIntegration(_ r: Request) throws -> FiberIntegration? {
        let asked = r.fiber || r.incidentAngle != nil || r.tiltAngle != nil || r.sampleOrientation != nil || r.unitIp != nil
            || r.unitOop != nil || r.nptIp != nil || r.nptOop != nil || r.ipRange != nil || r.oopRange != nil || r.fiberProfile != nil
        guard asked else { return nil }
        let replaced: [(Bool, String, String)] = [
            (r.nptAzim != nil, "--npt-azim", "--npt-oop"), (r.chiProfile, "--chi-profile", "--fiber-profile"),
            (r.radialRange != nil, "--radial-range", "--ip-range"), (r.azimuthRange != nil, "--azimuth-range", "--oop-range"),
            (r.unit != Request.defaults.unit, "--unit", "--unit-ip and --unit-oop"), (r.npt != Request.defaults.npt, "--npt", "--npt-ip and --npt-oop"),
        ]
        for (given, option, instead) in replaced where given {
            throw RoentgenError.badParameter("\(option) is for azimuthal integration; a grazing-incidence / fiber integration takes \(instead)")
        }
        guard r.method == "no" else {
            throw RoentgenError.badParameter("--method \(r.method): grazing-incidence / fiber integration works without pixel splitting (pyFAI warns that split pixels give wrong maps); use --method no")
        }
        guard r.sigmaClip == nil else { throw RoentgenError.badParameter("--sigma-clip gives 1-D radial patterns; not with a fiber map") }
        guard r.errors == "poisson" || r.errors == "none" else {
            throw RoentgenError.badParameter("--errors \(r.errors): a fiber map or profile takes poisson or none (pyFAI's 2-D histogram gives σ = 0 for the azimuthal and hybrid models, so there is nothing to check them against)")
        }
        for (value, option) in [(r.incidentAngle, "--incident-angle"), (r.tiltAngle, "--tilt-angle")] {
            if let value, !(value.isFinite && abs(value) <= 360) { throw RoentgenError.badParameter("\(option) \(value): an angle in degrees, -360 to 360") }
        }
        var fiber = FiberIntegration(geometry: try FiberGeometry(incidentAngle: (r.incidentAngle ?? 0) * .pi / 180,
                                                                 tiltAngle: (r.tiltAngle ?? 0) * .pi / 180,
                                                                 sampleOrientation: r.sampleOrientation ?? 1))
        if let text = r.unitIp { fiber.inPlaneUnit = try FiberUnit.option(text, option: "--unit-ip") }
        if let text = r.unitOop { fiber.outOfPlaneUnit = try FiberUnit.option(text, option: "--unit-oop") }
        if let text = r.oopRange { fiber.outOfPlaneRange = try range(text, option: "--oop-range") }
        guard fiber.inPlaneUnit.quantity != fiber.outOfPlaneUnit.quantity else {
            throw RoentgenError.badParameter("--unit-ip \(fiber.inPlaneUnit.rawValue) and --unit-oop \(fiber.outOfPlaneUnit.rawValue) are the same quantity: a map needs two")
        }
        if let text = r.fiberProfile, FiberProfileAxis(rawValue: text) == nil {
            throw RoentgenError.badParameter("--fiber-profile \(text): oop (along the out-of-plane axis, summed over the in-plane range) or ip")
        }
        return fiber
    }

    /// What pyFAI's `MultiGeometry.integrate1d` does not take, refused naming the option.
    static func checkMultiGeometry(_ r: Request, options: IntegrationOptions) throws {
        guard r.images.count >= 1 else { throw RoentgenError.badParameter("--multi-geometry needs images") }
        let refused: [(Bool, String)] = [
            (r.nptAzim != nil, "--npt-azim"), (r.chiProfile, "--chi-profile"), (options.fiber != nil, "the fiber options"),
            (r.sigmaClip != nil, "--sigma-clip"), (r.dark != nil, "--dark"), (r.flat != nil, "--flat"), (r.monitorName != nil, "--monitor-name"),
            (r.errors == "azimuthal" || r.errors == "hybrid", "--errors \(r.errors)")
        ]
        for (given, option) in refused where given {
            throw RoentgenError.badParameter("--multi-geometry makes one 1-D pattern as pyFAI's MultiGeometry.integrate1d does; \(option) is not taken with it")
        }
    }

    /// pyFAI's `MultiGeometry.integrate1d`: every image (one frame each: a stack's `--frames K`) integrated with its own
    /// geometry over the common radial and χ ranges (`MultiGeometry.ranges` unless `--radial-range`/`--azimuth-range`
    /// fix them), masked as the single-image path masks it (the mask file, the detector's gaps, negative and dummy
    /// pixels), its normalisation multiplied by its absolute solid angle, and the sums added into one pattern.
    static func integrateMultiGeometry(_ plan: Plan, _ body: (Frame) throws -> Void) throws {
        let r = plan.request
        var sources: [DetectorImageSource] = []
        var frameIndex: [Int] = []
        for (n, path) in r.images.enumerated() {
            let source = try plan.opened[n] ?? DetectorImages.open(URL(fileURLWithPath: path), dataset: r.dataset, storedPixels: true)
            let selected = try r.frames.map { try FrameSelection($0).frames(of: source.frameCount, file: path) } ?? 0..<source.frameCount
            guard selected.count == 1 else {
                throw RoentgenError(.badParameter, "--multi-geometry takes one frame of each image; this one has \(selected.count) (choose one with --frames K)", file: path)
            }
            sources.append(source)
            frameIndex.append(selected.lowerBound)
        }
        var options = plan.options
        // Each geometry's pixel arrays, computed once: for the common ranges and for its integrator.
        let arrays = try zip(plan.geometries, sources).map { g, source in
            try AzimuthalIntegrator.arrays(g, rows: source.template.rows, columns: source.template.columns, options: options)
        }
        if options.radialRange == nil || options.azimuthRange == nil {
            let guessed = try MultiGeometry.ranges(arrays, unit: options.unit)
            options.radialRange = options.radialRange ?? guessed.radial
            options.azimuthRange = options.azimuthRange ?? guessed.chi
        }
        // The images are masked, their matrices built and integrated side by side (each is independent).
        let maskImage = plan.maskImage, dummy = r.dummy, deltaDummy = r.deltaDummy ?? 0, keepNegative = r.keepNegative
        let geometries = plan.geometries, paths = r.images, frames = frameIndex, memberOptions = options, opened = sources, pixelArrays = arrays
        final class Slots: @unchecked Sendable {
            let lock = NSLock()
            var done: [Result<(AzimuthalIntegrator, AzimuthalIntegrator.ValidityRule, IntegrationResult, [String]), any Error>?]
            init(_ n: Int) { done = Array(repeating: nil, count: n) }
        }
        let slots = Slots(r.images.count)
        DispatchQueue.concurrentPerform(iterations: r.images.count) { n in
            let outcome = Result {
                try multiGeometryMember(path: paths[n], source: opened[n], frame: frames[n], geometry: geometries[n], maskImage: maskImage,
                                        rule: AzimuthalIntegrator.ValidityRule(dummy: dummy, deltaDummy: deltaDummy,
                                                                               maskNegative: opened[n].template.pixelType.isSignedInteger && !keepNegative),
                                        options: memberOptions, arrays: pixelArrays[n])
            }
            slots.lock.withLock { slots.done[n] = outcome }
        }
        var parts: [(result: IntegrationResult, factor: Double)] = []
        var notes: [String] = []
        var first: (AzimuthalIntegrator, AzimuthalIntegrator.ValidityRule)?
        for (n, slot) in slots.done.enumerated() {
            guard let (integrator, rule, result, memberNotes) = try slot?.get() else { continue }
            parts.append((result, options.correctSolidAngle ? MultiGeometry.solidAngleFactor(plan.geometries[n]) : 1))
            notes += memberNotes
            if first == nil { first = (integrator, rule) }
        }
        var result = try MultiGeometry.combine(parts)
        if let f = r.normalizationFactor { result = result.normalized(by: f) }
        var context = IntegrationOutput.Context(source: r.images.joined(separator: " + "), maskApplied: result.maskedPixels > 0, notes: notes)
        context.normalizationFactor = r.normalizationFactor
        let ponis = r.ponis.isEmpty ? [r.poni] : r.ponis
        context.notes.append(String(format: "pyFAI MultiGeometry of %d images: radial range %.10g to %.10g %@, χ %.10g to %.10g°; intensities per steradian (each image's normalisation × pixel1·pixel2/distance²); geometries %@ (a text header shows the first)",
                                    r.images.count, options.radialRange!.lowerBound, options.radialRange!.upperBound, options.unit.label,
                                    options.azimuthRange!.lowerBound, options.azimuthRange!.upperBound, ponis.joined(separator: ", ")))
        guard let (integrator, rule) = first else { return }
        try body(Frame(path: context.source, index: frameIndex[0], result: result, context: context, integrator: integrator, source: sources[0],
                       dark: nil, validity: rule, isLastOfImage: true))
    }

    /// An image of `template`'s shape (the mask, dark or flat named by option `what`), its first frame; nil for none.
    static func sameShape(_ image: DetectorImage?, _ what: String, as template: DetectorImage, file path: String) throws -> [Double]? {
        guard let image else { return nil }
        guard image.rows == template.rows, image.columns == template.columns else {
            throw RoentgenError(.badParameter, "\(what) is \(image.rows) × \(image.columns), the image \(template.rows) × \(template.columns)", file: path)
        }
        return image.frames.first
    }

    /// An image's static mask as integration takes it: the mask file's nonzero pixels, the detector's built-in mask
    /// (module gaps, a plate's outside), and frame `k`'s invalid pixels by `rule` (negative, dummy, NaN; a flat's
    /// non-positive pixels), with what is to be said of it.
    static func staticMask(_ source: DetectorImageSource, frame k: Int, maskValues: [Double]?, builtIn: (mask: [Bool]?, note: String?)?,
                           rule: AzimuthalIntegrator.ValidityRule, flat: [Double]?) throws -> (mask: [Bool], notes: [String]) {
        let pixelCount = source.template.rows * source.template.columns
        var notes: [String] = []
        var m = maskValues?.map { $0 != 0 } ?? [Bool](repeating: false, count: pixelCount)
        if let built = builtIn {
            if let mask = built.mask { for i in m.indices where mask[i] { m[i] = true } }
            if let note = built.note { notes.append(note) }
        }
        let negatives = try source.withFrameBytes(k) { bytes, type, bigEndian in
            rule.markInvalid(RawFrame(bytes: bytes, type: type, bigEndian: bigEndian), count: pixelCount, flat: flat, into: &m)
        }
        if negatives > 0 { notes.append("\(negatives) negative pixels masked (gaps and bad pixels of a signed-integer detector image)") }
        return (m, notes)
    }

    /// One image of a multi-geometry pattern: its static mask (the mask file, its detector's gaps, its invalid pixels),
    /// its integrator over the common bins, its pattern, and what was said about it.
    static func multiGeometryMember(path: String, source: DetectorImageSource, frame k: Int, geometry g: PONIGeometry, maskImage: DetectorImage?,
                                    rule: AzimuthalIntegrator.ValidityRule, options: IntegrationOptions, arrays: PixelGeometry.Arrays)
        throws -> (AzimuthalIntegrator, AzimuthalIntegrator.ValidityRule, IntegrationResult, [String]) {
        let template = source.template
        let built = g.detector.map { DetectorModel.builtIn($0, geometry: g, rows: template.rows, columns: template.columns) }
        let (mask, maskNotes) = try staticMask(source, frame: k, maskValues: try sameShape(maskImage, "--mask", as: template, file: path),
                                               builtIn: built, rule: rule, flat: nil)
        let notes = maskNotes.map { "\(path): \($0)" }
        let integrator = try AzimuthalIntegrator(geometry: g, rows: template.rows, columns: template.columns, mask: mask, options: options, arrays: arrays)
        let result = try source.withFrameBytes(k) { try integrator.integrate(RawFrame(bytes: $0, type: $1, bigEndian: $2), validity: rule) }
        return (integrator, rule, result, notes)
    }

    /// The monitor of every frame of `source` (nil without `--monitor-name`).
    static func monitorValues(_ name: String?, source: DetectorImageSource, file: String) throws -> [Double]? {
        guard let name else { return nil }
        let lookup = try FrameMonitor(named: name, source: source, file: file)
        return try (0..<source.frameCount).map { try lookup.value(frame: $0) }
    }

    /// Integrates every frame of every image of `plan` in order, handing each to `body`. An image
    /// not opened by `plan` is read one ahead of the integration; if it cannot be read, the run
    /// stops there with the error naming it (the patterns of the images before it have been handed on).
    public static func integrate(_ plan: Plan, _ body: (Frame) throws -> Void) throws {
        if !plan.geometries.isEmpty { return try integrateMultiGeometry(plan, body) }
        let r = plan.request
        var integrators: [String: (mask: [Bool], integrator: AzimuthalIntegrator)] = [:]
        // The PONI detector's built-in mask per image shape, built once for a series of files.
        var builtIns: [String: (mask: [Bool]?, note: String?)] = [:]
        // 1-D patterns whose bins the mask cannot move: no splitting (pyFAI's histogram spans every
        // pixel centre, masked or not) or a fixed radial range. An image of a series masking more
        // pixels than the one the integrator was built for (an image plate's scattered zeros with
        // `--dummy 0`) then reuses it instead of rebuilding the geometry and matrix.
        let mapped = r.nptAzim != nil || r.chiProfile || plan.options.fiber != nil
        let profileAxis = r.fiberProfile.flatMap(FiberProfileAxis.init(rawValue:))
        let binsIgnoreMask = !mapped && plan.options.sigmaClip == nil
            && (plan.options.splitting == .no || plan.options.radialRange != nil)
        func isSubset(_ a: [Bool], of b: [Bool]) -> Bool {
            a.count == b.count && a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                !(0..<a.count).contains { a[$0] && !b[$0] }
            } }
        }
        func sameMask(_ a: [Bool], _ b: [Bool]) -> Bool {
            a.count == b.count && a.withUnsafeBytes { a in b.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
        }
        let parallax = try plan.geometry.parallaxModel()
        let images = ImageReadAhead(paths: r.images, opened: plan.opened, dataset: r.dataset)
        for (n, path) in r.images.enumerated() {
            let source = try images.take(n)
            let frameMonitors = try plan.monitors[n] ?? monitorValues(r.monitorName, source: source, file: path)
            let template = source.template
            let shape = "\(template.rows)x\(template.columns)"
            var notes: [String] = []
            func sameShape(_ image: DetectorImage?, _ what: String) throws -> [Double]? {
                try IntegrateOperations.sameShape(image, what, as: template, file: path)
            }
            let maskValues = try sameShape(plan.maskImage, "--mask")
            let darkValues = try sameShape(plan.darkImage, "--dark")
            let flatValues = try sameShape(plan.flatImage, "--flat")
            let maskNegative = template.pixelType.isSignedInteger && !r.keepNegative
            var rule = AzimuthalIntegrator.ValidityRule(dummy: r.dummy, deltaDummy: r.deltaDummy ?? 0, maskNegative: maskNegative)
            // Without --dummy, the PONI's detector's dummy, as pyFAI's integrators take it (`get_dummies`): −2 ± 1.5 in the
            // image's type for the DECTRIS-like detectors (an Eiger's uint32 gaps and dead pixels, 4294967295), 0 for Lambda.
            // Left out where negative pixels are masked anyway and it masks only negative values.
            if r.dummy == nil, let name = plan.geometry.detector, let model = DetectorModel.named(name),
               let d = model.dummies(for: template.pixelType), !(maskNegative && d.dummy + d.delta < 0) {
                rule.dummy = d.dummy
                rule.deltaDummy = d.delta
                notes.append(String(format: "pixels of \(name)'s dummy value %.10g (±%g, in %@) masked, as pyFAI does for this detector without a dummy", d.dummy, d.delta, template.pixelType.rawValue))
            }
            guard source.frameCount > 0 else { continue }
            // The frames to integrate (--frames); the first of them fixes the static mask below.
            let selected = try r.frames.map { try FrameSelection($0).frames(of: source.frameCount, file: path) } ?? 0..<source.frameCount
            let firstFrame = selected.lowerBound
            // A stack's frames are read from disk by a thread of their own, in file order, from
            // now on: while the geometry and its matrix are built, and then ahead of the integration.
            let batch = selected.count > 1 ? max(1, r.threads) * 8 : 1
            let readAhead = selected.count > 1 ? FrameReadAhead(source, frames: selected, window: 4 * batch) : nil
            defer { readAhead?.stop() }
            // The static mask: file, detector gaps, and the first frame's invalid pixels (negative
            // Pilatus/Eiger gaps, dummy values, NaN), which fix the bins as pyFAI's mask would. Each
            // image has its own; the integrator (geometry and matrix) is reused while the shape and
            // this mask stay the same (a series of files from one detector), built anew otherwise.
            if template.pixelType.isFloat {
                notes += ValuePlausibility.warnings(forFrame: try source.frame(firstFrame), pixelType: template.pixelType, label: source.frameCount > 1 ? "frame \(firstFrame)" : "the image")
            }
            let built = plan.geometry.detector.map { name in
                builtIns[shape] ?? DetectorModel.builtIn(name, geometry: plan.geometry, rows: template.rows, columns: template.columns)
            }
            builtIns[shape] = built
            let (m, maskNotes) = try staticMask(source, frame: firstFrame, maskValues: maskValues, builtIn: built, rule: rule, flat: flatValues)
            notes += maskNotes
            let integrator: AzimuthalIntegrator
            if let cached = integrators[shape], sameMask(cached.mask, m) || (binsIgnoreMask && isSubset(cached.mask, of: m)) {
                // Equal masks; or this image masks more, its extra pixels are invalid values the
                // integration leaves out frame by frame, and the bins do not depend on the mask.
                integrator = cached.integrator
            } else {
                integrator = try AzimuthalIntegrator(geometry: plan.geometry, rows: template.rows, columns: template.columns, mask: m,
                                                     flat: flatValues, options: plan.options, azimuthal: mapped)
                integrators[shape] = (m, integrator)
            }
            if integrator.split.matrix.values.isEmpty {
                notes.append("no unmasked pixel falls in the radial\(r.azimuthRange != nil ? " and azimuthal" : "") range: every bin is empty (0)")
            }
            // Frames in parallel (one thread each, the integrator and its matrix shared), in
            // batches so that a long stack is never held whole; handed on in order.
            for first in stride(from: selected.lowerBound, to: selected.upperBound, by: batch) {
                let results = try integrator.integrate(frames: first..<min(first + batch, selected.upperBound),
                                                       withFrame: { k, integrate in
                                                           readAhead?.waitUntilRead(k)
                                                           try source.withFrameBytes(k) { try integrate(RawFrame(bytes: $0, type: $1, bigEndian: $2)) }
                                                       },
                                                       dark: darkValues, validity: rule)
                readAhead?.consumed(through: first + results.count)
                for (offset, raw) in results.enumerated() {
                    let k = first + offset
                    let monitor = frameMonitors?[k]
                    let factor: Double? = (monitor != nil || r.normalizationFactor != nil) ? (r.normalizationFactor ?? 1) * (monitor ?? 1) : nil
                    let cake = factor.map { raw.normalized(by: $0) } ?? raw
                    let result = r.chiProfile ? (cake.chiProfile() ?? cake) : profileAxis.flatMap { cake.fiberProfile(along: $0) } ?? cake
                    var context = IntegrationOutput.Context(source: path, frame: source.frameCount > 1 ? k : nil,
                                                            maskApplied: integrator.staticMasked > 0 || result.maskedPixels > 0,
                                                            darkApplied: darkValues != nil, flatApplied: flatValues != nil, notes: notes)
                    context.sigmaClip = plan.options.sigmaClip?.threshold
                    context.normalizationFactor = factor
                    context.monitorName = monitor != nil ? r.monitorName : nil
                    context.monitorValue = monitor
                    context.splineFile = plan.geometry.splineFile
                    context.parallax = parallax
                    try body(Frame(path: path, index: k, result: result, context: context, integrator: integrator, source: source,
                                   dark: darkValues, validity: rule, isLastOfImage: k == selected.upperBound - 1))
                }
            }
        }
    }

    /// Refuses, before any integration, an output file the results cannot go to: `.edf` holds 2-D results only.
    public static func checkOutput(_ path: String, plan: Plan) throws {
        let r = plan.request
        let maps = (r.nptAzim != nil && !r.chiProfile) || (plan.options.fiber != nil && r.fiberProfile == nil)
        if URL(fileURLWithPath: path).pathExtension.lowercased() == "edf" && !maps {
            throw RoentgenError(.badParameter, "an EDF file holds a 2-D cake or fiber map; write a 1-D pattern as .xy, .xye or .json", file: path)
        }
    }

    /// The API's answer: `roentgen integrate --json`'s object for one frame (a single image and
    /// frame), or the frames' objects as a JSON array (the CLI's JSON Lines, one per line).
    public static func json(_ r: Request) throws -> Data {
        var lines: [String] = []
        let plan = try plan(r)
        if let output = r.output, plan.total != 1 {
            throw RoentgenError.badParameter("output '\(output)' takes one pattern; these images give \(plan.total) (choose one frame with frames)")
        }
        if let output = r.output { try checkOutput(output, plan: plan) }
        try integrate(plan) { f in
            lines.append(f.json)
            if let output = r.output {
                let bytes = try f.fileData(suffix: URL(fileURLWithPath: output).pathExtension.lowercased(), geometry: plan.geometry, options: plan.options)
                do { try bytes.write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                    throw RoentgenError(.io, "cannot write the integrated pattern", file: output)
                }
            }
        }
        return Data((lines.count == 1 ? lines[0] : "[" + lines.joined(separator: ",\n") + "]").utf8)
    }

    /// `A:B` with A < B.
    public static func range(_ text: String, option: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: ":").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], b > a, a.isFinite, b.isFinite else {
            throw RoentgenError.badParameter("\(option) '\(text)': expected finite A:B with A < B")
        }
        return a...b
    }
}
