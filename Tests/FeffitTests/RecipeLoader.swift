import Foundation
import Refinement
import TestSupport
import XAS
import XrayCore
import XrayFormats
import XrayNumerics

/// Builds feffit inputs from a case's recipe.json (../shared/data/xas/feffit/<case>/recipe.json),
/// reading its FEFF path files and the k, chi columns of its chi_<id>.dat.
struct RecipeLoader {
    let recipe: [String: Any]
    let folder: URL

    init?(_ caseName: String) throws {
        guard let json = try FeffitReference.json("\(caseName)/recipe.json"), let folder = FeffitReference.url(caseName) else { return nil }
        recipe = json
        self.folder = folder
    }

    static func columns(_ url: URL) throws -> (k: [Double], chi: [Double]) {
        var k: [Double] = [], chi: [Double] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let w = line.split(separator: " ").compactMap { Double($0) }
            if w.count >= 2 { k.append(w[0]); chi.append(w[1]) }
        }
        return (k, chi)
    }

    var variants: [String] { (recipe["variants"] as? [String: Any]).map { Array($0.keys).sorted() } ?? ["main"] }

    func parameters() throws -> ParameterSet {
        var set = ParameterSet()
        for p in recipe["params"] as? [[String: Any]] ?? [] {
            let name = p["name"] as! String
            if let expr = p["expr"] as? String {
                try set.add(Parameter(name, expression: expr))
            } else {
                var q = Parameter(name, (p["value"] as? Double) ?? 0, vary: p["vary"] as? Bool ?? false)
                if let lo = p["min"] as? Double { q.lower = lo }
                if let hi = p["max"] as? Double { q.upper = hi }
                try set.add(q)
            }
        }
        return set
    }

    static func transform(_ t: [String: Any]) -> FeffitTransform {
        var out = FeffitTransform()
        out.fitspace = FeffitTransform.FitSpace(rawValue: t["fitspace"] as? String ?? "r") ?? .r
        out.kmin = t["kmin"] as? Double ?? 0
        out.kmax = t["kmax"] as? Double ?? 20
        out.dk = t["dk"] as? Double ?? 4
        out.dk2 = t["dk2"] as? Double
        out.window = TaperShape(name: t["window"] as? String ?? "kaiser") ?? .kaiser
        if let list = t["kweight"] as? [Double] { out.kweights = list } else { out.kweights = [t["kweight"] as? Double ?? 2] }
        out.rmin = t["rmin"] as? Double ?? 0
        out.rmax = t["rmax"] as? Double ?? 10
        out.dr = t["dr"] as? Double ?? 0
        out.dr2 = t["dr2"] as? Double
        out.rwindow = TaperShape(name: t["rwindow"] as? String ?? "hanning") ?? .hanning
        out.rbkg = t["rbkg"] as? Double ?? 0
        out.nfft = t["nfft"] as? Int ?? 2048
        out.kstep = t["kstep"] as? Double ?? 0.05
        return out
    }

    func datasets(variant: String = "main") throws -> [FeffitDataSet] {
        let overrides = ((recipe["variants"] as? [String: Any])?[variant] as? [String: Any])?["transform_overrides"] as? [String: Any] ?? [:]
        return try (recipe["datasets"] as! [[String: Any]]).map { d in
            let id = d["id"] as! String
            let (k, chi) = try Self.columns(folder.appendingPathComponent(d["chi_file"] as! String))
            var t = d["transform"] as! [String: Any]
            for (key, value) in overrides { t[key] = value }
            let paths = try (d["paths"] as! [[String: Any]]).map { p -> FeffitPath in
                let file = p["file"] as! String
                var expressions: [String: String] = [:]
                for name in FeffitPath.parameterNames { if let e = p[name] as? String { expressions[name] = e } }
                return FeffitPath(label: p["label"] as! String, path: try FeffPathReader.read(folder.appendingPathComponent(file)),
                                  file: file, degen: p["degen"] as? Double, expressions: expressions)
            }
            return FeffitDataSet(id: id, k: k, chi: chi, transform: Self.transform(t), paths: paths)
        }
    }
}
