import Foundation
import OrderedCollections
import XrayCore

/// Column files whose first column is a detector pixel (or channel) index, not 2θ or energy:
/// energy-dispersive XAS (a polychromator focuses a band of energies across a position-sensitive
/// detector, e.g. Photon Factory's dispersive CSVs) writes μ per pixel. Such a file cannot be
/// analysed before the pixels are given energies, usually E(p) = a + b·p + c·p² from a calibration
/// against a standard measured in energy.
public enum PixelIndexedData {
    /// Name of the index column in the scans this produces.
    public static let pixelColumn = "pixel"

    /// True when `x` holds consecutive integers (step exactly 1) over more points and a wider span
    /// than any 2θ scan can have: at least 32 values, the last above 180.
    public static func isPixelIndex(_ x: [Double]) -> Bool {
        guard x.count >= 32, let last = x.last, last > 180 else { return false }
        for i in x.indices {
            guard x[i] == x[i].rounded() else { return false }
            if i > 0 && x[i] - x[i - 1] != 1 { return false }
        }
        return true
    }

    /// A scan of pixel-indexed values (kind `.other`): `pixel` and the value column.
    static func scan(name: String, pixel: [Double], value: [Double], valueLabel: String, metadata: Metadata) -> Scan {
        var m = metadata
        m["x axis"] = "detector pixel index (not energy, not 2θ): needs a pixel → energy calibration"
        return Scan(name: name, kind: .other, columns: [pixelColumn: pixel, valueLabel: value],
                    units: [pixelColumn: "pixel"], metadata: m)
    }

    /// The warning readers attach to a pixel-indexed file.
    static func warning(_ pixel: [Double]) -> String {
        "column 1 is a pixel index (consecutive integers \(Int(pixel.first ?? 0))–\(Int(pixel.last ?? 0))), not 2θ or energy: "
            + "energy-dispersive data? Give the pixel → energy calibration with --pixel-energy A,B[,C[,D]] (E = A + B·p + C·p² + D·p³, eV)"
    }

    /// Gives every pixel-indexed scan of `file` energies E(p) = Σ cₖ·pᵏ (eV) and turns it into an
    /// absorption scan: `energy` ascending (the detector may run either way), the value column
    /// as `mu`, the pixel index kept. Throws if the file has no pixel-indexed scan or the
    /// calibration is not monotonic over the pixels.
    public static func calibrated(_ file: DataFile, coefficients: [Double]) throws -> DataFile {
        guard (2...4).contains(coefficients.count), coefficients.allSatisfy(\.isFinite), coefficients[1] != 0 || coefficients.count > 2 else {
            throw RoentgenError(.badParameter, "--pixel-energy takes 2 to 4 finite coefficients A,B[,C[,D]] (E = A + B·p + C·p² + D·p³, eV), B ≠ 0", file: file.file)
        }
        var out = file
        var changed = 0
        for (index, scan) in file.scans.enumerated() {
            guard let pixel = scan.columns[pixelColumn], let valueLabel = scan.columns.keys.first(where: { $0 != pixelColumn }),
                  let value = scan.columns[valueLabel] else { continue }
            var energy = pixel.map { p in coefficients.reversed().reduce(0) { $0 * p + $1 } }
            let increasing = zip(energy.dropFirst(), energy).allSatisfy { $0 > $1 }
            let decreasing = zip(energy.dropFirst(), energy).allSatisfy { $0 < $1 }
            guard increasing || decreasing else {
                throw RoentgenError(.badParameter, "--pixel-energy \(coefficients.map { "\($0)" }.joined(separator: ",")) is not monotonic over pixels \(Int(pixel.first!))–\(Int(pixel.last!)): energies would repeat", file: file.file)
            }
            var mu = value, pixels = pixel
            if decreasing { energy.reverse(); mu.reverse(); pixels.reverse() }
            var m = scan.metadata
            m["x axis"] = nil
            m["pixel calibration"] = "E = " + coefficients.enumerated().map { k, c in k == 0 ? "\(c)" : k == 1 ? "\(c)·p" : "\(c)·p^\(k)" }.joined(separator: " + ") + " eV"
            out.scans[index] = Scan(name: scan.name, kind: .absorption,
                                    columns: ["energy": energy, "mu": mu, pixelColumn: pixels],
                                    units: ["energy": "eV", pixelColumn: "pixel"], metadata: m)
            changed += 1
        }
        guard changed > 0 else {
            throw RoentgenError(.badParameter, "--pixel-energy applies to pixel-indexed data; this file's first column is not a pixel index", file: file.file)
        }
        out.warnings.removeAll { $0.hasPrefix("column 1 is a pixel index") }
        out.warnings.append("energies from the pixel calibration given with --pixel-energy; μ is the file's value column as written")
        return out
    }
}
