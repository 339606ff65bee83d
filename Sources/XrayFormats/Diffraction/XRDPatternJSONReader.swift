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
            func member(_ key: String) -> PatternJSON.Value? { p.others.first { $0.key == key }?.value }
            guard let x = p.arrays["two_theta_values"] ?? p.arrays["two_theta"] ?? numbers(member("two_theta_values") ?? member("two_theta")),
                  let y = p.arrays["intensities"] ?? p.arrays["intensity"] ?? numbers(member("intensities") ?? member("intensity")) else {
                let keys = (Array(p.arrays.keys) + p.others.map(\.key)).prefix(12).joined(separator: ", ")
                throw RoentgenError.badFile(file, "\(what): expected numeric arrays two_theta_values and intensities (an xrdpattern / opXRD pattern); the object has \(keys.isEmpty ? "no members" : "the members " + keys)")
            }
            try DiffractionScan.check(x, y, file: file, what: what)
            var m = Metadata()
            for member in p.others.sorted(by: { $0.key < $1.key }) where !keys.contains(member.key) {
                flatten(member.value, prefix: member.key, into: &m)
            }
            let primary = m.first { $0.key.hasSuffix("primary_wavelength") }.flatMap { PatternText.number($0.value) }
            let secondary = m.first { $0.key.hasSuffix("secondary_wavelength") }.flatMap { PatternText.number($0.value) }
            let anode = m.first { $0.key.hasSuffix("anode_material") || $0.key.hasSuffix("anode") }?.value
            let name = m["metadata.filename"].map { FileName.deletingSuffix($0) } ?? DiffractionScan.stem(file)
            scans.append(DiffractionScan.make(name: patterns.count > 1 ? "\(name) \(k + 1)" : name, twoTheta: x, intensity: y,
                                              radiation: DiffractionScan.radiation(anode: anode, kAlpha1: primary, kAlpha2: secondary,
                                                                                   ratio: nil, kBeta: nil),
                                              metadata: m))
        }
        return DataFile(format: id, file: file, scans: scans)
    }

    /// A JSON array of numbers or numeric strings as numbers; nil for anything else.
    static func numbers(_ value: PatternJSON.Value?) -> [Double]? {
        guard case .array(let list)? = value else { return nil }
        var out: [Double] = []
        out.reserveCapacity(list.count)
        for v in list {
            switch v {
            case .number(let s), .string(let s):
                guard let d = PatternText.number(s) else { return nil }
                out.append(d)
            default: return nil
            }
        }
        return out
    }

    /// Scalars as text: numbers as written, `true`/`false`/`null`.
    static func scalarText(_ value: PatternJSON.Value) -> String? {
        switch value {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .object, .array: return nil
        }
    }

    /// Nested objects (and objects encoded as JSON strings) flattened to `a.b.c` keys; members
    /// in key order, lists of scalars joined with ", ", other lists numbered `[1]`, `[2]` ….
    static func flatten(_ value: PatternJSON.Value, prefix: String, into m: inout Metadata, depth: Int = 0) {
        if depth < 8, case .string(let s) = value, let first = s.utf8.first, first == 123 || first == 91,
           let nested = PatternJSON.value(s) {
            flatten(nested, prefix: prefix, into: &m, depth: depth + 1)
            return
        }
        switch value {
        case .object(let members):
            if members.isEmpty { m[prefix] = "{}" }
            for member in members.sorted(by: { $0.key < $1.key }) { flatten(member.value, prefix: prefix + "." + member.key, into: &m, depth: depth + 1) }
        case .array(let list):
            let scalars = list.compactMap(scalarText)
            if scalars.count == list.count {
                m[prefix] = scalars.joined(separator: ", ")
            } else {
                for (i, v) in list.enumerated() { flatten(v, prefix: prefix + "[\(i + 1)]", into: &m, depth: depth + 1) }
            }
        default:
            m[prefix] = scalarText(value) ?? ""
        }
    }
}
