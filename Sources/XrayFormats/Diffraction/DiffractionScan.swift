import Foundation
import OrderedCollections
import XrayCore

/// Builds the `Scan` every diffraction reader returns, so the column contract lives in one place:
/// `two_theta` (degrees), `intensity`, and `esd` where the file gives it, then any extra columns.
enum DiffractionScan {
    static func make(name: String, twoTheta: [Double], intensity: [Double], esd: [Double]? = nil,
                     extra: [(String, [Double], String)] = [], intensityUnit: String = "counts",
                     radiation: Radiation?, metadata: Metadata) -> Scan {
        var columns: OrderedDictionary<String, [Double]> = ["two_theta": twoTheta, "intensity": intensity]
        var units = ["two_theta": "deg", "intensity": intensityUnit]
        if let esd {
            columns["esd"] = esd
            units["esd"] = intensityUnit
        }
        for (label, values, unit) in extra where values.count == twoTheta.count {
            columns[label] = values
            if !unit.isEmpty { units[label] = unit }
        }
        return Scan(name: name, kind: .diffraction, columns: columns, units: units,
                    radiation: radiation, metadata: metadata)
    }

    /// Evenly spaced 2θ values `start + i·step` (computed per point, no accumulated rounding).
    static func steps(start: Double, step: Double, count: Int) -> [Double] {
        var out = [Double](repeating: 0, count: max(count, 0))
        for i in 0..<out.count { out[i] = start + Double(i) * step }
        return out
    }

    /// Radiation from wavelength fields (nil, zero or non-finite values are left out).
    static func radiation(anode: String?, kAlpha1: Double?, kAlpha2: Double?, ratio: Double?, kBeta: Double?) -> Radiation? {
        func ok(_ v: Double?) -> Double? {
            guard let v, v.isFinite, v > 0 else { return nil }
            return v
        }
        let anodeName = anode.flatMap { a -> String? in
            let t = a.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !t.isEmpty else { return nil }
            return t.prefix(1).uppercased() + t.dropFirst().lowercased()
        }
        let r = Radiation(anode: anodeName, kAlpha1: ok(kAlpha1), kAlpha2: ok(kAlpha2),
                          kAlpha2Ratio: ratio.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }, kBeta: ok(kBeta))
        if r.anode == nil && r.kAlpha1 == nil && r.kAlpha2 == nil && r.kBeta == nil { return nil }
        return r
    }

    /// Keeps metadata shared by every scan once: the first scan keeps all of it, each later scan
    /// only the keys whose values differ from the first's, plus `metadata.shared_with` naming the
    /// first scan. A map of 401 profiles each repeating ~195 kB of file-level conditions would
    /// otherwise print 82 MB of JSON.
    static func shareMetadata(_ scans: inout [Scan]) {
        guard scans.count > 1 else { return }
        let base = scans[0].metadata
        for k in 1..<scans.count {
            var own = Metadata()
            for (key, value) in scans[k].metadata where base[key] != value { own[key] = value }
            for key in base.keys where scans[k].metadata[key] == nil { own[key] = "" }
            own["metadata.shared_with"] = "scan '\(scans[0].name)' (keys not listed here have its values)"
            scans[k].metadata = own
        }
    }

    /// The file's stem, used as a scan name where the file has none.
    static func stem(_ file: String) -> String {
        FileName.stem(file)
    }

    /// Throws unless the pattern has at least one point and matching lengths.
    static func check(_ twoTheta: [Double], _ intensity: [Double], file: String, what: String) throws {
        guard !twoTheta.isEmpty else {
            throw RoentgenError.badFile(file, "\(what) holds no data points, expected at least one 2θ/intensity pair")
        }
        guard twoTheta.count == intensity.count else {
            throw RoentgenError.badFile(file, "\(what): \(twoTheta.count) 2θ values but \(intensity.count) intensities")
        }
    }
}
