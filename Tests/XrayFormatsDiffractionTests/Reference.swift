import Foundation
import TestSupport
import XrayCore
@testable import XrayFormats

/// One pattern as an anchor program read it.
struct ReferencePattern {
    var x: [Double]
    var y: [Double]
    var esd: [Double]? = nil
}

/// Loads `../shared/data/xrd/reference/parse/*.json`: the readings of xylib, xrdpattern and the
/// steering helper's minimal readers, per file.
enum Reference {
    static func json(_ relative: String) -> [String: Any]? {
        guard let url = SharedData.url(relative), let data = try? Data(contentsOf: url) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The reference file for a data file (`bruker_raw/BT86.raw` → `parse/bruker_raw__BT86.raw.json`).
    static func parse(_ file: String) -> [String: Any]? {
        let name = file.replacingOccurrences(of: "/", with: "__").replacingOccurrences(of: "+", with: "_")
        return json("xrd/reference/parse/\(name).json")
    }

    static func numbers(_ any: Any?) -> [Double] {
        guard let list = any as? [Any] else { return [] }
        return list.map { ($0 as? NSNumber)?.doubleValue ?? .nan }
    }

    /// Patterns per anchor: `xylib`, `xrdpattern`, `helper`.
    static func patterns(_ file: String) -> [String: [ReferencePattern]] {
        guard let ref = parse(file) else { return [:] }
        var out: [String: [ReferencePattern]] = [:]
        let anchors = ref["anchors"] as? [String: Any] ?? [:]
        if let xylib = anchors["xylib"] as? [String: Any], xylib["ok"] as? Bool == true,
           let blocks = xylib["blocks"] as? [[String: Any]] {
            out["xylib"] = blocks.compactMap { b in
                guard let cols = b["columns"] as? [[String: Any]], cols.count >= 2 else { return nil }
                // xylib's pdCIF reader returns every loop column in file order, named: pick by name.
                func named(_ names: [String]) -> [String: Any]? {
                    names.lazy.compactMap { n in cols.first { $0["name"] as? String == n } }.first
                }
                if let x = named(["meas_2theta"]), let y = named(["meas_intensity_total", "meas_counts_total"]) {
                    return ReferencePattern(x: numbers(x["values"]), y: numbers(y["values"]),
                                            esd: named(["meas_intensity_total_err", "meas_counts_total_err"]).map { numbers($0["values"]) })
                }
                return ReferencePattern(x: numbers(cols[0]["values"]), y: numbers(cols[1]["values"]))
            }
        }
        if let xrdp = anchors["xrdpattern"] as? [String: Any], xrdp["ok"] as? Bool == true,
           let patterns = xrdp["patterns"] as? [[String: Any]] {
            out["xrdpattern"] = patterns.map { ReferencePattern(x: numbers($0["two_theta"]), y: numbers($0["intensities"])) }
        }
        if let helper = ref["helper_reader"] as? [String: Any], helper["ok"] as? Bool == true {
            switch helper["kind"] as? String {
            case "columns":
                let cols = helper["columns"] as? [Any] ?? []
                if cols.count >= 2 { out["helper"] = [ReferencePattern(x: numbers(cols[0]), y: numbers(cols[1]))] }
            case "gsas":
                out["helper"] = (helper["banks"] as? [[String: Any]] ?? []).map {
                    ReferencePattern(x: numbers($0["two_theta"]), y: numbers($0["intensity"]))
                }
            case "xrdml":
                out["helper"] = (helper["scans"] as? [[String: Any]] ?? []).map {
                    ReferencePattern(x: numbers($0["two_theta"]), y: numbers($0["y"]))
                }
            case "ras":
                out["helper"] = (helper["blocks"] as? [[String: Any]] ?? []).map {
                    let cols = $0["columns"] as? [Any] ?? []
                    return ReferencePattern(x: numbers(cols.first), y: numbers(cols.count > 1 ? cols[1] : nil))
                }
            case "rasx":
                out["helper"] = (helper["profiles"] as? [[String: Any]] ?? []).map {
                    let cols = $0["columns"] as? [Any] ?? []
                    return ReferencePattern(x: numbers(cols.first), y: numbers(cols.count > 1 ? cols[1] : nil))
                }
            case "brml":
                out["helper"] = (helper["blocks"] as? [[String: Any]] ?? []).map {
                    let cols = $0["datum_columns"] as? [Any] ?? []
                    return ReferencePattern(x: numbers(cols.count > 2 ? cols[2] : nil), y: numbers(cols.last))
                }
            default:
                break
            }
        }
        return out
    }
}

/// Reads a shared-data file through the registry (content detection), or nil if ../shared is absent.
func readShared(_ relative: String) throws -> DataFile? {
    guard let url = SharedData.url("xrd/" + relative) else {
        print(SharedData.missing("xrd/" + relative))
        return nil
    }
    return try FormatRegistry.read(url)
}

/// Largest absolute difference between two equally long arrays (∞ if lengths differ).
func maxAbsDiff(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var m = 0.0
    for i in a.indices {
        if a[i].isNaN && b[i].isNaN { continue }
        m = max(m, abs(a[i] - b[i]))
    }
    return m
}

/// Largest difference relative to max(|b|, 1).
func maxRelDiff(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    var m = 0.0
    for i in a.indices { m = max(m, abs(a[i] - b[i]) / max(abs(b[i]), 1)) }
    return m
}
