import ArgumentParser
import Foundation
import Integration
import RoentgenOperations
import XrayCore
import XrayFormats

/// `roentgen calibrate IMAGE --calibrant C [--wavelength λ] [--distance D] [--center X,Y] [--poni START.poni]
/// -o OUT.poni [--json]`
///
/// Refines a detector geometry from calibrant rings (or from pyFAI control points, `--control-points`)
/// on the shared refinement engine and writes it as a PONI file.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate the detector geometry (distance, PONI, tilts, optionally λ) from calibrant rings; write a PONI file.")

    @Argument(help: "Calibrant image (TIFF, CBF, EDF, mar345, HDF5/NeXus; the first frame).") var image: String
    @Option(help: "Calibrant: CeO2, LaB6, Si, AgBh, or a pyFAI .D file of d-spacings (Å).") var calibrant: String
    @Option(help: "Wavelength in Å (default: the start PONI's, or the image header's).") var wavelength: Double?
    @Option(help: "Start sample–detector distance in mm (default: the start PONI's, or the header's).") var distance: Double?
    @Option(help: "Start beam centre X,Y in pixels (X = column, Y = row, Fit2D convention; default: the PONI's or the header's).") var center: String?
    @Option(help: "Start geometry (PONI file); --distance, --center and --wavelength override it.") var poni: String?
    @Option(help: "Pixel size in µm when neither the PONI nor the image header gives it.") var pixelSize: Double?
    @Option(help: "The detector, by a name pyFAI knows (Pilatus1M, Eiger2_4M, Mar345, MAR165, Perkin …): its pixel size for the image's shape (its binning), its built-in mask (module gaps, a round plate's outside), and its name in the output PONI.") var detector: String?
    @Option(help: "Fit2D distortion spline file of the detector (replaces the PONI's SplineFile; 'none' ignores it); written into the output PONI.") var spline: String?
    @Option(help: "Sensor for the parallax correction (Si,1000um, CdTe,1mm, CdTe for a thick one; 'none' switches the PONI's off); written into the output PONI (version 3).") var sensor: String?
    @Option(help: "Mask image: nonzero pixels are left out (of an HDF5/NeXus file, its NXdetector pixel_mask; negative Pilatus/Eiger pixels always are).") var mask: String?
    @Option(help: "Pixels equal to this value are left out (e.g. 0 outside a round image plate).") var dummy: Double?
    @Option(help: "HDF5 dataset of the frames.") var dataset: String?
    @Option(help: "The frame of a stack to calibrate on, from 0 (default the first).") var frame = 0
    @Option(help: "Refine from pyFAI control points (.npt) instead of picking ring pixels in the image.") var controlPoints: String?
    @Flag(help: "Refine the wavelength too.") var refineWavelength = false
    @Flag(help: "Refine rot3 too (pyFAI fixes it for powder rings).") var refineRot3 = false
    @Flag(help: "Hold rot1 and rot2 at their start values.") var fixTilts = false
    @Option(help: "Extraction–refinement passes.") var passes = 3
    @Option(help: "Peak-picking threshold in robust standard deviations above the ring background.") var threshold = 5.0
    @Option(name: .short, help: "Write the refined geometry to this PONI file (pyFAI v2).") var output: String?
    @Flag(help: "Print JSON: distance_m, poni1_m, poni2_m, rot1, rot2, rot3, wavelength_m, beam_center_px, residual_deg, each with a <key>_esd twin.") var json = false

    func run() throws {
        var r = CalibrateOperations.Request(image: image, calibrant: calibrant)
        r.wavelength = wavelength; r.distance = distance; r.center = center; r.poni = poni; r.pixelSize = pixelSize; r.detector = detector
        r.spline = spline; r.sensor = sensor; r.mask = mask; r.dummy = dummy; r.dataset = dataset; r.frame = frame; r.controlPoints = controlPoints
        r.refineWavelength = refineWavelength; r.refineRot3 = refineRot3; r.fixTilts = fixTilts; r.passes = passes; r.threshold = threshold
        r.output = output
        let outcome = try CalibrateOperations.run(r)
        for note in outcome.notes { Output.note("note: " + note) }
        for w in outcome.result.warnings { Output.note("warning: " + w) }
        if json {
            FileHandle.standardOutput.write(try CalibrateOperations.json(outcome))
            FileHandle.standardOutput.write(Data("\n".utf8))
        } else {
            print(CalibrateOperations.report(outcome.result, calibrant: outcome.calibrant))
        }
    }
}
