import Foundation
import XrayCore

/// Checks that the numbers a reader returns are plausible for a measured quantity, so that a
/// file read with the wrong data type (float32 read as float64, big-endian as little-endian, a
/// record stride mistaken) is reported instead of handed on as data.
///
/// No measured X-ray quantity (angle, energy, counts, μ, monitor current, esd) comes as a
/// float32/float64 denormal or beyond 1e30 in magnitude, and a detector signal that is zero
/// everywhere or NaN over long stretches is not a measurement. Every check yields a warning naming
/// the scan, the column and the offending count; the values themselves are left as read.
public enum ValuePlausibility {
    /// Smallest magnitude a non-zero measured value may have (below every float32 normal number,
    /// 1.18e-38, and far below any physical reading in these files).
    public static let smallest = 1e-30
    /// Largest magnitude a measured value may have.
    public static let largest = 1e30
    /// A run of this many consecutive NaN values (or more than half the points) is reported.
    public static let longNaNRun = 10

    /// The warnings for every scan and detector image of `file` (empty when everything is plausible).
    public static func warnings(for file: DataFile) -> [String] {
        file.scans.flatMap { warnings(for: $0, multipleScans: file.scans.count > 1) }
            + file.images.flatMap { image in
                image.frames.indices.flatMap { warnings(forFrame: image.frames[$0], pixelType: image.pixelType, label: image.frames.count > 1 ? "frame \($0)" : "the image") }
            }
    }

    /// The warnings for one frame of a floating-point detector image: pixels of denormal size or
    /// beyond 1e30 (a float image decoded with the wrong byte order or type), infinite pixels, or a
    /// frame that is NaN everywhere. NaN pixels alone are a mask convention, not a fault. Integer
    /// frames hold no such values.
    /// `label` names the frame in the warnings ("frame 3", "the image").
    public static func warnings(forFrame values: [Double], pixelType: DetectorImage.PixelType, label frame: String) -> [String] {
        guard pixelType.isFloat, !values.isEmpty else { return [] }
        var tiny = 0, huge = 0, infinite = 0, nan = 0
        for v in values {
            if v.isNaN { nan += 1; continue }
            let m = abs(v)
            if m.isInfinite { infinite += 1 } else if m > largest { huge += 1 } else if m != 0 && m < smallest { tiny += 1 }
        }
        let n = values.count
        var out: [String] = []
        if tiny > 0 {
            out.append("\(frame): \(tiny) of \(n) pixels are below \(smallest) in magnitude (denormal-size numbers: the pixels are probably decoded with the wrong type or byte order)")
        }
        if huge > 0 {
            out.append("\(frame): \(huge) of \(n) pixels exceed \(largest) in magnitude (implausible counts: probably decoded with the wrong type or byte order)")
        }
        if infinite > 0 { out.append("\(frame): \(infinite) of \(n) pixels are infinite") }
        if nan == n { out.append("\(frame): every pixel is NaN (no measured signal)") }
        return out
    }

    /// The warnings for one scan.
    public static func warnings(for scan: Scan, multipleScans: Bool = false) -> [String] {
        var out: [String] = []
        let whereText = multipleScans ? "scan '\(scan.name)', " : ""
        for (label, values) in scan.columns where !values.isEmpty {
            var tiny = 0, huge = 0, infinite = 0, nan = 0, run = 0, longestRun = 0
            for v in values {
                if v.isNaN {
                    nan += 1; run += 1; longestRun = max(longestRun, run)
                    continue
                }
                run = 0
                let m = abs(v)
                if m.isInfinite { infinite += 1 } else if m > largest { huge += 1 } else if m != 0 && m < smallest { tiny += 1 }
            }
            let n = values.count
            if tiny > 0 {
                out.append("\(whereText)column '\(label)': \(tiny) of \(n) values are below \(smallest) in magnitude (denormal-size numbers: the file's values are probably decoded with the wrong type or layout)")
            }
            if huge > 0 {
                out.append("\(whereText)column '\(label)': \(huge) of \(n) values exceed \(largest) in magnitude (implausible for a measured quantity: probably decoded with the wrong type or layout)")
            }
            if infinite > 0 {
                out.append("\(whereText)column '\(label)': \(infinite) of \(n) values are infinite")
            }
            if longestRun >= longNaNRun || (n >= 4 && 2 * nan > n) {
                out.append("\(whereText)column '\(label)': \(nan) of \(n) values are NaN (longest run \(longestRun))")
            }
        }
        // The measured signal zero everywhere: a diffraction pattern's intensity, or every channel
        // beside the energy of an absorption scan.
        let signal: [(String, [Double])]
        switch scan.kind {
        case .diffraction:
            signal = scan.columns["intensity"].map { [("intensity", $0)] } ?? []
        case .absorption where scan.columns["energy"] != nil:
            signal = scan.columns.filter { $0.key != "energy" }.map { ($0.key, $0.value) }
        default:
            signal = []
        }
        let pointCount = signal.first?.1.count ?? 0
        if pointCount >= 2, signal.allSatisfy({ $0.1.allSatisfy { $0 == 0 } }) {
            let names = signal.map(\.0)
            out.append("\(whereText)\(names.count == 1 ? "column '\(names[0])' is" : "every column beside the energy is") zero at all \(pointCount) points (no measured signal)")
        }
        return out
    }
}
