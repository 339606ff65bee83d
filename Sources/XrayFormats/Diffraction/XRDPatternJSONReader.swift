import Foundation
import XrayCore

/// The JSON patterns of xrdpattern / the opXRD database. Both layouts: the older one with
/// `two_theta_values`, `intensities` and `label`/`metadata` as JSON-encoded strings
/// (`label.xray_info` again a JSON string), and the newer one with nested objects
/// (`powder_experiment.xray_info`, `metadata`). A top-level array holds several patterns.
/// Radiation from `primary_wavelength` (Kα1) and `secondary_wavelength` (Kα2).
enum XRDPatternJSONReader: FormatReader {
    static let id = "xrdpattern-json"
    static let name = "xrdpattern / opXRD JSON pattern"
    static let kind = Scan.Kind.diffraction
    static let suffixes = ["json"]

    static func sniff(head: Data, suffix: String) -> SniffConfidence {
        guard let first = head.first(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }), first == 123 || first == 91 else { return .no }
        if PatternText.contains(head, "\"two_theta_values\"") || PatternText.contains(head, "\"intensities\"") {
            return .certain
        }
        return suffix == "json" ? .suffixOnly : .no
    }

    static func read(_ data: Data, file: String) throws -> DataFile {
        let keys: Set<String> = ["two_theta_values", "intensities", "two_theta", "intensity"]
        let patterns = try PatternJSON.objects(data, file: file, numericKeys: keys)
        guard !patterns.isEmpty else {
            throw RoentgenError.badFile(file, "JSON holds no pattern object (expected keys two_theta_values and intensities)")
        }
        var scans: [Scan] = []
        for (k, p) in patterns.enumerated() {
            let what = patterns.count > 1 ? "pattern \(k + 1)" : "pattern"
            guard let x = p.arrays["two_theta_values"] ?? p.arrays["two_theta"] ?? numbers(p.others["two_theta_values"] ?? p.others["two_theta"]),
                  let y = p.arrays["intensities"] ?? p.arrays["intensity"] ?? numbers(p.others["intensities"] ?? p.others["intensity"]) else {
                throw RoentgenError.badFile(file, "\(what): expected numeric arrays two_theta_values and intensities")
            }
            try DiffractionScan.check(x, y, file: file, what: what)
            var m = Metadata()
            for (key, value) in p.others.sorted(by: { $0.key < $1.key }) where !keys.contains(key) {
                flatten(value, prefix: key, into: &m)
            }
            let primary = m.first { $0.key.hasSuffix("primary_wavelength") }.flatMap { PatternText.number($0.value) }
            let secondary = m.first { $0.key.hasSuffix("secondary_wavelength") }.flatMap { PatternText.number($0.value) }
            let anode = m.first { $0.key.hasSuffix("anode_material") || $0.key.hasSuffix("anode") }?.value
            let name = m["metadata.filename"].map { ($0 as NSString).deletingPathExtension } ?? DiffractionScan.stem(file)
            scans.append(DiffractionScan.make(name: patterns.count > 1 ? "\(name) \(k + 1)" : name, twoTheta: x, intensity: y,
                                              radiation: DiffractionScan.radiation(anode: anode, kAlpha1: primary, kAlpha2: secondary,
                                                                                   ratio: nil, kBeta: nil),
                                              metadata: m))
        }
        return DataFile(format: id, file: file, scans: scans)
    }

    static func numbers(_ any: Any?) -> [Double]? {
        guard let list = any as? [Any] else { return nil }
        var out: [Double] = []
        out.reserveCapacity(list.count)
        for v in list {
            if let n = v as? NSNumber { out.append(n.doubleValue) } else if let s = v as? String, let d = PatternText.number(s) { out.append(d) } else { return nil }
        }
        return out
    }

    /// Nested objects (and objects encoded as JSON strings) flattened to `a.b.c` keys.
    static func flatten(_ value: Any, prefix: String, into m: inout Metadata, depth: Int = 0) {
        if depth < 8, let s = value as? String, let first = s.first, first == "{" || first == "[",
           let nested = try? JSONSerialization.jsonObject(with: Data(s.utf8)), !(nested is String) {
            flatten(nested, prefix: prefix, into: &m, depth: depth + 1)
            return
        }
        switch value {
        case let dict as [String: Any]:
            if dict.isEmpty { m[prefix] = "{}" }
            for (k, v) in dict.sorted(by: { $0.key < $1.key }) { flatten(v, prefix: prefix + "." + k, into: &m, depth: depth + 1) }
        case let list as [Any]:
            if list.allSatisfy({ !($0 is [String: Any]) && !($0 is [Any]) }) {
                m[prefix] = list.map { "\($0)" }.joined(separator: ", ")
            } else {
                for (i, v) in list.enumerated() { flatten(v, prefix: prefix + "[\(i + 1)]", into: &m, depth: depth + 1) }
            }
        case is NSNull:
            m[prefix] = "null"
        case let b as Bool where !(value is Int) && String(describing: type(of: value)).contains("Bool"):
            m[prefix] = b ? "true" : "false"
        case let n as NSNumber:
            m[prefix] = n.stringValue
        default:
            m[prefix] = "\(value)"
        }
    }
}
