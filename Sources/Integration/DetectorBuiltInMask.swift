import Foundation
import XrayCore

extension DetectorModel {
    /// The built-in mask pyFAI applies when a PONI names detector `name` and an image of `rows ×
    /// columns` is integrated with `geometry` (its pixel size picks the binning), and what the output
    /// should say about it: the pixels masked, or why none are (a detector Roentgen does not know, a
    /// pixel size that is none of the detector's binnings, an image of another shape; pyFAI's
    /// `integrate1d` masks nothing then either). A detector that masks nothing gives neither.
    public static func builtIn(_ name: String, geometry: PONIGeometry, rows: Int, columns: Int) -> (mask: [Bool]?, note: String?) {
        guard let model = named(name) else {
            return (nil, "the PONI names detector '\(name)', which Roentgen does not know: no module-gap mask applied (its pixel size comes from the PONI)")
        }
        func micrometres(_ a: Double, _ b: Double) -> String { String(format: "%g × %g µm", a * 1e6, b * 1e6) }
        guard let binning = model.binning(pixel1: geometry.pixel1, pixel2: geometry.pixel2) else {
            if case .none = model.mask { return (nil, nil) }
            let known = model.binnings.map { micrometres($0.pixel1, $0.pixel2) }.joined(separator: ", ")
            return (nil, "the PONI's pixel size \(micrometres(geometry.pixel1, geometry.pixel2)) is none of pyFAI's binnings of \(name) (\(known)): its \(model.maskDescription) are not masked")
        }
        guard binning.rows == rows, binning.columns == columns else {
            // A binned image, a region of interest or another detector: pyFAI's integrate1d applies neither the
            // mask nor a binning then; said, as the geometry may not be this image's.
            return (nil, "the image is \(rows) × \(columns), not the \(binning.rows) × \(binning.columns) of the PONI's detector \(name) with \(micrometres(geometry.pixel1, geometry.pixel2)) pixels: no built-in mask applied, and that pixel size used as it is (a binned image needs a PONI with the binned pixel size)")
        }
        guard let mask = model.builtInMask(binning) else { return (nil, nil) }
        let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        return (mask, "\(name) \(model.maskDescription) masked (\(count) pixels)")
    }

    /// The detector a command-line option names (`--detector`), refused with the option named when pyFAI does
    /// not know it or Roentgen cannot integrate it.
    public static func option(_ name: String, option: String = "--detector") throws -> DetectorModel {
        guard let model = named(name) else {
            throw RoentgenError.badParameter("\(option) '\(name)': not a detector pyFAI knows (for example Pilatus1M, Eiger2_4M, Mar345, MAR165, Perkin; pyFAI's class names and aliases)")
        }
        if let why = model.irregular {
            throw RoentgenError.badParameter("\(option) \(name) (pyFAI's \(model.name)): \(why); Roentgen integrates regular pixel grids only")
        }
        return model
    }
}
