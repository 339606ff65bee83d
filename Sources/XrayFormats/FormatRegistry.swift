import Foundation
import XrayCore

/// The table of readers that sniffing walks. Adding a format adds one row here.
public enum FormatRegistry {
    /// Every reader; detection picks the most confident, the earlier one among equals, and stops at the first signature match.
    public static var readers: [any FormatReader.Type] {
        [
            // Signature formats first; the two generic column readers last (detection stops at
            // the first `.certain`, and among equals the earlier reader wins).
            // Absorption (Sources/XrayFormats/Absorption/).
            XDIReader.self,
            // Compressed single files (`.xy.gz`): the content is detected and read (Athena's .prj keeps its reader).
            GzipReader.self,
            ZstandardReader.self,
            // A cheap signature test (a JSON document with the xrdpattern keys) that ends detection early.
            XRDPatternJSONReader.self,
            AthenaProjectReader.self,
            // Diffraction patterns (Sources/XrayFormats/Diffraction/).
            BrukerRawReader.self,
            STOERawReader.self,
            BrukerBRMLReader.self,
            RigakuRASXReader.self,
            XRDMLReader.self,
            RigakuRASReader.self,
            RigakuASCReader.self,
            SRSReader.self,
            LNLSReader.self,
            LytleReader.self,
            X10CReader.self,
            SSRLBinaryReader.self,
            X15BReader.self,
            SPECReader.self,
            BrukerUXDReader.self,
            PanalyticalCSVReader.self,
            PdCIFReader.self,
            // Structure CIFs after pdCIF: a CIF with powder data and a phase block is data.
            CIFStructureReader.self,
            PDFfitStructureReader.self,
            GSASReader.self,
            RIET7Reader.self,
            DetectorImageReader.self,
            HDF5Reader.self,
            // Zip archives of data files (BRML and RASX, zips themselves, sniff with certainty above).
            ZipArchiveReader.self,
            TarArchiveReader.self,
            // G(r), F(Q), S(Q), I(Q) columns: before the generic readers, which would take r as 2θ.
            TotalScatteringReader.self,
            // Generic columns: absorption claims them only with XAS evidence (labels, eV energies
            // with three or more channels), so it goes before the 2θ/intensity reader.
            ColumnASCIIReader.self,
            ColumnTextReader.self,
        ]
    }

    /// Detects the format of `url` from its content (and suffix, case-insensitively) and reads it.
    ///
    /// GSAS data files carry no wavelength: their radiation is joined from `instrument` (a GSAS
    /// `.prm` or GSAS-II `.instprm`) or, when nil, from the companion instrument file beside the
    /// data (same name stem, or the only one in the folder); a warning says which file was used.
    /// `plausibility: false` skips the value-plausibility warnings (callers that never show
    /// warnings, such as the ML export, save a pass over every value).
    public static func read(_ url: URL, instrument: URL? = nil, plausibility: Bool = true) throws -> DataFile {
        var file = try readContent(url, plausibility: plausibility)
        if let instrument {
            guard file.format == GSASReader.id else {
                throw RoentgenError(.badParameter, "--instrument applies to GSAS data files; this file is \(file.format)", file: url.path)
            }
            try GSASInstrumentParameters.read(instrument).apply(to: &file, reason: "given with --instrument")
        } else if file.format == GSASReader.id {
            let needsRadiation = file.scans.contains { $0.radiation == nil }
            switch GSASInstrumentParameters.companion(of: url) {
            case .found(let companion, _) where !ReadConfinement.allows(companion.path):
                file.warnings.append("instrument file \(companion.lastPathComponent) beside the data was not used: it leads out of the served workspace")
            case .found(let companion, let reason):
                do {
                    try GSASInstrumentParameters.read(companion).apply(to: &file, reason: reason)
                } catch let error as RoentgenError {
                    file.warnings.append("instrument file \(companion.lastPathComponent) beside the data was not used: \(error.message)")
                }
            case .ambiguous(let names) where needsRadiation:
                file.warnings.append("no wavelength in the file, and \(names.count) instrument files beside it (\(names.joined(separator: ", "))): name one with --instrument")
            case .none where needsRadiation:
                file.warnings.append("no wavelength in the file and no instrument file (.prm, .instprm) beside it: name one with --instrument")
            default:
                break
            }
        }
        return file
    }

    /// Files larger than this are memory-mapped, not read: an HDF5 file of many gigabytes (images
    /// beside the scans) is then touched only where its reader looks.
    static let mappingThreshold = 64 << 20

    /// The size of the file at `path` in bytes (0 if it cannot be stat'ed). One `stat` call:
    /// FileManager's attributes also look up the owner's account, many times slower.
    /// Whether `path` is a regular file (not a folder, device or pipe): what a link inside a data
    /// file may lead Roentgen to open.
    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    private static func readContent(_ url: URL, plausibility: Bool) throws -> DataFile {
        let path = url.path
        if fileSize(path) > mappingThreshold, let mapped = try? Data(contentsOf: url, options: .alwaysMapped) {
            return try read(mapped, file: path, plausibility: plausibility)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw RoentgenError(.io, isDirectory.boolValue ? "is a directory, expected a data file" : "file is not readable", file: path)
            }
            throw RoentgenError(.io, "no such file", file: path)
        }
        return try read(data, file: path, plausibility: plausibility)
    }

    /// Detects the format of `data` and reads it; `file` names it in errors and its suffix helps detection.
    public static func read(_ data: Data, file: String, plausibility: Bool = true) throws -> DataFile {
        guard let reader = detect(data, file: file) else {
            if let known = UnsupportedFormats.describe(data) {
                throw RoentgenError(.unsupportedFormat, known, file: file)
            }
            throw RoentgenError(.unsupportedFormat,
                                "format not recognised (none of \(readers.count) readers accepts it; see `roentgen formats`)",
                                file: file)
        }
        var result = try reader.read(data, file: file)
        if FileName.suffix(file) == "xdi", reader.id != XDIReader.id {
            result.warnings.insert("named .xdi but without the '# XDI/1.0' version line on its first line: not valid XDI; read as \(reader.name)", at: 0)
        }
        // Implausible values (denormals, |v| > 1e30, long NaN runs, an all-zero signal) are said,
        // never handed on silently; each warning once.
        for warning in plausibility ? ValuePlausibility.warnings(for: result) : [] where !result.warnings.contains(warning) {
            result.warnings.append(warning)
        }
        return result
    }

    /// The reader most confident about `data`, or nil if none accepts it.
    public static func detect(_ data: Data, file: String) -> (any FormatReader.Type)? {
        let suffix = FileName.suffix(file)
        let head = data.prefix(65_536)
        var best: (any FormatReader.Type)?
        var bestConfidence = SniffConfidence.no
        for reader in readers {
            let confidence = reader.sniff(head: head, suffix: suffix)
            if confidence > bestConfidence {
                best = reader
                bestConfidence = confidence
                // Nothing can beat a signature, and ties keep the earlier reader: stop here.
                if confidence == .certain { break }
            }
        }
        return best
    }
}
