import Foundation
import Testing
import TestSupport
import XrayCore
@testable import XrayFormats

/// Differential test over `../shared/data/wide/` (issue #13): every file there is read and its
/// reading compared with the anchors' (`wide/reference/<family>/<file>.json`, schema in the
/// folder's README): points, the x range (first and last values), sums, scans, groups, cells. Known, justified
/// differences are listed once, with their reason, in `Tests/Fixtures/fidelity/wide_allowlist.tsv`;
/// an allow-listed file that starts to agree fails the test too, so the list stays true.
///
/// Tolerances are the README's: 1e-5 relative on sums, 2e-6 on single values (7-digit
/// roundings), 1e-4 relative on cell lengths and 1e-3° on angles.
@Suite struct WideCorpusConformanceTests {
    enum Outcome: Equatable {
        case agrees
        /// Roentgen read the file and the numbers differ (what differs).
        case differs(String)
        /// Roentgen refused the file (its message).
        case refused(String)
        /// The reference holds no reading to compare with (anchor failed, helper only, invalid).
        case noAnchor(String)
    }

    struct AllowEntry { var outcome: String; var reason: String }

    static var allowListURL: URL { SharedData.projectRoot.appendingPathComponent("Tests/Fixtures/fidelity/wide_allowlist.tsv") }

    /// `file <TAB> differs|refused <TAB> reason`; `#` starts a comment line.
    static func allowList() throws -> [String: AllowEntry] {
        let text = try String(contentsOf: allowListURL, encoding: .utf8)
        var out: [String: AllowEntry] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard parts.count == 3, ["differs", "refused"].contains(parts[1]), parts[2].count > 20 else {
                Issue.record("allow-list line is not 'file<TAB>differs|refused<TAB>reason (>20 characters)': \(line)")
                continue
            }
            out[parts[0]] = AllowEntry(outcome: parts[1], reason: parts[2])
        }
        return out
    }

    // MARK: comparison helpers

    static func close(_ a: Double, _ b: Double, _ rel: Double) -> Bool {
        a == b || abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12
    }

    /// A reference number (`"nan"`, `"inf"` are strings).
    static func number(_ any: Any?) -> Double? {
        if let d = any as? Double { return d }
        if let i = any as? Int { return Double(i) }
        if let n = any as? NSNumber { return n.doubleValue }
        return nil
    }

    static func finiteSum(_ v: [Double]) -> Double { v.reduce(0) { $1.isFinite ? $0 + $1 : $0 } }

    /// Whether some column of `scan` sums to `sum` (or `factor` × `sum`, for an axis Roentgen
    /// converted, e.g. keV → eV).
    static func hasColumn(summingTo sum: Double, in scan: Scan, factors: [Double] = [1]) -> Bool {
        scan.columns.values.contains { v in
            let s = finiteSum(v)
            return factors.contains { close(s, sum * $0, 1e-5) }
        }
    }

    static func points(_ scan: Scan) -> Int { scan.columns.values.first?.count ?? 0 }

    /// Whether some column of `scan` starts at `first` and ends at `last` (the 7-digit roundings
    /// of the reference: 2e-6 relative; `factors` as in `hasColumn`).
    static func hasColumn(from first: Double?, to last: Double?, in scan: Scan, factors: [Double] = [1]) -> Bool {
        guard let first, let last else { return true }
        return scan.columns.values.contains { v in
            guard let a = v.first, let b = v.last else { return false }
            return factors.contains { close(a, first * $0, 2e-6) && close(b, last * $0, 2e-6) }
        }
    }

    // MARK: per family

    static func compareXAS(_ readings: Any?, _ file: DataFile) -> Outcome {
        if let list = readings as? [[String: Any]], let r = list.first {
            guard let scan = file.scans.first else { return .differs("no scan") }
            guard file.scans.count == 1 else { return .differs("\(file.scans.count) scans, anchor 1") }
            let n = r["npoints"] as? Int ?? -1
            guard points(scan) == n else { return .differs("\(points(scan)) points, anchor \(n)") }
            let xLabel = r["x_label"] as? String
            if !hasColumn(from: number(r["x_first"]), to: number(r["x_last"]), in: scan, factors: [1, 1000]) {
                return .differs("no column runs from the anchor's x_first \(r["x_first"] ?? "?") to x_last \(r["x_last"] ?? "?")")
            }
            var missing: [String] = []
            for (label, c) in (r["columns"] as? [String: Any]) ?? [:] {
                guard let sum = number((c as? [String: Any])?["sum"]) else { continue }
                if !hasColumn(summingTo: sum, in: scan, factors: label == xLabel ? [1, 1000] : [1]) { missing.append("\(label) (sum \(sum))") }
            }
            return missing.isEmpty ? .agrees : .differs("no column matches anchor column(s) \(missing.sorted().joined(separator: ", "))")
        }
        guard let r = readings as? [String: Any] else { return .noAnchor("no readings") }
        if let scans = r["scans"] as? [[String: Any]] {
            // SPEC: scans with data lines, in file order (Roentgen keeps no empty scan).
            let anchor = scans.filter { ($0["npoints"] as? Int ?? 0) > 0 }
            guard file.scans.count == anchor.count else { return .differs("\(file.scans.count) scans with data, anchor \(anchor.count)") }
            for (scan, a) in zip(file.scans, anchor) {
                let key = a["scan_key"] as? String ?? "?"
                let n = a["npoints"] as? Int ?? -1
                guard points(scan) == n else { return .differs("scan \(key): \(points(scan)) points, anchor \(n)") }
                if !hasColumn(from: number(a["x_first"]), to: number(a["x_last"]), in: scan, factors: [1, 1000]) {
                    return .differs("scan \(key): no column runs from the anchor's x_first to x_last")
                }
                if let sum = number(a["last_column_sum"]), !hasColumn(summingTo: sum, in: scan) {
                    return .differs("scan \(key): no column sums to the anchor's last column (\(sum))")
                }
            }
            return .agrees
        }
        if let groups = r["groups"] as? [[String: Any]] {
            // Athena: every group holding energy and μ, matched by name or label.
            for g in groups where (g["has_energy_mu"] as? Bool) ?? true {
                let names = [g["group"] as? String, g["label"] as? String].compactMap { $0 }
                guard let scan = file.scans.first(where: { names.contains($0.name) }) else {
                    return .differs("no scan named \(names.joined(separator: " / "))")
                }
                let n = g["npoints"] as? Int ?? -1
                guard points(scan) == n else { return .differs("group \(names[0]): \(points(scan)) points, anchor \(n)") }
                if !hasColumn(from: number(g["x_first"]), to: number(g["x_last"]), in: scan) {
                    return .differs("group \(names[0]): no column runs from the anchor's x_first to x_last")
                }
                if let sum = number(g["y_sum"]), !hasColumn(summingTo: sum, in: scan) {
                    return .differs("group \(names[0]): no column sums to the anchor's μ (\(sum))")
                }
            }
            return .agrees
        }
        return .noAnchor("helper reading only (\(r.keys.sorted().joined(separator: ", ")))")
    }

    /// (points, x first, x last, y sum) per block of a valid anchor reading.
    typealias Block = (points: Int, xFirst: Double?, xLast: Double?, ySum: Double?)

    static func xrdAlternatives(_ r: [String: Any]) -> [(String, [Block])] {
        var out: [(String, [Block])] = []
        if let x = r["xylib"] as? [String: Any], (x["valid_reading"] as? Bool) ?? true,
           !((x["generic_text_fallback"] as? Bool) ?? false), let blocks = x["blocks"] as? [[String: Any]] {
            out.append(("xylib", blocks.map { b in
                let cols = b["columns"] as? [[String: Any]] ?? []
                return (b["npoints"] as? Int ?? -1, number(cols.first?["first"]), number(cols.first?["last"]),
                        cols.count > 1 ? number(cols[1]["sum"]) : nil)
            }))
        }
        if let g = r["gsas2"] as? [String: Any], let blocks = g["blocks"] as? [[String: Any]] {
            let valid = blocks.filter { ($0["valid_reading"] as? Bool) ?? true && $0["npoints"] != nil }
            if !valid.isEmpty {
                out.append(("GSAS-II", valid.map { ($0["npoints"] as? Int ?? -1, number($0["x_first"]), number($0["x_last"]), number($0["y_sum"])) }))
            }
        }
        return out
    }

    static func compareXRD(_ readings: Any?, _ file: DataFile) -> Outcome {
        guard let r = readings as? [String: Any] else { return .noAnchor("no readings") }
        let alternatives = xrdAlternatives(r)
        guard !alternatives.isEmpty else { return .noAnchor("no valid anchor reading (\(r.keys.sorted().joined(separator: ", ")))") }
        var why: [String] = []
        for (anchor, blocks) in alternatives {
            var problem: String?
            if file.scans.count != blocks.count { problem = "\(file.scans.count) scans, \(anchor) \(blocks.count)" }
            for (scan, b) in zip(file.scans, blocks) where problem == nil {
                if points(scan) != b.points { problem = "\(scan.name): \(points(scan)) points, \(anchor) \(b.points)"; break }
                if let s = b.ySum, !hasColumn(summingTo: s, in: scan) { problem = "\(scan.name): no column sums to \(anchor)'s y (\(s))" }
                else if !hasColumn(from: b.xFirst, to: b.xLast, in: scan) { problem = "\(scan.name): no column runs from \(anchor)'s x \(b.xFirst ?? 0) to \(b.xLast ?? 0)" }
            }
            guard let problem else { return .agrees }
            why.append(problem)
        }
        return .differs(why.joined(separator: "; "))
    }

    static func compareCIF(_ readings: Any?, _ file: DataFile) -> Outcome {
        guard let r = readings as? [String: Any] else { return .noAnchor("no readings") }
        var cells: [[Double]] = []
        for b in ((r["gemmi"] as? [String: Any])?["blocks"] as? [[String: Any]]) ?? [] {
            if let c = b["cell"] as? [Any] { cells.append(c.compactMap(number)) }
        }
        for s in ((r["pymatgen"] as? [String: Any])?["structures"] as? [[String: Any]]) ?? [] {
            if let abc = s["abc"] as? [Any], let angles = s["angles"] as? [Any] { cells.append((abc + angles).compactMap(number)) }
        }
        cells = cells.filter { $0.count == 6 }
        guard !cells.isEmpty else { return .noAnchor("no anchor cell") }
        guard !file.structures.isEmpty else { return .differs("no structure read; the anchors give \(cells.count) cell(s)") }
        for s in file.structures {
            let c = s.cell
            let mine = [c.a, c.b, c.c, c.alpha, c.beta, c.gamma]
            let found = cells.contains { ref in
                (0..<3).allSatisfy { close(mine[$0], ref[$0], 1e-4) } && (3..<6).allSatisfy { abs(mine[$0] - ref[$0]) <= 1e-3 }
            }
            if !found { return .differs("\(s.name): cell \(mine) is none of the anchors' cells") }
        }
        return .agrees
    }

    static func compareHDF5(_ readings: Any?, _ file: DataFile) -> Outcome {
        guard let r = readings as? [String: Any], let datasets = r["datasets"] as? [[String: Any]] else { return .noAnchor("no h5py reading") }
        let sums = datasets.compactMap { number($0["sum"]) }
        // Every column Roentgen returns (axes converted to 2θ or eV aside) is the sum of a dataset.
        for scan in file.scans {
            for (label, values) in scan.columns where !["two_theta", "energy"].contains(label) {
                let s = finiteSum(values)
                if !sums.contains(where: { close(s, $0, 1e-5) }) && !(label == "index" && scan.kind != .diffraction) {
                    return .differs("\(scan.name): column \(label) sums to \(s), no dataset of the anchor does")
                }
            }
        }
        // A file whose anchors hold no 1-D dataset reads as images only (or nothing): that agrees.
        if file.scans.isEmpty { return nothingToRead("hdf5", readings) ? .agrees : .differs("no scan (\(file.images.count) images)") }
        return .agrees
    }

    /// Whether the anchors' reading holds nothing a Roentgen scan or structure is made of: no
    /// unit cell in any CIF block, or no 1-D numeric dataset of two or more points in an HDF5 file.
    static func nothingToRead(_ family: String, _ readings: Any?) -> Bool {
        guard let r = readings as? [String: Any] else { return false }
        switch family {
        case "cif":
            let gemmi = ((r["gemmi"] as? [String: Any])?["blocks"] as? [[String: Any]]) ?? []
            let pymatgen = ((r["pymatgen"] as? [String: Any])?["structures"] as? [[String: Any]]) ?? []
            return !gemmi.contains { $0["cell"] is [Any] } && pymatgen.isEmpty
        case "hdf5":
            let datasets = (r["datasets"] as? [[String: Any]]) ?? []
            return !datasets.contains { d in
                let shape = (d["shape"] as? [Int]) ?? []
                return shape.count == 1 && shape[0] > 1 && d["sum"] != nil
            }
        default:
            return false
        }
    }

    /// Reads one file and compares it with its reference.
    static func outcome(reference: [String: Any], url: URL) -> Outcome {
        let family = reference["family"] as? String ?? ""
        let status = reference["status"] as? String ?? ""
        if status == "no_valid_anchor_reading" { return .noAnchor("the anchors' reading is known wrong") }
        let readings = reference["readings"]
        let file: DataFile
        do {
            file = try FormatRegistry.read(url)
        } catch {
            // Where the anchors failed, or found nothing Roentgen reads (a CIF block without a
            // cell, an HDF5 file without a 1-D dataset), a clean refusal is the expected behaviour.
            if status == "anchor_failed" || nothingToRead(family, readings) { return .agrees }
            return .refused("\(error)")
        }
        if status == "anchor_failed" { return .noAnchor("anchors failed; Roentgen read it") }
        switch family {
        case "xas": return compareXAS(readings, file)
        case "xrd": return compareXRD(readings, file)
        case "cif": return compareCIF(readings, file)
        case "hdf5": return compareHDF5(readings, file)
        default: return .noAnchor("family \(family)")
        }
    }

    /// The score line the README carries.
    static func score(agree: Int, compared: Int, explained: Int) -> String {
        "\(agree) of \(compared) real files agree with the anchors; \(explained) differences explained"
    }

    @Test func wideCorpusAgreesWithTheAnchors() throws {
        let root = SharedData.root.appendingPathComponent("wide")
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("reference").path) else {
            print(SharedData.missing("wide/reference")); return
        }
        let allow = try Self.allowList()
        let references = FileManager.default.enumerator(at: root.appendingPathComponent("reference"), includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        #expect(references.count >= 160)
        var agree = 0, compared = 0, explained = 0, seen = Set<String>()
        var report: [String] = []
        for refURL in references {
            let reference = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: refURL)) as? [String: Any])
            let path = try #require(reference["file"] as? String)
            seen.insert(path)
            let url = root.appendingPathComponent(path)
            if let bytes = reference["bytes"] as? Int {
                #expect(FormatRegistry.fileSize(url.path) == bytes, "\(path): size changed, the reference no longer applies")
            }
            let outcome = Self.outcome(reference: reference, url: url)
            let entry = allow[path]
            switch outcome {
            case .noAnchor(let why):
                report.append("  -  \(path): not compared (\(why))")
                if entry != nil { Issue.record("\(path) is allow-listed but has no anchor reading to differ from") }
            case .agrees:
                compared += 1; agree += 1
                if entry != nil { Issue.record("\(path) now agrees with the anchors: remove it from the allow-list") }
            case .differs(let what), .refused(let what):
                compared += 1
                let kind = { if case .refused = outcome { return "refused" } else { return "differs" } }()
                report.append("  \(entry == nil ? "✘" : "✓") \(path): \(kind): \(what.prefix(300))")
                if let entry {
                    explained += 1
                    #expect(entry.outcome == kind, "\(path): allow-listed as '\(entry.outcome)' but Roentgen \(kind): \(what)")
                } else {
                    Issue.record("\(path) \(kind) and is not allow-listed: \(what)")
                }
            }
        }
        for path in allow.keys where !seen.contains(path) { Issue.record("allow-list names \(path), which has no reference") }
        let line = Self.score(agree: agree, compared: compared, explained: explained)
        print("wide corpus: \(line)\n" + report.joined(separator: "\n"))
        let readme = try String(contentsOf: SharedData.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains(line), "README should state: \(line)")
    }
}
