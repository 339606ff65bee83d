import Foundation
import XrayCore

/// Rigaku RASX (SmartLab Studio II): a zip holding `root.xml`, and per data set
/// `Data<i>/Profile<j>.txt` (tab-separated `2θ counts attenuator`, UTF-8 with BOM, CR LF) with
/// `Data<i>/MesurementConditions<j>.xml` (sic). Each profile becomes a scan; intensity is
/// counts × attenuator; radiation and every condition come from the XML. In a file of many
/// profiles (a map of 401) the metadata they share is kept once, in the first scan.
enum RigakuRASXReader: FormatReader {
    static let id = "rigaku-rasx"
    static let name = "Rigaku RASX (zip: profile text + conditions XML; .rasx)"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["rasx"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        let isZip = head.count >= 4 && head.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04])
        guard isZip else { return suffix == "rasx" ? .suffixOnly : .no }
        if PatternText.contains(head, "Profile0.txt") || PatternText.contains(head, "MesurementConditions") {
            return .certain
        }
        return suffix == "rasx" ? .plausible : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let zip = try PatternZip(data, file: file)
        let profiles = zip.paths.filter {
            let name = ($0 as NSString).lastPathComponent
            return name.hasPrefix("Profile") && name.hasSuffix(".txt")
        }.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        guard !profiles.isEmpty else {
            throw RoentgenError.badFile(file, "RASX container has no Data*/Profile*.txt entry (entries: \(zip.paths.prefix(8).joined(separator: ", ")))")
        }
        var rootMeta = Metadata()
        if zip.paths.contains("root.xml") {
            try PatternXML.parse(try zip.entry("root.xml"), file: file + ":root.xml").flatten(into: &rootMeta, prefix: "root")
        }
        var scans: [Scan] = []
        for path in profiles {
            let folder = (path as NSString).deletingLastPathComponent
            let number = (path as NSString).lastPathComponent.dropFirst("Profile".count).dropLast(".txt".count)
            let conditionsPath = (folder.isEmpty ? "" : folder + "/") + "MesurementConditions\(number).xml"
            var m = rootMeta
            m["entry"] = path
            var radiation: Radiation?
            if zip.paths.contains(conditionsPath) {
                let xml = try PatternXML.parse(try zip.entry(conditionsPath), file: file + ":" + conditionsPath)
                xml.flatten(into: &m, prefix: "MeasurementConditions")
                func v(_ name: String) -> Double? { xml.first(name).flatMap { PatternText.number($0.value) } }
                radiation = DiffractionScan.radiation(anode: xml.first("TargetName")?.value, kAlpha1: v("WavelengthKalpha1"),
                                                      kAlpha2: v("WavelengthKalpha2"), ratio: v("WavelengthKalpha2Ratio") ?? v("Kalpha2Ratio"),
                                                      kBeta: v("WavelengthKbeta"))
            }
            let lines = PatternText.Lines(try zip.entry(path))
            var x: [Double] = [], counts: [Double] = [], att: [Double] = []
            x.reserveCapacity(lines.count); counts.reserveCapacity(lines.count); att.reserveCapacity(lines.count)
            var v: [Double] = []
            for i in 0..<lines.count where !lines.isBlank(i) {
                guard lines.scanNumbers(i, into: &v), v.count >= 2 else {
                    throw RoentgenError.badFile(file + ":" + path, line: i + 1, "expected `2θ counts [attenuator]`, found '\(lines.trimmed(i).prefix(60))'")
                }
                x.append(v[0]); counts.append(v[1]); att.append(v.count >= 3 ? v[2] : 1)
            }
            try DiffractionScan.check(x, counts, file: file + ":" + path, what: "profile")
            var intensity = counts
            for k in intensity.indices { intensity[k] *= att[k] }
            scans.append(DiffractionScan.make(name: profiles.count > 1 ? path : DiffractionScan.stem(file), twoTheta: x,
                                              intensity: intensity, extra: [("counts", counts, "counts"), ("attenuator", att, "")],
                                              radiation: radiation, metadata: m))
        }
        DiffractionScan.shareMetadata(&scans)
        return DataFile(format: id, file: file, scans: scans)
    }
}
