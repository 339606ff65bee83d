import Foundation
import XrayCore

/// The table of readers that sniffing walks. Adding a format adds one row here.
public enum FormatRegistry {
    /// Every reader, in no particular order; detection picks the most confident.
    public static var readers: [any FormatReader.Type] {
        [
            // Absorption (Sources/XrayFormats/Absorption/)
            XDIReader.self,
            ColumnASCIIReader.self,
            AthenaProjectReader.self,
            // Diffraction patterns (Sources/XrayFormats/Diffraction/).
            ColumnTextReader.self,
            GSASReader.self,
            BrukerRawReader.self,
            BrukerBRMLReader.self,
            XRDMLReader.self,
            RigakuRASReader.self,
            RigakuRASXReader.self,
            RigakuASCReader.self,
            SRSReader.self,
            LNLSReader.self,
            LytleReader.self,
            X10CReader.self,
            SSRLBinaryReader.self,
            X15BReader.self,
            SPECReader.self,
            BrukerUXDReader.self,
            RIET7Reader.self,
            STOERawReader.self,
            PdCIFReader.self,
            XRDPatternJSONReader.self,
            PanalyticalCSVReader.self,
            DetectorImageReader.self,
        ]
    }

    /// Detects the format of `url` from its content (and suffix, case-insensitively) and reads it.
    public static func read(_ url: URL) throws -> DataFile {
        let path = url.path
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                throw RoentgenError(.io, isDirectory.boolValue ? "is a directory, expected a data file" : "file is not readable", file: path)
            }
            throw RoentgenError(.io, "no such file", file: path)
        }
        return try read(data, file: path)
    }

    /// Detects the format of `data` and reads it; `file` names it in errors and its suffix helps detection.
    public static func read(_ data: Data, file: String) throws -> DataFile {
        guard let reader = detect(data, file: file) else {
            throw RoentgenError(.unsupportedFormat,
                                "format not recognised (none of \(readers.count) readers accepts it; see `roentgen formats`)",
                                file: file)
        }
        return try reader.read(data, file: file)
    }

    /// The reader most confident about `data`, or nil if none accepts it.
    public static func detect(_ data: Data, file: String) -> (any FormatReader.Type)? {
        let suffix = (file as NSString).pathExtension.lowercased()
        let head = data.prefix(65_536)
        var best: (any FormatReader.Type)?
        var bestConfidence = SniffConfidence.no
        for reader in readers {
            let confidence = reader.sniff(head: head, suffix: suffix)
            if confidence > bestConfidence {
                best = reader
                bestConfidence = confidence
            }
        }
        return best
    }
}
