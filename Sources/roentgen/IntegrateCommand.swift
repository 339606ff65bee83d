import ArgumentParser
import Foundation
import Integration
import RoentgenOperations
import XrayCore
import XrayFormats

/// `roentgen integrate IMAGE… --poni P [--mask M] [--dummy V] [--npt N] [--unit U] [--radial-range A:B]
/// [--method no|bbox] [--polarization P] [--no-solid-angle] [--dark D] [--flat F] [--dataset PATH] [-o OUT] [--json]`
///
/// Azimuthal integration of detector images as pyFAI does it. Every frame of every image gives
/// one pattern; the geometry (and its pixel → bin matrix) is built once per image shape, and the
/// frames of a stack are integrated in parallel (`--threads`), one frame per thread.
/// `-o OUT.h5|.nxs` writes every pattern into one NeXus file (NXdata: intensity per frame, σ, radial axis).
struct IntegrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrate",
        abstract: "Integrate 2-D detector images to 1-D patterns (or 2-D cakes) with a PONI geometry, as pyFAI does.")

    @Argument(help: "Images (TIFF, CBF, EDF, mar345, HDF5/NeXus); each frame of a stack gives one pattern.")
    var images: [String] = []
    @Option(help: "PONI geometry file (pyFAI v1, v2 or v3); with --multi-geometry one per image, in the images' order (or one for all).") var poni: [String]
    @Flag(help: "pyFAI's MultiGeometry: the images, each with its own --poni, into one 1-D pattern on common bins (intensities per steradian).")
    var multiGeometry = false
    @Option(help: "Fit2D distortion spline file (replaces the PONI's SplineFile; 'none' ignores it). The pixel size becomes the spline's, as in pyFAI.") var spline: String?
    @Option(help: "The detector, by a name pyFAI knows (Pilatus1M, Eiger2_4M, MAR165 …), for a PONI that names none: its built-in mask (module gaps, a round plate's outside) for the PONI's pixel size.") var detector: String?
    @Option(help: "Sensor for the parallax correction, as pyFAI writes it: Si,1000um, CdTe,1mm, GaAs,500um, CdTe (thick); replaces the PONI's (v3) and switches the correction on; 'none' switches it off.") var sensor: String?
    @Option(help: "Mask image: nonzero pixels are left out (of an HDF5/NeXus file, its NXdetector pixel_mask).") var mask: String?
    @Option(help: "Pixels equal to this value are left out.") var dummy: Double?
    @Option(help: "With --dummy: pixels within this of the dummy value are left out (pyFAI's delta_dummy).") var deltaDummy: Double?
    @Option(help: "Number of radial bins.") var npt = 1000
    @Option(help: "Radial unit: 2th_deg, q_A^-1, q_nm^-1 or r_mm.") var unit = "2th_deg"
    @Option(help: "Radial range A:B in the unit (default: from the pixels, as pyFAI).") var radialRange: String?
    @Option(help: "Azimuthal range A:B in degrees (χ, -180 to 180): a pattern of that sector only, or the cake's χ span.") var azimuthRange: String?
    @Option(help: "Pixel splitting: no (histogram), bbox (bounding box, CSR) or full (the pixel's area, CSR).") var method = "no"
    @Option(help: "Polarisation fraction P (pyFAI's polarization_factor, e.g. 0.99); none by default.") var polarization: Double?
    @Flag(help: "Do not divide by the relative solid angle.") var noSolidAngle = false
    @Flag(help: "Keep the negative pixels of signed-integer images (masked by default: Pilatus/Eiger module gaps -1, bad pixels -2).") var keepNegative = false
    @Option(help: "Dark image subtracted from every frame.") var dark: String?
    @Option(help: "Flat-field image every frame is divided by.") var flat: String?
    @Option(help: "HDF5 dataset of frames (default: the NXdata signal, the only ≥ 2-D dataset, or an NXdetector's data).") var dataset: String?
    @Option(help: ArgumentHelp("Frames of each image to integrate, counted from 0: K, A:B (frames A to B−1), A: or :B (default: every frame).", valueName: "K|A:B")) var frames: String?
    @Option(help: "Azimuthal bins: integrate to a 2-D cake (radial × azimuth) instead of a pattern.") var nptAzim: Int?
    @Option(help: "Error model: poisson, azimuthal, hybrid (sigma clipping cuts on the azimuthal spread, σ Poisson's; otherwise as poisson) or none.") var errors = "poisson"
    @Option(help: "Threads: per frame for a single image, frames in parallel for a stack.") var threads = 2
    @Option(help: ArgumentHelp("Sigma clipping (pyFAI's sigma_clip): in each bin keep the pixels within T standard deviations of its mean (at least Chauvenet's cut-off), re-averaging; takes Bragg spots and hot pixels out of ring patterns. With --method no, 1-D; σ from --errors (azimuthal: the bin's own spread).", valueName: "T"))
    var sigmaClip: Double?
    @Option(help: ArgumentHelp("Divide each frame by its monitor (pyFAI-integrate's --monitor-name): an HDF5 dataset path (a scalar, or one value per frame), or a header key; EDF counters as counter/NAME (counter_pos at NAME's place in counter_mne).", valueName: "name"))
    var monitorName: String?
    @Option(help: "Divide the intensities by this constant (pyFAI's normalization_factor; with --monitor-name, by their product).") var normalizationFactor: Double?
    @Option(help: "Sigma clipping: passes at most (pyFAI's max_iter).") var clipIterations = 5
    @Flag(help: "The azimuthal profile I(chi) (pyFAI's integrate_radial): a cake of --npt radial × --npt-azim χ bins (default 360), summed over its radial range (--radial-range in --unit).")
    var chiProfile = false
    @Option(help: ArgumentHelp("Benchmark: integrate each frame N more times and report the median ms per frame on stderr.", visibility: .hidden))
    var repeatTimes = 0
    @Flag(help: "Grazing-incidence / fiber integration (pyFAI's FiberIntegrator): a map of in-plane × out-of-plane bins (q_ip × q_oop by default) instead of radial × χ; implied by any of the options below. Without pixel splitting.")
    var fiber = false
    @Option(help: ArgumentHelp("GI/fiber: the incident angle η in degrees, the sample tilted towards the beam (pyFAI's incident_angle; default 0).", valueName: "deg")) var incidentAngle: Double?
    @Option(help: ArgumentHelp("GI/fiber: the tilt angle in degrees, the sample's horizon turned about the beam (pyFAI's tilt_angle; default 0).", valueName: "deg")) var tiltAngle: Double?
    @Option(help: ArgumentHelp("GI/fiber: EXIF orientation 1-8 of the fiber axis or film normal on the image (pyFAI's sample_orientation; default 1).", valueName: "1-8")) var sampleOrientation: Int?
    @Option(help: "GI/fiber: the in-plane axis: qip_nm^-1 (default), qip_A^-1, qoop_nm^-1, qoop_A^-1, qtot_nm^-1, qtot_A^-1, exit_angle_horz_deg, exit_angle_vert_deg, chigi_deg (or _rad; qtot × chigi is pyFAI's polar map).") var unitIp: String?
    @Option(help: "GI/fiber: the out-of-plane axis (default qoop_nm^-1; the same units).") var unitOop: String?
    @Option(help: "GI/fiber: in-plane bins (default 1000).") var nptIp: Int?
    @Option(help: "GI/fiber: out-of-plane bins (default 1000).") var nptOop: Int?
    @Option(help: ArgumentHelp("GI/fiber: in-plane range in its unit (default: from the unmasked pixels).", valueName: "A:B")) var ipRange: String?
    @Option(help: ArgumentHelp("GI/fiber: out-of-plane range in its unit (default: from the unmasked pixels).", valueName: "A:B")) var oopRange: String?
    @Option(help: ArgumentHelp("GI/fiber: a profile instead of the map (pyFAI's integrate_fiber): oop along the out-of-plane axis summed over --ip-range, ip along the in-plane axis summed over --oop-range.", valueName: "oop|ip")) var fiberProfile: String?
    @Option(name: .short, help: "Output: a .xy/.xye/.json file for one pattern (.edf for a cake or fiber map, as pyFAI writes them), a folder for several, or a .h5/.nxs NeXus file holding every pattern.") var output: String?
    @Flag(help: "Print JSON (radial, intensity, sigma, unit, method, masked_pixels); JSON Lines for several patterns.") var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("name at least one image to integrate") }
        guard !poni.isEmpty else { throw ValidationError("give the geometry: --poni FILE") }
        guard RadialUnit(rawValue: unit) != nil else { throw ValidationError("--unit \(unit): use 2th_deg, q_A^-1, q_nm^-1 or r_mm") }
        guard PixelSplitting(rawValue: method) != nil else { throw ValidationError("--method \(method): use no, bbox or full") }
        guard ErrorModel(rawValue: errors) != nil else { throw ValidationError("--errors \(errors): use poisson, azimuthal, hybrid or none") }
    }

    func run() throws {
        var request = IntegrateOperations.Request(images: images, poni: poni.first ?? "")
        request.multiGeometry = multiGeometry
        if poni.count > 1 { request.ponis = poni }
        request.spline = spline
        request.sensor = sensor
        request.detector = detector
        request.mask = mask; request.dummy = dummy; request.deltaDummy = deltaDummy
        request.monitorName = monitorName; request.normalizationFactor = normalizationFactor; request.npt = npt; request.unit = unit; request.radialRange = radialRange
        request.azimuthRange = azimuthRange
        request.method = method; request.polarization = polarization; request.noSolidAngle = noSolidAngle
        request.keepNegative = keepNegative
        request.dark = dark; request.flat = flat; request.dataset = dataset; request.frames = frames; request.nptAzim = nptAzim
        request.errors = errors; request.threads = threads
        request.sigmaClip = sigmaClip; request.clipIterations = clipIterations; request.chiProfile = chiProfile
        request.fiber = fiber; request.incidentAngle = incidentAngle; request.tiltAngle = tiltAngle
        request.sampleOrientation = sampleOrientation; request.unitIp = unitIp; request.unitOop = unitOop
        request.nptIp = nptIp; request.nptOop = nptOop; request.ipRange = ipRange; request.oopRange = oopRange
        request.fiberProfile = fiberProfile
        let plan = try IntegrateOperations.plan(request)
        if let output { try IntegrateOperations.checkOutput(output, plan: plan) }
        // One pattern per frame: the count decides how outputs are named.
        let total = plan.total
        let nexusOutput = output.map { Self.nexusSuffixes.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) } ?? false
        let outputIsFolder = !nexusOutput && (output.map { total > 1 || FileManager.default.fileExists(atPath: $0) && Self.isFolder($0) } ?? false)
        if let output, outputIsFolder { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) }
        var stack: IntegratedStackNeXus?
        try IntegrateOperations.integrate(plan) { f in
            if repeatTimes > 0 {
                var times: [Double] = []
                try f.source.withFrameBytes(f.index) { bytes, type, bigEndian in
                    let frame = RawFrame(bytes: bytes, type: type, bigEndian: bigEndian)
                    for _ in 0..<repeatTimes {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        _ = try f.integrator.integrate(frame, dark: f.dark, validity: f.validity)
                        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    }
                }
                times.sort()
                Output.note(String(format: "%@: %.3f ms per frame (median of %d)", f.path, times[times.count / 2], repeatTimes))
            }
            if nexusOutput {
                let result = f.result
                if stack == nil {
                    let axis = result.nexusAxis
                    stack = IntegratedStackNeXus(radialName: axis.name, radialUnits: axis.units, radialLabel: result.axisLabel,
                                                 radial: result.radial, azimuthal: result.azimuthal)
                    let second = result.azimuthalNexusAxis
                    stack?.azimuthalAxis = (second.name, second.units, result.azimuthalAxisLabel)
                    stack?.poni = plan.geometry.poniText()
                    stack?.process = Self.processRecord(options: plan.options, context: f.context)
                }
                try stack?.append(intensity: result.intensity, sigma: result.sigma, radial: result.radial, azimuthal: result.azimuthal,
                                  frame: f.index, maskedPixels: result.maskedPixels, source: f.path,
                                  normalizationFactor: f.context.normalizationFactor)
                if json { print(f.json) }
            } else {
                try emit(f, geometry: plan.geometry, options: plan.options, total: total, outputIsFolder: outputIsFolder)
            }
            if f.isLastOfImage { for note in f.context.notes { Output.note("\(f.path): \(note)") } }
        }
        if let output, let stack {
            let bytes = try stack.data()
            do { try bytes.write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                throw RoentgenError(.io, "cannot write the NeXus file of integrated patterns", file: output)
            }
            Output.note("\(output): \(stack.count) pattern\(stack.count == 1 ? "" : "s") (NXdata /entry/data)")
        }
    }

    /// Suffixes that make `-o` one NeXus/HDF5 file holding every pattern.
    static let nexusSuffixes: Set<String> = ["h5", "hdf5", "hdf", "nxs", "nx5", "nx"]

    /// What `/entry/process` of a NeXus output records.
    static func processRecord(options o: IntegrationOptions, context c: IntegrationOutput.Context) -> [(String, String)] {
        var record: [(String, String)] = [
            ("method", IntegrationOutput.methodText(o)),
            ("unit", o.fiber.map { "\($0.inPlaneUnit.rawValue) x \($0.outOfPlaneUnit.rawValue)" } ?? o.unit.label),
            ("error_model", o.errorModel.rawValue), ("npt", o.fiber != nil ? "\(o.npt) x \(o.nptAzimuthal)" : String(o.npt)),
            ("solid_angle_correction", o.correctSolidAngle ? "true" : "false"),
            ("polarization_factor", o.polarizationFactor.map { "\($0)" } ?? "none"),
            ("dark_applied", c.darkApplied ? "true" : "false"), ("flat_applied", c.flatApplied ? "true" : "false"),
        ]
        if let range = o.radialRange { record.append(("radial_range", "\(range.lowerBound):\(range.upperBound)")) }
        if let range = o.azimuthRange { record.append(("azimuth_range", "\(range.lowerBound):\(range.upperBound)")) }
        if let f = o.fiber {
            record.append(("fiber", String(format: "incident angle %.10g deg, tilt angle %.10g deg, sample orientation %d, %@ x %@",
                                           f.geometry.incidentAngle * 180 / .pi, f.geometry.tiltAngle * 180 / .pi, f.geometry.sampleOrientation,
                                           f.inPlaneUnit.rawValue, f.outOfPlaneUnit.rawValue)))
            if let range = f.outOfPlaneRange { record.append(("oop_range", "\(range.lowerBound):\(range.upperBound)")) }
        }
        if let name = c.monitorName { record.append(("monitor_name", name)) }
        if let clip = o.sigmaClip {
            record.append(("sigma_clip", "\(clip.threshold)"))
            record.append(("clip_iterations", String(clip.maxIterations)))
        }
        if !c.notes.isEmpty { record.append(("notes", c.notes.joined(separator: "\n"))) }
        return record
    }

    func emit(_ frame: IntegrateOperations.Frame, geometry: PONIGeometry, options: IntegrationOptions, total: Int, outputIsFolder: Bool) throws {
        let result = frame.result, context = frame.context
        let isCake = !result.azimuthal.isEmpty   // an I(χ) profile is written as a pattern
        guard let output else {
            if json || isCake { print(IntegrationOutput.json(result, context: context)) }
            else { print(IntegrationOutput.columns(result, geometry: geometry, options: options, context: context, withSigma: true), terminator: "") }
            return
        }
        var target = output
        if outputIsFolder {
            let stem = URL(fileURLWithPath: context.source).deletingPathExtension().lastPathComponent
            target = URL(fileURLWithPath: output).appendingPathComponent(stem + (context.frame.map { String(format: "_%05d", $0) } ?? "") + (json || isCake ? ".json" : ".xye")).path
        }
        let bytes = try frame.fileData(suffix: URL(fileURLWithPath: target).pathExtension.lowercased(), geometry: geometry, options: options)
        do {
            try bytes.write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw RoentgenError(.io, "cannot write the integrated pattern", file: target)
        }
        if json { print(IntegrationOutput.json(result, context: context)) }
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
