import Foundation
import XrayCore

/// Bruker BRML (DIFFRAC.SUITE): a zip of XML files; the measured data are in
/// `Experiment*/RawData*.xml`, one `<DataRoute>` per scan, one `<Datum>` (comma list) per point.
/// The `<DataViews>` say which Datum field is which: the `TwoTheta` scan axis, the recorded
/// counter, measured time and absorption factor (counts are stored already scaled by the
/// absorber factor). Radiation from the tube's `WaveLength*` elements.
enum BrukerBRMLReader: FormatReader {
    static let id = "bruker-brml"
    static let name = "Bruker BRML (DIFFRAC.SUITE zip of XML; .brml)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["brml"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let isZip = head.count >= 4 && head.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04])
        guard isZip else { return suffix == "brml" ? .suffixOnly : .no }
        // Zip local headers name their entries: BRML holds Experiment0/… and experimentCollection.xml.
        if PatternText.contains(head, "Experiment0/") || PatternText.contains(head, "experimentCollection") {
            return .certain
        }
        return suffix == "brml" ? .plausible : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let zip = try PatternZip(data, file: file)
        let rawPaths = zip.paths.filter {
            let name = ($0 as NSString).lastPathComponent
            return name.hasPrefix("RawData") && name.hasSuffix(".xml")
        }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        guard !rawPaths.isEmpty else {
            throw RoentgenError.badFile(file, "BRML container has no Experiment*/RawData*.xml entry (entries: \(zip.paths.prefix(8).joined(separator: ", ")))")
        }
        var scans: [Scan] = []
        var warnings: [String] = []
        for path in rawPaths {
            // `<Datum>` points are kept as byte ranges (no node each) and parsed below.
            let xml = try PatternXML.parse(bytes: try zip.bytes(path), file: file + ":" + path, bulk: "Datum")
            scans += try readRawData(xml, path: path, file: file, warnings: &warnings)
        }
        guard !scans.isEmpty else { throw RoentgenError.badFile(file, "BRML holds no measured data points") }
        if scans.count == 1 { scans[0].name = DiffractionScan.stem(file) }
        return DataFile(format: id, file: file, scans: scans, warnings: warnings)
    }

    static func attributeNumber(_ node: PatternXML?, _ name: String) -> Double? {
        guard let node else { return nil }
        if let v = node.attributes["Value"], let d = PatternText.number(v) { return d }
        return PatternText.number(node.value)
    }

    static func readRawData(_ root: PatternXML, path: String, file: String, warnings: inout [String]) throws -> [Scan] {
        var base = Metadata()
        base.reserveCapacity(512)
        base["entry"] = path
        for c in root.children where c.name != "DataRoutes" { c.flatten(into: &base, prefix: c.name, skip: ["Datum"]) }
        let radiation = DiffractionScan.radiation(
            anode: root.first("TubeMaterial")?.value,
            kAlpha1: attributeNumber(root.first("WaveLengthAlpha1"), "Value"),
            kAlpha2: attributeNumber(root.first("WaveLengthAlpha2"), "Value"),
            ratio: attributeNumber(root.first("WaveLengthRatio"), "Value"),
            kBeta: attributeNumber(root.first("WaveLengthBeta"), "Value"))
        var scans: [Scan] = []
        let routes = root.all("DataRoute")
        for (ri, route) in routes.enumerated() {
            let count = route.bulkCount
            if count == 0 { continue }
            var m = base
            m.reserveCapacity(base.count + 512)
            route.flatten(into: &m, prefix: "DataRoute", skip: ["Datum", "DataViews"])
            // Field layout from the data views.
            var twoThetaIndex: Int?, countIndex: Int?, timeIndex: Int?, absorptionIndex: Int?, firstAxisIndex: Int?
            var firstAxisName = ""
            for view in route.all("RawDataView") {
                let start = view.attributes["Start"].flatMap { Int($0) } ?? -1
                let type = view.attributes["xsi:type"] ?? ""
                if type.hasPrefix("Fixed") {
                    switch view.attributes["LogicName"] {
                    case "MeasuredTime": timeIndex = start
                    case "AbsorptionFactor": absorptionIndex = start
                    default: break
                    }
                } else if type.hasPrefix("Varying") {
                    for (k, field) in view.all("FieldDefinitions").enumerated() {
                        let axis = field.attributes["AxisId"] ?? field.attributes["FieldName"] ?? ""
                        if firstAxisIndex == nil { firstAxisIndex = start + k; firstAxisName = axis }
                        if axis == "TwoTheta" && twoThetaIndex == nil { twoThetaIndex = start + k }
                    }
                } else if type.hasPrefix("Recorded"), countIndex == nil {
                    countIndex = start
                }
            }
            if twoThetaIndex == nil, let first = firstAxisIndex {
                twoThetaIndex = first
                warnings.append("scan \(ri + 1): no TwoTheta axis; `two_theta` holds the \(firstAxisName) positions")
            }
            // Without data views (early BRML): time, absorber, 2θ, θ, counts.
            let xi = twoThetaIndex ?? 2
            var x: [Double] = [], y: [Double] = [], time: [Double] = [], absorption: [Double] = []
            x.reserveCapacity(count); y.reserveCapacity(count)
            if timeIndex != nil { time.reserveCapacity(count) }
            if absorptionIndex != nil { absorption.reserveCapacity(count) }
            var fields: [Double] = []
            let bad: (index: Int, yi: Int)? = route.withBulk { bytes, ranges in
                for k in 0..<count {
                    fields.removeAll(keepingCapacity: true)
                    let ok = PatternXML.fields(bytes, ranges[2 * k], ranges[2 * k + 1], 44, &fields)
                    let yi = countIndex ?? (fields.count - 1)
                    guard ok, xi >= 0, xi < fields.count, yi >= 0, yi < fields.count else { return (k, yi) }
                    x.append(fields[xi]); y.append(fields[yi])
                    if let t = timeIndex, t >= 0, t < fields.count { time.append(fields[t]) }
                    if let a = absorptionIndex, a >= 0, a < fields.count { absorption.append(fields[a]) }
                }
                return nil
            }
            if let (k, yi) = bad {
                throw RoentgenError.badFile(file + ":" + path, "<Datum> \(k + 1) of scan \(ri + 1) is '\(route.bulkText(k).prefix(80))': expected comma-separated numbers with 2θ in field \(xi + 1) and counts in field \(yi + 1)")
            }
            var extra: [(String, [Double], String)] = []
            if time.count == x.count { extra.append(("measured_time", time, "s")) }
            if absorption.count == x.count { extra.append(("absorption_factor", absorption, "")) }
            scans.append(DiffractionScan.make(name: "scan \(scans.count + 1)", twoTheta: x, intensity: y, extra: extra,
                                              radiation: radiation, metadata: m))
        }
        return scans
    }
}
