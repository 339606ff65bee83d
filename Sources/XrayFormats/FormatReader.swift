import Foundation
import XrayCore

/// How sure a reader is that some bytes are its format.
public enum SniffConfidence: Int, Comparable, Sendable {
    /// Not this format.
    case no = 0
    /// Only the file name suffix fits.
    case suffixOnly = 1
    /// The content is plausible (e.g. numeric columns) but carries no signature.
    case plausible = 2
    /// The content carries the format's signature (magic bytes, root element, header keyword).
    case certain = 3

    public static func < (a: SniffConfidence, b: SniffConfidence) -> Bool { a.rawValue < b.rawValue }
}

/// One file format. Each reader lives in its own file and is listed once in `FormatRegistry.readers`.
public protocol FormatReader {
    /// Stable id used in JSON output and `--format`, e.g. `"xdi"`.
    static var id: String { get }
    /// Human name for `roentgen formats`, e.g. `"XAS Data Interchange (XDI 1.0)"`.
    static var name: String { get }
    /// What the format holds.
    static var kind: Scan.Kind { get }
    /// Lower-case file suffixes without the dot, e.g. `["xdi"]`.
    static var suffixes: [String] { get }
    /// Inspects the start of the file (up to 64 KiB) and its lower-cased suffix.
    static func sniff(head: Data, suffix: String) -> SniffConfidence
    /// Parses a whole file. `file` is used in errors and in the result.
    static func read(_ data: Data, file: String) throws -> DataFile
}
