import Foundation
import XAS
import XrayCore
import XrayFormats

/// A spectrum read from a file, with where it came from.
public struct LoadedSpectrum: Sendable {
    public var spectrum: Spectrum
    public var provenance: Provenance
}

/// Reading one absorption spectrum and running the standard chain on it, as every XAS verb does.
public enum SpectrumLoading {
    /// Reads `path` (any supported absorption format), picks the scan `group` (default the first) and μ.
    public static func load(_ path: String, group: String?, mu: String?) throws -> LoadedSpectrum {
        let url = URL(fileURLWithPath: path)
        let (file, sha) = try ParsedFileCache.shared.read(url)
        guard !file.scans.isEmpty else {
            throw RoentgenError(.badData, file.structures.isEmpty ? "the file holds no scans" : "a crystal structure (format \(file.format)), not an absorption spectrum", file: path)
        }
        var scan = file.scans[0]
        if let group {
            // The Athena label, Larch's sanitised group name or a SPEC scan number, as `roentgen read --group`.
            guard let found = AthenaGroupLookup.scan(named: group, in: file) else {
                throw RoentgenError.badParameter("no group '\(group)' in \(path); groups: \(file.scans.map(\.name).joined(separator: ", "))")
            }
            scan = found
        }
        var spectrum = try MuSelection.selectMu(scan, expression: mu)
        spectrum.name = scan.name
        return LoadedSpectrum(spectrum: spectrum, provenance: Provenance(file: path, sha256: sha, reader: file.format, group: scan.name))
    }

    /// `FILE[:GROUP]` → (file, group); the colon splits only when FILE itself does not exist.
    public static func splitFileGroup(_ text: String) -> (String, String?) {
        if FileManager.default.fileExists(atPath: text) { return (text, nil) }
        guard let i = text.lastIndex(of: ":") else { return (text, nil) }
        return (String(text[..<i]), String(text[text.index(after: i)...]))
    }

    /// Normalisation, AUTOBK and the forward transform of one loaded spectrum.
    public static func analyse(_ loaded: LoadedSpectrum, parameters: XASParameters = XASParameters()) throws -> XASResult {
        guard let mu = loaded.spectrum.mu else { throw RoentgenError(.badData, "no μ(E) selected", file: loaded.provenance.file) }
        do {
            return try XASAnalysis.run(energy: loaded.spectrum.energy, mu: mu, parameters: parameters, source: loaded.provenance.file)
        } catch var error as RoentgenError {
            if error.file == nil { error.file = loaded.provenance.file }
            throw error
        }
    }
}
