import Foundation
import XrayCore

/// PANalytical XRDML (XML), every schema version (1.0–2.x). Each `<scan>` of each
/// `<xrdMeasurement>` becomes a scan. 2θ comes from the `2Theta` positions (`startPosition`/
/// `endPosition`, evenly spaced, or `listPositions`); intensity from `<intensities>` (1.x) or,
/// in 2.x, `<counts>` multiplied by `<beamAttenuationFactors>` where present (the raw counts and
/// factors are kept as extra columns). Radiation from `usedWavelength` and the tube's anode.
enum XRDMLReader: FormatReader {
    static let id = "panalytical-xrdml"
    static let name = "PANalytical XRDML 1.x–2.x (.xrdml)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["xrdml"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        if PatternText.firstNonBlank(head) == 60, PatternText.contains(head.prefix(4096), "<xrdMeasurements") { return .certain }
        return suffix == "xrdml" ? .suffixOnly : .no
    }

    /// Bulk numeric elements left out of the metadata.
    static let bulk: Set<String> = ["intensities", "counts", "beamAttenuationFactors", "listPositions", "countingTimes", "scan"]

    static func read(_ data: Data, file: String) throws -> DataFile {
        let root = try PatternXML.parse(data, file: file)
        guard root.name == "xrdMeasurements" else {
            throw RoentgenError.badFile(file, line: 1, "root element is <\(root.name)>, expected <xrdMeasurements> (PANalytical XRDML)")
        }
        var fileMetadata = Metadata()
        if let ns = root.attributes["xmlns"] {
            fileMetadata["schema"] = ns
            if let v = ns.split(separator: "/").last { fileMetadata["schema version"] = String(v) }
        }
        for (k, v) in root.attributes where !k.hasPrefix("xmlns") && !k.hasPrefix("xsi:") { fileMetadata["@" + k] = v }
        for c in root.children where c.name != "xrdMeasurement" {
            c.flatten(into: &fileMetadata, prefix: c.name, skip: bulk)
        }
        var scans: [Scan] = []
        var warnings: [String] = []
        let measurements = root.children("xrdMeasurement")
        let total = measurements.reduce(0) { $0 + $1.children("scan").count }
        for (mi, measurement) in measurements.enumerated() {
            var mMeta = fileMetadata
            measurement.flatten(into: &mMeta, prefix: measurements.count > 1 ? "xrdMeasurement[\(mi + 1)]" : "xrdMeasurement", skip: bulk)
            let wl = measurement.first("usedWavelength")
            func value(_ name: String) -> Double? { wl?.child(name).flatMap { PatternText.number($0.value) } }
            let radiation = DiffractionScan.radiation(anode: measurement.first("anodeMaterial")?.value,
                                                      kAlpha1: value("kAlpha1"), kAlpha2: value("kAlpha2"),
                                                      ratio: value("ratioKAlpha2KAlpha1"), kBeta: value("kBeta"))
            for scanNode in measurement.children("scan") {
                scans.append(try readScan(scanNode, index: scans.count, total: total, metadata: mMeta,
                                          radiation: radiation, file: file, warnings: &warnings))
            }
        }
        guard !scans.isEmpty else {
            throw RoentgenError.badFile(file, "XRDML file holds no <scan> with <dataPoints>")
        }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }

    static func numbers(_ node: PatternXML?) -> [Double] {
        node?.numbers() ?? []
    }

    static func readScan(_ scan: PatternXML, index: Int, total: Int, metadata: Metadata, radiation: Radiation?,
                         file: String, warnings: inout [String]) throws -> Scan {
        var m = metadata
        let label = "scan \(index + 1)"
        for (k, v) in scan.attributes.sorted(by: { $0.key < $1.key }) { m["scan@" + k] = v }
        for c in scan.children where c.name != "dataPoints" { c.flatten(into: &m, prefix: "scan." + c.name, skip: bulk) }
        guard let points = scan.child("dataPoints") else {
            throw RoentgenError.badFile(file, "\(label) has no <dataPoints>")
        }
        points.flatten(into: &m, prefix: "dataPoints", skip: bulk)
        var intensity: [Double]
        var extra: [(String, [Double], String)] = []
        var unit = "counts"
        if let node = points.child("intensities") {
            intensity = numbers(node)
            unit = node.attributes["unit"] ?? "counts"
        } else if let node = points.child("counts") {
            let counts = numbers(node)
            unit = node.attributes["unit"] ?? "counts"
            intensity = counts
            let factors = numbers(points.child("beamAttenuationFactors"))
            if !factors.isEmpty {
                guard factors.count == counts.count else {
                    throw RoentgenError.badFile(file, "\(label): \(factors.count) beam attenuation factors for \(counts.count) counts")
                }
                for i in intensity.indices { intensity[i] *= factors[i] }
                extra.append(("counts", counts, unit))
                extra.append(("beam_attenuation_factor", factors, ""))
            }
        } else {
            throw RoentgenError.badFile(file, "\(label): <dataPoints> has neither <intensities> nor <counts>")
        }
        guard !intensity.isEmpty else { throw RoentgenError.badFile(file, "\(label): no intensity values") }
        if let bad = intensity.firstIndex(where: { !$0.isFinite }) {
            throw RoentgenError.badFile(file, "\(label): intensity value \(bad + 1) is not a number")
        }
        let n = intensity.count
        let axes = points.children("positions")
        let chosen = axes.first { $0.attributes["axis"] == "2Theta" } ?? axes.first {
            $0.child("listPositions") != nil || $0.child("startPosition") != nil
        }
        guard let axis = chosen else { throw RoentgenError.badFile(file, "\(label): no <positions> axis for the points") }
        if axis.attributes["axis"] != "2Theta" {
            warnings.append("\(label): no 2Theta axis; `two_theta` holds the \(axis.attributes["axis"] ?? "?") positions")
        }
        var x: [Double]
        if let list = axis.child("listPositions") {
            x = numbers(list)
            guard x.count == n else {
                throw RoentgenError.badFile(file, "\(label): \(x.count) list positions for \(n) intensities")
            }
        } else if let s = axis.child("startPosition").flatMap({ PatternText.number($0.value) }),
                  let e = axis.child("endPosition").flatMap({ PatternText.number($0.value) }) {
            x = n == 1 ? [s] : DiffractionScan.steps(start: s, step: (e - s) / Double(n - 1), count: n)
            if n > 1 { x[n - 1] = e }
        } else {
            throw RoentgenError.badFile(file, "\(label): 2Theta positions have neither start/end nor a list")
        }
        let times = numbers(points.child("countingTimes"))
        if times.count == n { extra.append(("counting_time", times, "s")) }
        return DiffractionScan.make(name: total > 1 ? label : DiffractionScan.stem(file), twoTheta: x, intensity: intensity,
                                    extra: extra, intensityUnit: unit, radiation: radiation, metadata: m)
    }
}
