import Foundation
import XAS
import XrayCore
import XrayFormats

/// `roentgen xas fit`'s work, shared with the API's `/api/xas/fit`: EXAFS path fitting with FEFF
/// paths as Larch's feffit does it, from a fit file (YAML, docs/feffit.md).
public enum FeffitOperations {
    public struct FitRequest: OperationRequest {
        /// The fit file (YAML).
        public var file = ""
        public init(file: String) { self.file = file }
        public static var defaults: FitRequest { FitRequest(file: "") }
    }

    /// A finished fit.
    public struct Fitted: Sendable {
        public var recipe: FeffitFile
        public var result: FeffitResult
        /// `roentgen xas fit --json`'s document.
        public var json: FeffitJSONReport { FeffitJSONReport(result) }
    }

    /// Reads the fit file and its FEFF path and χ(k) files (`check` sees each before it is read) and fits.
    public static func fit(_ r: FitRequest, check: InputCheck = { _ in }) throws -> Fitted {
        let text: String
        do { text = try String(contentsOfFile: r.file, encoding: .utf8) } catch {
            throw RoentgenError(.io, FileManager.default.fileExists(atPath: r.file) ? "cannot read the fit file" : "no such file", file: r.file)
        }
        let recipe = try FeffitFile.parse(text, file: r.file)
        var paths: [String: FeffPath] = [:]
        let result = try recipe.fit(readPath: { name in
            if let p = paths[name] { return p }
            try check(name)
            let p = try FeffPathReader.read(URL(fileURLWithPath: name))
            paths[name] = p
            return p
        }, readData: { name in
            try check(name)
            return try readChi(name)
        })
        return Fitted(recipe: recipe, result: result)
    }

    /// k and χ(k) of a data file: its first column and the column named `chi` (else the second).
    public static func readChi(_ path: String) throws -> (k: [Double], chi: [Double]) {
        let data = try FormatRegistry.read(URL(fileURLWithPath: path))
        guard let scan = data.scans.first, scan.columns.count >= 2 else {
            throw RoentgenError(.badData, "expected a χ(k) file with columns k and chi", file: path)
        }
        let k = scan.columns.values[0]
        let chi = scan.columns["chi"] ?? scan.columns.values[1]
        return (k, chi)
    }
}
