import Foundation
import XrayCore

/// A calibrant d-spacing list as pyFAI's `.D` files hold it (`d # (h k l) mult intensity`, one ring
/// per line; `#` starts a comment): the first number of every non-comment line is a d-spacing in Å.
public struct CalibrantFile: Sendable, Equatable {
    /// The file's stem (`CeO2` for `CeO2.D`).
    public var name: String
    /// d-spacings in Å, in file order.
    public var dSpacings: [Double]

    public init(name: String, dSpacings: [Double]) {
        self.name = name
        self.dSpacings = dSpacings
    }

    /// Reads the `.D` file at `url`.
    public static func read(_ url: URL) throws -> CalibrantFile {
        let file = url.path
        guard let data = try? Data(contentsOf: url) else { throw RoentgenError(.io, "cannot read the calibrant file", file: file) }
        guard let text = String(data: data, encoding: .utf8) else { throw RoentgenError.badFile(file, "calibrant file is not UTF-8 text") }
        return try parse(text, file: file, name: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses `.D` text; errors name `file` and the line.
    public static func parse(_ text: String, file: String, name: String) throws -> CalibrantFile {
        var d: [Double] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard let first = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first else { continue }
            guard let v = Double(first), v.isFinite, v > 0 else {
                throw RoentgenError.badFile(file, line: n + 1, "'\(first)' is not a positive d-spacing in Å")
            }
            d.append(v)
        }
        guard !d.isEmpty else { throw RoentgenError.badFile(file, "calibrant file lists no d-spacings") }
        return CalibrantFile(name: name, dSpacings: d)
    }
}
